"""Turning punches into daily attendance, set-based: a few queries for the whole range, rules in Python, a bulk
write (PostgreSQL: COPY of the new rows while they are classified, an upsert of the changed ones; SQLite: one
upsert). A manual override is never overwritten."""

from __future__ import annotations

import functools
import time as clock
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.attendance import DayContext, DayLeave, DayResult, classify_days, new_context
from shared.domain.employment import employed_on
from shared.domain.enums import Direction, HalfDay, LeaveStatus, PunchSource
from shared.domain.punches import PunchFact, fact_of, new_fact
from shared.domain.shift_window import DayPlan, ShiftRule, day_plans, day_range
from shared.errors import N_, Invalid
from shared.model import DailyAttendance, Employee, Holiday, LeaveRequest, Punch, Shift, utcnow
from shared.persistence.bulk import as_utc, fetch_rows
from shared.services.actor import Actor
from shared.services.attendance.daily_rows import drop_outside_employment, stream_results, upsert_results
from shared.services.audit import audit

MAX_RANGE_DAYS = 400
FEW_EMPLOYEES = 500  # up to this many, reads are filtered by employee in SQL (an index), not in Python


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
    # Some employee's hire or leaving date cuts the range (rows outside the employment may need deleting).
    cut_by_employment: bool = True

    def as_counts(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, date) else v) for k, v in vars(self).items()}


def employed_during(first: date, last: date) -> Any:
    """Employees to process or report for [first, last]: active ones, and those who left during or after
    it (a leaver's last days are still theirs), hired on or before ``last``."""
    return and_(
        or_(Employee.active.is_(True), and_(Employee.leaving_date.is_not(None), Employee.leaving_date >= first)),
        or_(Employee.hire_date.is_(None), Employee.hire_date <= last),
    )


async def _employees(session: AsyncSession, employee_ids: Sequence[int] | None, first: date, last: date) -> list[Any]:
    query = select(
        Employee.id,
        Employee.shift_id,
        Employee.timezone,
        Employee.work_week,
        Employee.holiday_calendar_id,
        Employee.hire_date,
        Employee.leaving_date,
    ).where(employed_during(first, last))
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
        LeaveRequest.start_at,
        LeaveRequest.end_at,
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
    rows: Sequence[Sequence[Any]]
    if wanted is not None and len(wanted) <= FEW_EMPLOYEES:  # a few people (a decision, an edit): their rows only
        found_rows = (
            await session.execute(
                select(Punch.employee_id, Punch.instant, Punch.direction, Punch.source).where(
                    Punch.employee_id.in_(sorted(wanted)), Punch.instant >= lower, Punch.instant < upper
                )
            )
        ).all()
        rows = [(e, i, d.value, s.value) for e, i, d, s in found_rows]
    else:
        rows = await fetch_rows(session, _PUNCH_SQL, {"lower": lower, "upper": upper})
    convert = as_utc if session.bind is not None and session.bind.dialect.name == "sqlite" else None
    directions, sources, fact = _DIRECTIONS, _SOURCES, new_fact
    if wanted is None and convert is None:  # the nightly run on PostgreSQL: ~1M rows, the loop kept minimal
        make = fact_of
        for employee_id, instant, direction, source in rows:
            found[employee_id].append(make((instant, directions[direction], sources[source])))
        return found
    for employee_id, instant, direction, source in rows:
        if wanted is not None and employee_id not in wanted:
            continue
        found[employee_id].append(
            fact(convert(instant) if convert else instant, directions[direction], sources[source])
        )
    return found


async def _overrides(session: AsyncSession, start: date, end: date, ids: Sequence[int] | None) -> set[tuple[int, date]]:
    query = select(DailyAttendance.employee_id, DailyAttendance.date).where(
        DailyAttendance.manual_override.is_(True), DailyAttendance.date.between(start, end)
    )
    if ids is not None and len(ids) <= FEW_EMPLOYEES:
        query = query.where(DailyAttendance.employee_id.in_(sorted(set(ids))))
    return {(e, d) for e, d in (await session.execute(query)).all()}


def _contexts(row: Any, days: list[date], holidays: dict[int, set[date]], leaves: list[Any]) -> list[DayContext]:
    off = holidays.get(row.holiday_calendar_id, set())
    by_day: dict[date, tuple[DayLeave, int]] = {}
    excused: dict[date, list[tuple[datetime, datetime]]] = defaultdict(list)
    for leave in leaves:
        if leave.start_at is not None and leave.end_at is not None:  # hourly leave: excused, not away
            excused[leave.start_date].append((as_utc(leave.start_at), as_utc(leave.end_at)))
            continue
        current = max(leave.start_date, days[0])
        while current <= min(leave.end_date, days[-1]):
            by_day[current] = (
                leave_on(current, leave.start_date, leave.end_date, leave.start_half, leave.end_half),
                leave.id,
            )
            current += timedelta(days=1)
    week, employee_id = row.work_week or "12345", row.id
    hired, leaving = row.hire_date, row.leaving_date
    if (hired is not None and hired > days[0]) or (leaving is not None and leaving < days[-1]):
        days = [day for day in days if employed_on(day, hired, leaving)]
    build = new_context  # leave_on gives a DayLeave already: nothing for DayContext.__post_init__ to normalise
    if not by_day and not excused:  # most people, most nights
        return [build(day, week, day in off, None, None, employee_id, ()) for day in days]
    contexts = []
    for day in days:
        leave, leave_id = by_day.get(day, (None, None))
        contexts.append(build(day, week, day in off, leave, leave_id, employee_id, tuple(excused.get(day, ()))))
    return contexts


