"""Evaluating the working-time rules for a window of days and keeping ``compliance_violations`` in step.

Called by nightly processing (after the days are processed) and by ``refresh_days`` (a day re-processed),
in the same transaction. Idempotent:

- Violations are keyed by (employee, rule, period start) and upserted: evaluating twice writes nothing new.
- A stored violation whose period touches the window and that the punches no longer prove is removed, unless
  HR acknowledged it: then it is kept, marked ``resolved_at``, with its acknowledgement. One that comes back
  is un-resolved and keeps its acknowledgement.
- Shift-based rules read the punches from ``SHIFT_LOOKBACK_DAYS`` (2) before the window: enough for the
  shift before the first day. Days in a row also count the days with worked minutes in the daily rows
  from ``RUN_LOOKBACK_DAYS`` (31) before the window (a longer run is keyed from there). The weekly average
  sums the daily rows' worked minutes of each reference period touching the window (one SUM per period).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.compliance import Limits, Violation, evaluate, reference_period
from shared.domain.punches import PunchFact
from shared.domain.working_time import shifts_of, work_intervals
from shared.model import ComplianceViolation, DailyAttendance, Employee, Punch
from shared.services.compliance.limits import limit_book

SHIFT_LOOKBACK_DAYS = 2
RUN_LOOKBACK_DAYS = 31
ADVISORY_LOCK = 0x63686E5F636F6D  # one key for every evaluation: concurrent ones queue (PostgreSQL)


@functools.cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_midnight(day: dt.date, tz_name: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone(tz_name))


async def serialise(session: AsyncSession) -> None:
    """Make concurrent evaluations queue until this transaction ends (SQLite already writes one at a time)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})


@dataclass
class EvaluationStats:
    employees: int = 0
    found: int = 0
    created: int = 0
    updated: int = 0
    resolved: int = 0
    removed: int = 0

    def as_counts(self) -> dict[str, Any]:
        return dict(vars(self))


async def _people(session: AsyncSession, ids: Sequence[int] | None, first: dt.date, last: dt.date) -> list[Any]:
    employed = and_(
        or_(Employee.active.is_(True), and_(Employee.leaving_date.is_not(None), Employee.leaving_date >= first)),
        or_(Employee.hire_date.is_(None), Employee.hire_date <= last),
    )
    query = select(Employee.id, Employee.department_id, Employee.shift_id, Employee.timezone).where(
        employed, Employee.anonymised_at.is_(None)
    )
    if ids is not None:
        query = query.where(Employee.id.in_(sorted(set(ids))))
    return list((await session.execute(query.order_by(Employee.id))).all())


async def _punches(
    session: AsyncSession, ids: list[int], lower: dt.datetime, upper: dt.datetime
) -> dict[int, list[PunchFact]]:
    found: dict[int, list[PunchFact]] = defaultdict(list)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        rows = await session.execute(
            select(Punch.employee_id, Punch.instant, Punch.direction, Punch.source).where(
                Punch.employee_id.in_(chunk), Punch.instant >= lower, Punch.instant < upper
            )
        )
        for employee_id, instant, direction, source in rows.all():
            if employee_id is not None:
                found[employee_id].append(PunchFact(instant, direction, source))
    return found


async def _totals(
    session: AsyncSession, ids: list[int], periods: set[tuple[dt.date, dt.date]]
) -> dict[int, dict[tuple[dt.date, dt.date], int]]:
    """Each employee's worked minutes (daily rows) in each reference period: one SUM per period and chunk."""
    found: dict[int, dict[tuple[dt.date, dt.date], int]] = defaultdict(dict)
    for first, last in sorted(periods):
        for start in range(0, len(ids), 1000):
            rows = await session.execute(
                select(DailyAttendance.employee_id, func.sum(DailyAttendance.worked_minutes))
                .where(
                    DailyAttendance.employee_id.in_(ids[start : start + 1000]),
                    DailyAttendance.date.between(first, last),
                )
                .group_by(DailyAttendance.employee_id)
            )
            for employee_id, total in rows.all():
                found[employee_id][(first, last)] = int(total or 0)
    return found


async def _worked_days(session: AsyncSession, ids: list[int], first: dt.date, last: dt.date) -> dict[int, set[dt.date]]:
    """The days each employee has worked minutes on in the daily rows of [first, last]."""
    found: dict[int, set[dt.date]] = defaultdict(set)
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(DailyAttendance.employee_id, DailyAttendance.date).where(
                DailyAttendance.employee_id.in_(ids[start : start + 1000]),
                DailyAttendance.date.between(first, last),
                DailyAttendance.worked_minutes > 0,
            )
        )
        for employee_id, day in rows.all():
            found[employee_id].add(day)
    return found


