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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.compliance import Limits, Violation, evaluate, reference_period
from shared.domain.punches import PunchFact
from shared.domain.working_time import shifts_of, work_intervals
from shared.model import ComplianceViolation
from shared.services.compliance import reads
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


def longest_run(days: Collection[dt.date]) -> int:
    """The most days in a row among ``days``."""
    longest = run = 0
    previous: dt.date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == dt.timedelta(days=1) else 1
        longest, previous = max(longest, run), day
    return longest


async def _worked_days(
    session: AsyncSession,
    ids: list[int],
    limits: Mapping[int, Limits],
    date_from: dt.date,
    date_to: dt.date,
    *,
    everyone: bool,
) -> dict[int, set[dt.date]]:
    """Worked days from the daily rows: the last days before the window for everyone, and the whole
    RUN_LOOKBACK_DAYS only for whoever may be in a run longer than their limit (its first day is the key)."""
    shortest = min(lim.max_consecutive_days for lim in limits.values())
    recent = await reads.worked_days(
        session, ids, date_from - dt.timedelta(days=shortest + 1), date_to, everyone=everyone
    )
    # the window's last day may not be processed yet: count it as worked, to be safe
    long_runs = [e for e, days in recent.items() if longest_run({*days, date_to}) > limits[e].max_consecutive_days]
    if long_runs:
        earlier = await reads.worked_days(
            session, long_runs, date_from - dt.timedelta(days=RUN_LOOKBACK_DAYS), date_to, everyone=False
        )
        recent.update(earlier)
    return recent


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
    people = await reads.people(session, employee_ids, date_from, date_to)
    stats.employees = len(people)
    if not people:
        return stats
    limits = {p.id: book.for_person(p.department_id, p.shift_id) for p in people}
    shift_from = date_from - dt.timedelta(days=SHIFT_LOOKBACK_DAYS)
    lower = local_midnight(shift_from - dt.timedelta(days=1), company_timezone)
    upper = local_midnight(date_to + dt.timedelta(days=3), company_timezone)
    ids = [p.id for p in people]
    everyone = employee_ids is None
    punches = await reads.punches(session, ids, lower, upper, everyone=everyone)
    days = await _worked_days(session, ids, limits, date_from, date_to, everyone=everyone)
    periods = {
        weeks: _periods(date_from, date_to, weeks) for weeks in {max(1, lim.reference_weeks) for lim in limits.values()}
    }
    totals = await reads.period_totals(session, ids, set().union(*periods.values()), everyone=everyone)
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
