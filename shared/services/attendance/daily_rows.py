"""Writing daily rows in bulk: insert or update by (employee, date), never touching a manual override; a row
whose values did not change is not written again (its ``processed_at`` stays)."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import and_, delete, or_, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayResult
from shared.model import DailyAttendance, Employee

UPSERT_CHUNK = 5000
STREAM_CHUNK = 50_000

_COLUMNS = (
    "status", "first_in", "last_out", "worked_minutes", "late_minutes", "early_exit_minutes", "worked_on_day_off",
    "shift_id", "leave_request_id", "punch_count", "is_final", "unscheduled_punches", "overtime_minutes",
    "processed_at",
)  # fmt: skip


_PG_TYPES = (
    ("employee_id", "integer"), ("date", "date"), ("status", "varchar"), ("first_in", "timestamptz"),
    ("last_out", "timestamptz"), ("worked_minutes", "integer"), ("late_minutes", "integer"),
    ("early_exit_minutes", "integer"), ("worked_on_day_off", "boolean"), ("shift_id", "integer"),
    ("leave_request_id", "integer"), ("punch_count", "integer"), ("is_final", "boolean"),
    ("unscheduled_punches", "integer"), ("overtime_minutes", "integer"),
)  # fmt: skip
_PG_UPSERT = text(
    "INSERT INTO daily_attendance ({cols}, processed_at, manual_override) "
    "SELECT u.*, CAST(:processed_at AS timestamptz), false FROM unnest({arrays}) AS u({cols}) "
    "ON CONFLICT (employee_id, date) DO UPDATE SET {sets}, processed_at = EXCLUDED.processed_at "
    "WHERE daily_attendance.manual_override = false AND ({old}) IS DISTINCT FROM ({new})".format(
        cols=", ".join(c for c, _ in _PG_TYPES),
        arrays=", ".join(f"CAST(:{c} AS {t}[])" for c, t in _PG_TYPES),
        sets=", ".join(f"{c} = EXCLUDED.{c}" for c, _ in _PG_TYPES[2:]),
        old=", ".join(f"daily_attendance.{c}" for c, _ in _PG_TYPES[2:]),
        new=", ".join(f"EXCLUDED.{c}" for c, _ in _PG_TYPES[2:]),
    )
)


_FEW_EMPLOYEES = 500  # up to this many, the stored rows are read by employee (an index), not by date only
_COPY_COLUMNS = (*(c for c, _ in _PG_TYPES), "processed_at", "manual_override")
_SAVEPOINT = "chronos_daily_copy"
_STORED = "SELECT employee_id, date, manual_override, {cols} FROM daily_attendance WHERE date >= $1 AND date <= $2"
_STORED_SQL = _STORED.format(cols=", ".join(c for c, _ in _PG_TYPES[2:]))
_STORED_FEW_SQL = _STORED_SQL + " AND employee_id = ANY($3::integer[])"


if DayResult._fields != tuple(c for c, _ in _PG_TYPES):  # a result is sent as the row it is
    raise RuntimeError("DayResult's fields must be the daily row's columns in _PG_TYPES order")


async def _stored(
    raw: Any, first: date, last: date, employee_ids: Collection[int] | None
) -> dict[tuple[int, date], tuple[Any, ...]]:
    """The rows stored for [first, last] (these employees' only, when few): (manual override, compared
    columns...) by (employee, date)."""
    if employee_ids is not None and len(employee_ids) <= _FEW_EMPLOYEES:
        rows = await raw.fetch(_STORED_FEW_SQL, first, last, sorted(set(employee_ids)))
    else:
        rows = await raw.fetch(_STORED_SQL, first, last)
    return {(row[0], row[1]): tuple(row)[2:] for row in rows}


async def _copy(raw: Any, records: Iterator[tuple[Any, ...]]) -> bool:
    """COPY the records inside a savepoint; False (nothing of them kept) when one met a stored key."""
    # asyncpg's own transaction() refuses to nest in SQLAlchemy's: the savepoint is spelled out
    await raw.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        await raw.copy_records_to_table("daily_attendance", records=records, columns=_COPY_COLUMNS)
    except UniqueViolationError:
        await raw.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        return False
    await raw.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
    return True


async def stream_results(
    session: AsyncSession, results: Iterable[DayResult], *, first: date, last: date,
    employee_ids: Collection[int] | None, processed_at: datetime,
) -> tuple[int, int]:  # fmt: skip
    """Write the results of [first, last] (PostgreSQL), consuming ``results`` while COPY runs; returns (results
    seen, results that met a manual override and were not written).

    The stored rows of the range are read once, then only the difference is written: rows with a new key by
    COPY, fed by ``results`` as they come (so the server stores the rows already sent while the next are
    classified), changed rows by the upsert statement; unchanged rows and manual overrides are not sent at all.
    A key stored meanwhile by another transaction fails the COPY (unique key): it is rolled back to its
    savepoint and those rows go through the upsert, which never touches an override either. Sending every
    row through ``INSERT … ON CONFLICT`` cost the nightly run twice its I/O floor (issue 13)."""
    connection = await session.connection()
    await connection.exec_driver_sql("SELECT 1")  # SQLAlchemy begins lazily: COPY must run inside its transaction
    raw = (await connection.get_raw_connection()).driver_connection
    stored = await _stored(raw, first, last, employee_ids)
    fresh: list[DayResult] = []
    changed: list[DayResult] = []
    counts = [0, 0]  # seen, overrides

    def new_records(part: Iterable[DayResult]) -> Iterator[tuple[Any, ...]]:
        if not stored:  # new days (the nightly run): every result is a new row
            for r in part:
                counts[0] += 1
                fresh.append(r)
                yield (*r, processed_at, False)
            return
        for r in part:  # r is (employee_id, date, the compared columns...): see the check under _PG_TYPES
            counts[0] += 1
            old = stored.get((r[0], r[1]))  # type: ignore[arg-type]
            if old is None:
                fresh.append(r)
                yield (*r, processed_at, False)
            elif old[0]:
                counts[1] += 1
            elif old[1:] != r[2:]:
                changed.append(r)

    pending = iter(results)
    copying = True
    # One COPY per STREAM_CHUNK results, each fed while it runs: a statement stays far inside
    # DB_STATEMENT_TIMEOUT_SECONDS however long the whole classification takes.
    while (first_result := next(pending, None)) is not None:
        mark = len(fresh)
        records = new_records(itertools.chain((first_result,), itertools.islice(pending, STREAM_CHUNK - 1)))
        if copying:
            copying = await _copy(raw, records)
        if not copying:  # another transaction stored one of these keys: upsert this chunk's new rows and the rest
            for _ in records:  # the results the COPY had not taken (or all of them) still need sorting out
                pass
            changed.extend(fresh[mark:])
    for start in range(0, len(changed), 50_000):
        chunk = changed[start : start + 50_000]
        params: dict[str, Any] = {c: [getattr(r, c) for r in chunk] for c, _ in _PG_TYPES}
        params["status"] = [r.status.value for r in chunk]
        params["processed_at"] = processed_at
        await session.execute(_PG_UPSERT, params)
    return counts[0], counts[1]


async def upsert_results(session: AsyncSession, results: Sequence[DayResult], *, processed_at: datetime) -> int:
    """Insert or update daily rows by (employee, date), never touching a manual override; returns how many
    results met a manual override on PostgreSQL (which reads the stored rows anyway), 0 elsewhere (where the
    caller filters them out first if it wants them counted)."""
    if not results:
        return 0
    dialect = session.bind.dialect.name if session.bind else "postgresql"
    if dialect == "postgresql":
        first, last = min(r.date for r in results), max(r.date for r in results)
        employees = {r.employee_id for r in results if r.employee_id is not None}
        _, overrides = await stream_results(
            session, results, first=first, last=last, employee_ids=employees, processed_at=processed_at
        )
        return overrides
    rows = [
        {
            "employee_id": r.employee_id, "date": r.date, "status": r.status, "first_in": r.first_in,
            "last_out": r.last_out, "worked_minutes": r.worked_minutes, "late_minutes": r.late_minutes,
            "early_exit_minutes": r.early_exit_minutes, "worked_on_day_off": r.worked_on_day_off,
            "shift_id": r.shift_id, "leave_request_id": r.leave_request_id, "punch_count": r.punch_count,
            "is_final": r.is_final, "unscheduled_punches": r.unscheduled_punches,
            "overtime_minutes": r.overtime_minutes,
            "processed_at": processed_at,
            "manual_override": False,
        }
        for r in results
    ]  # fmt: skip
    insert = sqlite.insert(DailyAttendance)
    statement = insert.on_conflict_do_update(
        index_elements=["employee_id", "date"],
        set_={c: insert.excluded[c] for c in _COLUMNS},
        where=DailyAttendance.manual_override.is_(False),
    )
    for start in range(0, len(rows), UPSERT_CHUNK):
        await session.execute(statement, rows[start : start + UPSERT_CHUNK])
    return 0


async def drop_outside_employment(
    session: AsyncSession, first: date, last: date, employee_ids: Sequence[int] | None
) -> None:
    """Delete computed rows of days before a hire date or after a leaving date (set after they were written)."""
    # Only people hired after ``first`` or leaving before ``last`` can have such rows: looking them up first
    # lets the delete probe their rows by index instead of scanning the whole range (the nightly run, issue 13).
    candidates = select(Employee.id).where(
        or_(
            and_(Employee.leaving_date.is_not(None), Employee.leaving_date < last),
            and_(Employee.hire_date.is_not(None), Employee.hire_date > first),
        )
    )
    if employee_ids is not None:
        candidates = candidates.where(Employee.id.in_(list(employee_ids)))
    ids = list(await session.scalars(candidates))
    if not ids:
        return
    outside = (
        select(Employee.id)
        .where(
            Employee.id == DailyAttendance.employee_id,
            or_(
                and_(Employee.leaving_date.is_not(None), Employee.leaving_date < DailyAttendance.date),
                and_(Employee.hire_date.is_not(None), Employee.hire_date > DailyAttendance.date),
            ),
        )
        .exists()
    )
    statement = delete(DailyAttendance).where(
        DailyAttendance.date.between(first, last), DailyAttendance.manual_override.is_(False), outside,
        DailyAttendance.employee_id.in_(ids),
    )  # fmt: skip
    await session.execute(statement)
