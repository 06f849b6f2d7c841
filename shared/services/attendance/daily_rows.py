"""Writing daily rows in bulk: insert or update by (employee, date), never touching a manual override."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayResult
from shared.model import DailyAttendance

UPSERT_CHUNK = 5000

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


async def _upsert_postgresql(session: AsyncSession, results: Sequence[DayResult], processed_at: datetime) -> None:
    """One statement per chunk: column arrays unnested server-side (no per-row round trip or parameter)."""
    for start in range(0, len(results), 50_000):
        chunk = results[start : start + 50_000]
        params: dict[str, Any] = {c: [getattr(r, c) for r in chunk] for c, _ in _PG_TYPES}
        params["status"] = [r.status.value for r in chunk]
        params["processed_at"] = processed_at
        await session.execute(_PG_UPSERT, params)


async def upsert_results(session: AsyncSession, results: Sequence[DayResult], *, processed_at: datetime) -> int:
    """Insert or update daily rows by (employee, date), never touching a manual override."""
    if not results:
        return 0
    dialect = session.bind.dialect.name if session.bind else "postgresql"
    if dialect == "postgresql":
        await _upsert_postgresql(session, results, processed_at)
        return len(results)
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
    return len(rows)
