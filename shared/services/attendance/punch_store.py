"""Storing device punches in bulk: insert-or-ignore on (device, device user id, instant).

Rows come as a sequence or as an async stream of chunks (the sync builds the next chunk in a worker thread
while the database stores the previous one). Rows are plain tuples (:data:`PunchRow`): building 100,000 of
them costs a fifth of building objects.

PostgreSQL: the keys this device already has in the batch's time span are read first (one index range scan
through asyncpg); rows not among them (nor repeated in the batch; when none is stored in the span, the
COPY's unique key finds the repetitions instead) are written with ``COPY`` (binary, no
per-row statement), each chunk inside its own ``SAVEPOINT``. Should a chunk meet a stored key anyway (another
writer stored it meanwhile, or the span was too narrow), COPY fails on the unique key: the savepoint is rolled
back (the transaction stays usable) and that chunk and every later one are written as ``INSERT … SELECT FROM
unnest(…) ON CONFLICT DO NOTHING`` (column arrays; ``RETURNING`` counts what was new). No row is dropped.
SQLite: ``executemany`` of ``INSERT … ON CONFLICT DO NOTHING``, matched and unmatched rows apart so that the
row counts say how many of each were new.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Final

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import PunchSource
from shared.model import Punch

PG_CHUNK = 50_000
_employee = itemgetter(2)  # EMPLOYEE, below
SQLITE_CHUNK = 5_000

PunchRow = tuple[str, datetime, int | None, str, int | None, int | None]
"""(device user id, instant (aware UTC), employee id or None, direction value, raw status, raw punch)."""
Span = tuple[datetime, datetime]
USER: Final = 0
INSTANT: Final = 1
EMPLOYEE: Final = 2
DIRECTION: Final = 3
STATUS: Final = 4
PUNCH: Final = 5


@dataclass(frozen=True, slots=True)
class StoreCounts:
    new: int
    new_matched: int

    @property
    def new_unmatched(self) -> int:
        return self.new - self.new_matched


def _matched(rows: Sequence[PunchRow]) -> int:
    return len(rows) - list(map(_employee, rows)).count(None)


_COPY_COLUMNS = (
    "device_id", "source", "created_at", "created_by", "device_user_id", "instant", "employee_id", "direction",
    "raw_status", "raw_punch",
)  # fmt: skip
_SAVEPOINT = "chronos_punch_copy"
_EXISTING = "SELECT device_user_id, instant FROM punches WHERE device_id = $1 AND instant >= $2 AND instant <= $3"
_PG_INSERT = text(
    "WITH ins AS ("
    " INSERT INTO punches (device_id, source, created_at, created_by,"
    " device_user_id, instant, employee_id, direction, raw_status, raw_punch)"
    " SELECT CAST(:device_id AS integer), CAST(:source AS varchar), CAST(:created_at AS timestamptz),"
    " CAST(:created_by AS varchar), u.*"
    " FROM unnest(CAST(:users AS varchar[]), CAST(:instants AS timestamptz[]), CAST(:employees AS integer[]),"
    " CAST(:directions AS varchar[]), CAST(:statuses AS integer[]), CAST(:punches AS integer[]))"
    " AS u(device_user_id, instant, employee_id, direction, raw_status, raw_punch)"
    " ON CONFLICT (device_id, device_user_id, instant) DO NOTHING"
    " RETURNING employee_id)"
    " SELECT count(*), count(employee_id) FROM ins"
)


def _unseen(chunk: Sequence[PunchRow], seen: set[tuple[str, datetime]]) -> list[PunchRow]:
    fresh = []
    for row in chunk:
        key = (row[USER], row[INSTANT])
        if key not in seen:
            seen.add(key)
            fresh.append(row)
    return fresh


async def _store_postgresql(
    session: AsyncSession, device_id: int, chunks: AsyncIterator[Sequence[PunchRow]], span: Span | None,
    created_at: datetime, created_by: str,
) -> StoreCounts:  # fmt: skip
    connection = await session.connection()
    await connection.exec_driver_sql("SELECT 1")  # SQLAlchemy begins lazily: COPY must run inside its transaction
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    seen: set[tuple[str, datetime]] = set()
    if span is not None:
        seen.update((user, instant) for user, instant in await raw.fetch(_EXISTING, device_id, *span))
    constant = (device_id, PunchSource.DEVICE.value, created_at, created_by)
    new = matched = 0
    copying = True
    async for chunk in chunks:
        # Nothing of this device stored in the span (a first sync, a new tail): COPY the chunk as it is instead
        # of hashing every key first (a tenth of the store, issue 13). A record repeated within the read makes
        # the COPY fail on the unique key like a stored one would: that chunk and the rest go through
        # insert-or-ignore below, which drops the repetition. No row is dropped or doubled either way.
        fresh = chunk if copying and not seen else _unseen(chunk, seen)
        if not fresh:
            continue
        if copying:
            records = [constant + r for r in fresh]
            # asyncpg's own transaction() refuses to nest in SQLAlchemy's: the savepoint is spelled out
            await raw.execute(f"SAVEPOINT {_SAVEPOINT}")
            try:
                await raw.copy_records_to_table("punches", records=records, columns=_COPY_COLUMNS)
            except UniqueViolationError:  # a key stored by someone else: insert-or-ignore from here on
                await raw.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                copying = False
            else:
                await raw.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
                new, matched = new + len(fresh), matched + _matched(fresh)
                continue
        counts = await _insert_on_conflict(session, device_id, fresh, created_at, created_by)
        new, matched = new + counts.new, matched + counts.new_matched
    return StoreCounts(new, matched)


async def _insert_on_conflict(
    session: AsyncSession, device_id: int, rows: Sequence[PunchRow], created_at: datetime, created_by: str
) -> StoreCounts:
    new = matched = 0
    for start in range(0, len(rows), PG_CHUNK):
        chunk = rows[start : start + PG_CHUNK]
        columns = list(zip(*chunk, strict=True))
        result = await session.execute(
            _PG_INSERT,
            {
                "device_id": device_id,
                "source": PunchSource.DEVICE.value,
                "created_at": created_at,
                "created_by": created_by,
                "users": list(columns[USER]),
                "instants": list(columns[INSTANT]),
                "employees": list(columns[EMPLOYEE]),
                "directions": list(columns[DIRECTION]),
                "statuses": list(columns[STATUS]),
                "punches": list(columns[PUNCH]),
            },
        )
        added, added_matched = result.one()
        new += added
        matched += added_matched
    return StoreCounts(new, matched)


async def _store_sqlite(
    session: AsyncSession, device_id: int, chunks: AsyncIterator[Sequence[PunchRow]], created_at: datetime,
    created_by: str,
) -> StoreCounts:  # fmt: skip
    counts = {True: 0, False: 0}
    async for rows in chunks:
        for matched, new in (await _insert_sqlite(session, device_id, rows, created_at, created_by)).items():
            counts[matched] += new
    return StoreCounts(counts[True] + counts[False], counts[True])


async def _insert_sqlite(
    session: AsyncSession, device_id: int, rows: Sequence[PunchRow], created_at: datetime, created_by: str
) -> dict[bool, int]:
    statement = sqlite.insert(Punch).on_conflict_do_nothing(index_elements=["device_id", "device_user_id", "instant"])
    connection = await session.connection()
    counts = {True: 0, False: 0}
    for matched in (True, False):
        group = [
            {
                "device_id": device_id, "source": PunchSource.DEVICE, "created_at": created_at,
                "created_by": created_by, "device_user_id": user, "instant": instant, "employee_id": employee,
                "direction": direction, "raw_status": status, "raw_punch": punch,
            }
            for user, instant, employee, direction, status, punch in rows
            if (employee is not None) is matched
        ]  # fmt: skip
        for start in range(0, len(group), SQLITE_CHUNK):
            result = await connection.execute(statement, group[start : start + SQLITE_CHUNK])
            counts[matched] += max(0, result.rowcount or 0)  # type: ignore[attr-defined]
    return counts


def span_of(rows: Sequence[PunchRow]) -> Span | None:
    if not rows:
        return None
    return min(r[INSTANT] for r in rows), max(r[INSTANT] for r in rows)


async def _one_chunk(rows: Sequence[PunchRow]) -> AsyncIterator[Sequence[PunchRow]]:
    yield rows


async def store_device_punches(
    session: AsyncSession,
    *,
    device_id: int,
    rows: Sequence[PunchRow] | AsyncIterator[Sequence[PunchRow]],
    span: Span | None = None,
    created_at: datetime,
    created_by: str,
) -> StoreCounts:
    """Insert the punches that are not stored yet; returns how many were new (and matched to an employee).

    ``rows`` is a sequence or an async iterator of chunks; with chunks, pass ``span`` (the earliest and latest
    instant of all of them) so that the stored keys can be read once up front (without it, every row is
    offered to the database).
    """
    if isinstance(rows, Sequence):
        span, rows = span_of(rows), _one_chunk(rows)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return await _store_postgresql(session, device_id, rows, span, created_at, created_by)
    return await _store_sqlite(session, device_id, rows, created_at, created_by)
