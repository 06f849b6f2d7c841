"""Turning punches into daily attendance, set-based: a few queries for the whole range, rules in Python,
one bulk upsert. A manual override is never overwritten."""

from __future__ import annotations

import functools
import time as clock
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayContext, DayLeave, DayResult, classify_days
from shared.domain.enums import AttendanceStatus, Direction, HalfDay, LeaveStatus, PunchSource
from shared.domain.punches import PunchFact
from shared.domain.shift_window import ShiftRule, day_range
from shared.errors import N_, Forbidden, Invalid
from shared.model import DailyAttendance, Employee, Holiday, LeaveRequest, Punch, Shift, utcnow
from shared.persistence.bulk import as_utc, fetch_rows
from shared.services.actor import Actor, ensure_not_self
from shared.services.audit import audit, snapshot
from shared.services.lookups import get_employee

UPSERT_CHUNK = 5000
MAX_RANGE_DAYS = 400


@functools.cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def shift_rule(row: Shift) -> ShiftRule:
    return ShiftRule(
        start_time=row.start_time,
        end_time=row.end_time,
        late_grace_minutes=row.late_grace_minutes,
        early_grace_minutes=row.early_grace_minutes,
        half_day_hours=Decimal(row.half_day_hours),
        absent_hours=Decimal(row.absent_hours),
        checkin_before_minutes=row.checkin_before_minutes,
        checkout_after_minutes=row.checkout_after_minutes,
        hours_mode=row.hours_mode,
        id=row.id,
    )


async def shift_rules(session: AsyncSession) -> dict[int, ShiftRule]:
    """Every shift as a rule, by id (a handful of rows)."""
    return {row.id: shift_rule(row) for row in await session.scalars(select(Shift))}


def leave_on(day: date, start: date, end: date, start_half: HalfDay | None, end_half: HalfDay | None) -> DayLeave:
    """Which part of ``day`` an approved request covers."""
    if start == end and start_half is not None:
        return DayLeave(start_half.value)
    if day == start and start_half is HalfDay.AFTERNOON:
        return DayLeave.AFTERNOON
    if day == end and end_half is HalfDay.MORNING:
        return DayLeave.MORNING
    return DayLeave.FULL


@dataclass
class ProcessStats:
    date_from: date
    date_to: date
    employees: int = 0
    days: int = 0
    punches: int = 0
    rows_written: int = 0
    overrides_kept: int = 0
    seconds: float = 0.0

    def as_counts(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, date) else v) for k, v in vars(self).items()}


async def _employees(session: AsyncSession, employee_ids: Sequence[int] | None) -> list[Any]:
    query = select(
        Employee.id,
        Employee.shift_id,
        Employee.timezone,
        Employee.work_week,
        Employee.holiday_calendar_id,
        Employee.hire_date,
    ).where(Employee.active.is_(True))
    if employee_ids is not None:
        query = query.where(Employee.id.in_(list(employee_ids)))
    return list((await session.execute(query.order_by(Employee.id))).all())


async def _holidays(session: AsyncSession, start: date, end: date) -> dict[int, set[date]]:
    found: dict[int, set[date]] = defaultdict(set)
    for calendar_id, day in (
        await session.execute(select(Holiday.calendar_id, Holiday.date).where(Holiday.date.between(start, end)))
    ).all():
        found[calendar_id].add(day)
    return found


async def _leave(session: AsyncSession, start: date, end: date, ids: Sequence[int] | None) -> dict[int, list[Any]]:
    query = select(
        LeaveRequest.id,
        LeaveRequest.employee_id,
        LeaveRequest.start_date,
        LeaveRequest.end_date,
        LeaveRequest.start_half,
        LeaveRequest.end_half,
    ).where(LeaveRequest.status == LeaveStatus.APPROVED, LeaveRequest.start_date <= end, LeaveRequest.end_date >= start)
    if ids is not None:
        query = query.where(LeaveRequest.employee_id.in_(list(ids)))
    found: dict[int, list[Any]] = defaultdict(list)
    for row in (await session.execute(query)).all():
        found[row.employee_id].append(row)
    return found


_DIRECTIONS = {d.value: d for d in Direction}
_SOURCES = {s.value: s for s in PunchSource}
_PUNCH_SQL = (
    "SELECT employee_id, instant, direction, source FROM punches"
    " WHERE employee_id IS NOT NULL AND instant >= :lower AND instant < :upper"
)