def _periods(first: dt.date, last: dt.date, weeks: int) -> set[tuple[dt.date, dt.date]]:
    """The reference periods of ``weeks`` weeks that touch [first, last]."""
    found = set()
    day = first
    while day <= last:
        period = reference_period(day, weeks)
        found.add(period)
        day = period[1] + dt.timedelta(days=1)
    return found


def _touches(v: Violation | ComplianceViolation, first: dt.date, last: dt.date) -> bool:
    return v.period_start <= last and v.period_end >= first


def violations_for(
    punches: Sequence[PunchFact],
    totals: Mapping[tuple[dt.date, dt.date], int],
    limits: Limits,
    *,
    tz_name: str,
    date_from: dt.date,
    date_to: dt.date,
    worked_days: Collection[dt.date] = (),
) -> list[Violation]:
    """One person's violations touching [date_from, date_to] (no I/O)."""
    tz = zone(tz_name)
    shifts = shifts_of(work_intervals(punches), tz=tz)
    found = evaluate(shifts, limits, tz=tz, totals=totals, worked_days=worked_days)
    return [v for v in found if _touches(v, date_from, date_to)]


async def evaluate_window(
    session: AsyncSession,
    *,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    company_timezone: str,
    employee_ids: Sequence[int] | None = None,
) -> EvaluationStats:
    """Re-evaluate these employees' (everyone's when ``None``) violations touching [date_from, date_to] and the
    day after (its rest is measured from the last of these days)."""
    stats = EvaluationStats()
    if employee_ids is not None and not employee_ids:
        return stats
    date_to += dt.timedelta(days=1)
    book = await limit_book(session)
    people = await _people(session, employee_ids, date_from, date_to)
    stats.employees = len(people)
    if not people:
        return stats
    limits = {p.id: book.for_person(p.department_id, p.shift_id) for p in people}
    shift_from = date_from - dt.timedelta(days=SHIFT_LOOKBACK_DAYS)
    lower = local_midnight(shift_from - dt.timedelta(days=1), company_timezone)
    upper = local_midnight(date_to + dt.timedelta(days=3), company_timezone)
    ids = [p.id for p in people]
    punches = await _punches(session, ids, lower, upper)
    days = await _worked_days(session, ids, date_from - dt.timedelta(days=RUN_LOOKBACK_DAYS), date_to)
    periods = {
        weeks: _periods(date_from, date_to, weeks) for weeks in {max(1, lim.reference_weeks) for lim in limits.values()}
    }
    totals = await _totals(session, ids, set().union(*periods.values()))
    fresh: dict[tuple[int, str, dt.date], Violation] = {}
    for person in people:
        for v in violations_for(
            punches.get(person.id, []),
            {p: totals.get(person.id, {}).get(p, 0) for p in periods[max(1, limits[person.id].reference_weeks)]},
            limits[person.id],
            tz_name=person.timezone or company_timezone,
            date_from=date_from,
            date_to=date_to,
            worked_days=days.get(person.id, ()),
        ):
            fresh[(person.id, v.rule.value, v.period_start)] = v
    stats.found = len(fresh)
    await serialise(session)
    await _store(session, ids, fresh, date_from, date_to, now, stats)
    return stats


async def _store(
    session: AsyncSession,
    ids: list[int],
    fresh: dict[tuple[int, str, dt.date], Violation],
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    stats: EvaluationStats,
) -> None:
    stored: dict[tuple[int, str, dt.date], ComplianceViolation] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.scalars(
            select(ComplianceViolation).where(
                ComplianceViolation.employee_id.in_(ids[start : start + 1000]),
                ComplianceViolation.period_start <= date_to,
                ComplianceViolation.period_end >= date_from,
            )
        )
        stored.update({(r.employee_id, r.rule, r.period_start): r for r in rows})
    gone: list[int] = []
    for key, existing in stored.items():
        if key in fresh:
            continue
        if existing.acknowledged_at is None:
            gone.append(existing.id)
        elif existing.resolved_at is None:
            existing.resolved_at, existing.updated_at = now, now
            stats.resolved += 1
    if gone:
        await session.execute(delete(ComplianceViolation).where(ComplianceViolation.id.in_(gone)))
        stats.removed = len(gone)
    for (employee_id, rule, period_start), v in fresh.items():
        row = stored.get((employee_id, rule, period_start))
        values = {
            "period_end": v.period_end,
            "limit_value": v.limit,
            "actual": v.actual,
            "excess": v.excess,
            "unit": v.unit.value,
        }
        if row is None:
            session.add(
                ComplianceViolation(
                    employee_id=employee_id,
                    rule=rule,
                    period_start=period_start,
                    detected_at=now,
                    updated_at=now,
                    resolved_at=None,
                    **values,
                )
            )
            stats.created += 1
            continue
        changed = any(getattr(row, k) != val for k, val in values.items()) or row.resolved_at is not None
        if changed:
            for k, val in values.items():
                setattr(row, k, val)
            row.resolved_at, row.updated_at = None, now
            stats.updated += 1
    await session.flush()