async def classify_range(
    session: AsyncSession,
    *,
    date_from: date,
    date_to: date,
    now: datetime,
    company_timezone: str,
    employee_ids: Sequence[int] | None = None,
    stats: ProcessStats | None = None,
) -> list[DayResult]:
    """Classify every employee's days in [date_from, date_to] within their employment; writes nothing."""
    return list(
        await classify_lazily(
            session, date_from=date_from, date_to=date_to, now=now, company_timezone=company_timezone,
            employee_ids=employee_ids, stats=stats,
        )
    )  # fmt: skip


async def classify_lazily(
    session: AsyncSession,
    *,
    date_from: date,
    date_to: date,
    now: datetime,
    company_timezone: str,
    employee_ids: Sequence[int] | None = None,
    stats: ProcessStats | None = None,
) -> Iterator[DayResult]:
    """:func:`classify_range` with its reads done now and the classification done as the returned iterator is
    consumed, employee by employee: the nightly write streams it into COPY, so PostgreSQL stores the rows
    already sent while the next ones are classified (``stats.punches`` is complete once it is exhausted)."""
    if date_to < date_from:
        raise Invalid(N_("The end date is before the start date."))
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise Invalid(N_("Process at most {n} days at once."), n=MAX_RANGE_DAYS)
    stats = stats if stats is not None else ProcessStats(date_from, date_to)
    employees = await _employees(session, employee_ids, date_from, date_to)
    stats.cut_by_employment = (employee_ids is None or len(employees) < len(set(employee_ids))) or any(
        (e.hire_date is not None and e.hire_date > date_from)
        or (e.leaving_date is not None and e.leaving_date < date_to)
        for e in employees
    )
    if not employees:
        return iter(())
    shifts = await shift_rules(session)
    plans = {(e.shift_id if e.shift_id in shifts else None, e.timezone or company_timezone) for e in employees}
    lower = min(day_range(date_from, shifts.get(s) if s else None, zone(tz))[0] for s, tz in plans)
    upper = max(day_range(date_to, shifts.get(s) if s else None, zone(tz))[1] for s, tz in plans)
    holidays = await _holidays(session, date_from, date_to)
    leaves = await _leave(session, date_from, date_to, employee_ids)
    punches = await _punches(session, lower, upper, employee_ids)
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    settings = get_settings()
    overtime = settings.overtime_threshold_minutes if settings.overtime_enabled else None
    stats.employees, stats.days = len(employees), len(days)
    counted = stats

    planned: dict[tuple[int | None, str], dict[date, DayPlan]] = {}  # per shift and zone, once per run

    def each() -> Iterator[DayResult]:
        for row in employees:
            contexts = _contexts(row, days, holidays, leaves.get(row.id, []))
            if not contexts:
                continue
            own = punches.get(row.id, [])
            counted.punches += len(own)
            shift, tz = shifts.get(row.shift_id), row.timezone or company_timezone
            plan = planned.get((row.shift_id, tz))
            if plan is None:
                plan = planned[row.shift_id, tz] = day_plans(days, shift, zone(tz))
            yield from classify_days(
                own, contexts, shift, zone(tz), now=now, overtime_threshold=overtime, plans=plan
            )  # fmt: skip

    return each()


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
    """Classify every employee's days in [date_from, date_to] within their employment and upsert the results.

    Running it again gives the same rows (on PostgreSQL an unchanged row is not written again and keeps its
    ``processed_at``; SQLite rewrites it with a new one); new punches change the answer;
    rows marked as a manual override are left as they are. With an ``actor`` (a person asked for it, not
    the nightly job, whose JobRun row records it) the run writes an audit row with its counts.
    """
    started = clock.perf_counter()
    stats = ProcessStats(date_from, date_to)
    lazily = await classify_lazily(
        session, date_from=date_from, date_to=date_to, now=now, company_timezone=company_timezone,
        employee_ids=employee_ids, stats=stats,
    )  # fmt: skip
    if stats.cut_by_employment:
        await drop_outside_employment(session, date_from, date_to, employee_ids)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # classified while COPY stores them; the write reads the stored rows and skips (and counts) the overrides
        seen, stats.overrides_kept = await stream_results(
            session, lazily, first=date_from, last=date_to, employee_ids=employee_ids, processed_at=now
        )
        stats.rows_written = seen - stats.overrides_kept
    else:
        results = list(lazily)
        overrides = await _overrides(session, date_from, date_to, employee_ids)
        writable = [r for r in results if (r.employee_id, r.date) not in overrides]
        stats.overrides_kept = len(results) - len(writable)
        await upsert_results(session, writable, processed_at=now)
        stats.rows_written = len(writable)
    stats.seconds = round(clock.perf_counter() - started, 3)
    return _audited(session, actor, stats)


def _audited(session: AsyncSession, actor: Actor | None, stats: ProcessStats) -> ProcessStats:
    if actor is not None:
        audit(session, actor, "process", "daily_attendance", None, new=stats.as_counts())
    return stats


async def stale_days(
    session: AsyncSession, *, today: date, lookback_days: int = 14, company_timezone: str
) -> list[date]:
    """Earlier days (up to ``lookback_days`` back) that received punches after they were last processed, or
    whose rows were written while the day was not over yet (a night shift processed at 03:00)."""
    first = today - timedelta(days=lookback_days)
    provisional = set(
        await session.scalars(
            select(DailyAttendance.date)
            .where(
                DailyAttendance.date.between(first, today - timedelta(days=1)),
                DailyAttendance.is_final.is_(False),
                DailyAttendance.manual_override.is_(False),
            )
            .distinct()
        )
    )
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
    return sorted(stale | provisional)


def today_in(company_timezone: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(zone(company_timezone)).date()


def local_bounds(day: date, company_timezone: str) -> tuple[datetime, datetime]:
    tz = zone(company_timezone)
    start = datetime.combine(day, datetime.min.time(), tz)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