async def _punches(
    session: AsyncSession, lower: datetime, upper: datetime, ids: Sequence[int] | None
) -> dict[int, list[PunchFact]]:
    found: dict[int, list[PunchFact]] = defaultdict(list)
    wanted = set(ids) if ids is not None else None
    rows = await fetch_rows(session, _PUNCH_SQL, {"lower": lower, "upper": upper})
    convert = as_utc if session.bind is not None and session.bind.dialect.name == "sqlite" else None
    directions, sources = _DIRECTIONS, _SOURCES
    for employee_id, instant, direction, source in rows:
        if wanted is not None and employee_id not in wanted:
            continue
        found[employee_id].append(
            PunchFact(convert(instant) if convert else instant, directions[direction], sources[source])
        )
    return found


async def _overrides(session: AsyncSession, start: date, end: date) -> set[tuple[int, date]]:
    rows = await session.execute(
        select(DailyAttendance.employee_id, DailyAttendance.date).where(
            DailyAttendance.manual_override.is_(True), DailyAttendance.date.between(start, end)
        )
    )
    return {(e, d) for e, d in rows.all()}


def _contexts(row: Any, days: list[date], holidays: dict[int, set[date]], leaves: list[Any]) -> list[DayContext]:
    off = holidays.get(row.holiday_calendar_id, set())
    by_day: dict[date, tuple[DayLeave, int]] = {}
    for leave in leaves:
        current = max(leave.start_date, days[0])
        while current <= min(leave.end_date, days[-1]):
            by_day[current] = (
                leave_on(current, leave.start_date, leave.end_date, leave.start_half, leave.end_half),
                leave.id,
            )
            current += timedelta(days=1)
    week = row.work_week or "12345"
    contexts = []
    for day in days:
        if row.hire_date and day < row.hire_date:
            continue
        leave, leave_id = by_day.get(day, (None, None))
        contexts.append(DayContext(day, week, day in off, leave, leave_id, row.id))
    return contexts


async def process_days(
    session: AsyncSession,
    *,
    date_from: date,
    date_to: date,
    now: datetime,
    company_timezone: str,
    employee_ids: Sequence[int] | None = None,
    actor: Actor | None = None,
) -> ProcessStats:
    """Classify every active employee's days in [date_from, date_to] and upsert the results.

    Running it again gives the same rows (plus a new ``processed_at``); new punches change the answer;
    rows marked as a manual override are left as they are. With an ``actor`` (a person asked for it, not
    the nightly job, whose JobRun row records it) the run writes an audit row with its counts.
    """
    if date_to < date_from:
        raise Invalid(N_("The end date is before the start date."))
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise Invalid(N_("Process at most {n} days at once."), n=MAX_RANGE_DAYS)
    started = clock.perf_counter()
    stats = ProcessStats(date_from, date_to)
    employees = await _employees(session, employee_ids)
    shifts = await shift_rules(session)
    plans = {(e.shift_id if e.shift_id in shifts else None, e.timezone or company_timezone) for e in employees}
    if not employees:
        return _audited(session, actor, stats)
    lower = min(day_range(date_from, shifts.get(s) if s else None, zone(tz))[0] for s, tz in plans)
    upper = max(day_range(date_to, shifts.get(s) if s else None, zone(tz))[1] for s, tz in plans)
    holidays = await _holidays(session, date_from, date_to)
    leaves = await _leave(session, date_from, date_to, employee_ids)
    punches = await _punches(session, lower, upper, employee_ids)
    overrides = await _overrides(session, date_from, date_to)
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    results: list[DayResult] = []
    for row in employees:
        contexts = _contexts(row, days, holidays, leaves.get(row.id, []))
        if not contexts:
            continue
        own = punches.get(row.id, [])
        stats.punches += len(own)
        results.extend(
            classify_days(own, contexts, shifts.get(row.shift_id), zone(row.timezone or company_timezone), now=now)
        )
    stats.employees = len(employees)
    stats.days = len(days)
    writable = [r for r in results if (r.employee_id, r.date) not in overrides]
    stats.overrides_kept = len(results) - len(writable)
    stats.rows_written = await upsert_results(session, writable, processed_at=now)
    stats.seconds = round(clock.perf_counter() - started, 3)
    return _audited(session, actor, stats)


