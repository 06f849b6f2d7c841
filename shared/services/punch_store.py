"""Storing device punches in bulk: insert-or-ignore on (device, device user id, instant).

PostgreSQL gets one statement per 50k rows: the columns travel as arrays, ``unnest`` turns them into rows
server-side and ``ON CONFLICT DO NOTHING`` skips what is already stored (also a repeat inside the batch);
``RETURNING`` tells how many were new and how many of those have an employee. SQLite gets an
``executemany`` of ``INSERT … ON CONFLICT DO NOTHING``, matched and unmatched rows apart so that the
row counts say the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Direction, PunchSource
from shared.model import Punch

PG_CHUNK = 50_000
SQLITE_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class DevicePunch:
    """One punch read from a device, ready to store (``instant`` aware UTC)."""

    device_user_id: str
    instant: datetime
    employee_id: int | None
    direction: Direction
    raw_status: int | None
    raw_punch: int | None


@dataclass(frozen=True, slots=True)
class StoreCounts:
    new: int
    new_matched: int

    @property
    def new_unmatched(self) -> int:
        return self.new - self.new_matched


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


async def _store_postgresql(
    session: AsyncSession, device_id: int, rows: Sequence[DevicePunch], created_at: datetime, created_by: str
) -> StoreCounts:
    new = matched = 0
    for start in range(0, len(rows), PG_CHUNK):
        chunk = rows[start : start + PG_CHUNK]
        result = await session.execute(
            _PG_INSERT,
            {
                "device_id": device_id,
                "source": PunchSource.DEVICE.value,
                "created_at": created_at,
                "created_by": created_by,
                "users": [r.device_user_id for r in chunk],
                "instants": [r.instant for r in chunk],
                "employees": [r.employee_id for r in chunk],
                "directions": [r.direction.value for r in chunk],
                "statuses": [r.raw_status for r in chunk],
                "punches": [r.raw_punch for r in chunk],
            },
        )
        added, added_matched = result.one()
        new += added
        matched += added_matched
    return StoreCounts(new, matched)


async def _store_sqlite(
    session: AsyncSession, device_id: int, rows: Sequence[DevicePunch], created_at: datetime, created_by: str
) -> StoreCounts:
    statement = sqlite.insert(Punch).on_conflict_do_nothing(index_elements=["device_id", "device_user_id", "instant"])
    connection = await session.connection()
    counts = {True: 0, False: 0}
    for matched in (True, False):
        group = [
            {
                "device_id": device_id,
                "source": PunchSource.DEVICE,
                "created_at": created_at,
                "created_by": created_by,
                "device_user_id": r.device_user_id,
                "instant": r.instant,
                "employee_id": r.employee_id,
                "direction": r.direction,
                "raw_status": r.raw_status,
                "raw_punch": r.raw_punch,
            }
            for r in rows
            if (r.employee_id is not None) is matched
        ]
        for start in range(0, len(group), SQLITE_CHUNK):
            result = await connection.execute(statement, group[start : start + SQLITE_CHUNK])
            counts[matched] += max(0, result.rowcount or 0)  # type: ignore[attr-defined]
    return StoreCounts(counts[True] + counts[False], counts[True])


async def store_device_punches(
    session: AsyncSession, *, device_id: int, rows: Sequence[DevicePunch], created_at: datetime, created_by: str
) -> StoreCounts:
    """Insert the punches that are not stored yet; returns how many were new (and matched to an employee)."""
    if not rows:
        return StoreCounts(0, 0)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return await _store_postgresql(session, device_id, rows, created_at, created_by)
    return await _store_sqlite(session, device_id, rows, created_at, created_by)