def _audited(session: AsyncSession, actor: Actor | None, stats: ProcessStats) -> ProcessStats:
    if actor is not None:
        audit(session, actor, "process", "daily_attendance", None, new=stats.as_counts())
    return stats


_COLUMNS = (
    "status", "first_in", "last_out", "worked_minutes", "late_minutes", "early_exit_minutes", "worked_on_day_off",
    "shift_id", "leave_request_id", "punch_count", "is_final", "processed_at",
)  # fmt: skip


_PG_TYPES = (
    ("employee_id", "integer"), ("date", "date"), ("status", "varchar"), ("first_in", "timestamptz"),
    ("last_out", "timestamptz"), ("worked_minutes", "integer"), ("late_minutes", "integer"),
    ("early_exit_minutes", "integer"), ("worked_on_day_off", "boolean"), ("shift_id", "integer"),
    ("leave_request_id", "integer"), ("punch_count", "integer"), ("is_final", "boolean"),
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
            "is_final": r.is_final, "processed_at": processed_at, "manual_override": False,
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


async def override_day(
    session: AsyncSession,
    *,
    actor: Actor,
    employee_id: int,
    day: date,
    status: AttendanceStatus,
    reason: str,
    worked_minutes: int | None = None,
    now: datetime,
) -> DailyAttendance:
    """HR sets a day by hand; nightly processing will keep it."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can override attendance."))
    ensure_not_self(actor, employee_id, N_("You cannot set your own attendance; ask another HR person."))
    if not reason or not reason.strip():
        raise Invalid(N_("An override needs a reason."))
    if worked_minutes is not None and not 0 <= worked_minutes <= 24 * 60:
        raise Invalid(N_("Worked minutes must be between 0 and 1440."))
    await get_employee(session, employee_id)
    row = await session.scalar(
        select(DailyAttendance)
        .where(DailyAttendance.employee_id == employee_id, DailyAttendance.date == day)
        .with_for_update()
    )
    before = snapshot(row) if row else None
    if row is None:
        row = DailyAttendance(employee_id=employee_id, date=day, status=status)
        session.add(row)
    row.status = status
    if worked_minutes is not None:
        row.worked_minutes = worked_minutes
    if status not in (AttendanceStatus.PRESENT, AttendanceStatus.INCOMPLETE):
        row.late_minutes = row.early_exit_minutes = 0
    row.manual_override = True
    row.override_reason = reason.strip()[:2000]
    row.override_by = actor.label
    row.is_final = True
    row.processed_at = now
    await session.flush()
    audit(session, actor, "override", "daily_attendance", row.id, old=before, new=snapshot(row))
    return row


async def stale_days(
    session: AsyncSession, *, today: date, lookback_days: int = 14, company_timezone: str
) -> list[date]:
    """Earlier days (up to ``lookback_days`` back) that received punches after they were last processed."""
    first = today - timedelta(days=lookback_days)
    processed = dict(
        (await session.execute(
            select(DailyAttendance.date, func.min(DailyAttendance.processed_at))
            .where(DailyAttendance.date.between(first, today - timedelta(days=1)))
            .group_by(DailyAttendance.date)
        )).all()
    )  # fmt: skip
    tz = zone(company_timezone)
    lower = datetime.combine(first - timedelta(days=1), datetime.min.time(), tz)
    since = min(processed.values(), default=None)
    query = select(Punch.instant, Punch.created_at).where(Punch.instant >= lower, Punch.employee_id.is_not(None))
    if since is not None and len(processed) == lookback_days:
        query = query.where(Punch.created_at > since)
    stale: set[date] = set()
    for instant, created_at in (await session.execute(query)).all():
        local = instant.astimezone(tz).date()
        for day in (local, local - timedelta(days=1)):  # a night shift's morning punch belongs to the day before
            if first <= day < today and (day not in processed or created_at > processed[day]):
                stale.add(day)
    return sorted(stale)


def today_in(company_timezone: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(zone(company_timezone)).date()


def local_bounds(day: date, company_timezone: str) -> tuple[datetime, datetime]:
    tz = zone(company_timezone)
    start = datetime.combine(day, datetime.min.time(), tz)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
