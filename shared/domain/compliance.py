"""Working-time rules: pure functions from worked shifts to violations (who broke which rule, when, by how much).

Defaults follow the EU working-time directive (2003/88/EC); every limit can be changed company-wide and
overridden per department or shift (:func:`resolve_limits`: defaults < company < department < shift).

Rules decided here (a limit met exactly is never a violation):

* ``daily_rest``: between the end of one shift and the start of the next, at least ``min_daily_rest``
  minutes (11 h). One violation per day the short rest ends on (the shortest rest of that day);
  ``actual`` is the rest taken, ``excess`` how much was missing.
* ``daily_hours``: the minutes worked in the shifts of one day at most ``max_daily`` (13 h: what the 11 h
  rest leaves of 24 h). One violation per day.
* ``break``: a shift may not have a stretch of more than ``break_after`` minutes of work (6 h) without a
  gap of at least ``min_break`` minutes (15). One violation per day (its longest stretch).
* ``night_work``: a shift with at least ``night_worker_minutes`` (3 h) in the night period is night work
  and may last at most ``max_night_shift`` minutes (8 h). One violation per day.
* ``consecutive_days``: at most ``max_consecutive_days`` (6: the weekly 24 h rest) worked days in a row.
  One violation per run of days, keyed by the run's first day.
* ``weekly_average``: the minutes worked in a reference period of ``reference_weeks`` weeks (17), divided
  by the weeks, at most ``max_weekly_average`` (48 h). Reference periods are fixed blocks of weeks counted
  from Monday 2024-01-01 (the directive allows fixed periods); a period still running is reported as soon
  as its total already exceeds the limit. One violation per period, keyed by its first day; ``actual`` is
  the average rounded up to the minute (so a total one minute over still shows as over).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.domain.working_time import WorkShift, longest_stretch, night_minutes

REFERENCE_ANCHOR = dt.date(2024, 1, 1)  # a Monday


class RuleCode(StrEnum):
    """Stable codes of the working-time rules (API values, message ids and XLSX columns key on them)."""

    DAILY_REST = "daily_rest"
    DAILY_HOURS = "daily_hours"
    BREAK = "break"
    NIGHT_WORK = "night_work"
    CONSECUTIVE_DAYS = "consecutive_days"
    WEEKLY_AVERAGE = "weekly_average"


class Unit(StrEnum):
    MINUTES = "minutes"
    DAYS = "days"


UNITS = {RuleCode.CONSECUTIVE_DAYS: Unit.DAYS}


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits one person's shifts are checked against (minutes unless named otherwise)."""

    min_daily_rest: int = 11 * 60
    max_daily: int = 13 * 60
    break_after: int = 6 * 60
    min_break: int = 15
    night_start: dt.time = dt.time(22)
    night_end: dt.time = dt.time(5)
    night_worker_minutes: int = 3 * 60
    max_night_shift: int = 8 * 60
    max_consecutive_days: int = 6
    max_weekly_average: int = 48 * 60
    reference_weeks: int = 17
    enabled: frozenset[RuleCode] = frozenset(RuleCode)


LIMIT_FIELDS = tuple(f.name for f in fields(Limits) if f.name != "enabled")


def resolve_limits(base: Limits, *layers: Mapping[str, object] | None) -> Limits:
    """``base`` with each layer's set values applied in turn (company, department, shift); ``None`` values
    and missing keys inherit. A layer's ``disabled`` (a collection of rule codes) turns rules off."""
    result = base
    for layer in layers:
        if not layer:
            continue
        changes = {k: v for k, v in layer.items() if k in LIMIT_FIELDS and v is not None}
        result = replace(result, **changes)  # type: ignore[arg-type]
        disabled = layer.get("disabled")
        if disabled is not None:
            result = replace(result, enabled=frozenset(RuleCode) - {RuleCode(c) for c in disabled})  # type: ignore[attr-defined]
    return result


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One broken rule: ``actual`` against ``limit`` (in ``unit``) over ``period_start``..``period_end``."""

    rule: RuleCode
    period_start: dt.date
    period_end: dt.date
    limit: int
    actual: int

    @property
    def unit(self) -> Unit:
        return UNITS.get(self.rule, Unit.MINUTES)

    @property
    def excess(self) -> int:
        """By how much the rule was broken (for the rest: how much rest was missing)."""
        return self.limit - self.actual if self.rule is RuleCode.DAILY_REST else self.actual - self.limit

    @property
    def key(self) -> tuple[RuleCode, dt.date]:
        return self.rule, self.period_start


def daily_rest(shifts: Sequence[WorkShift], limits: Limits) -> list[Violation]:
    shortest: dict[dt.date, int] = {}
    for before, after in itertools.pairwise(shifts):
        rest = max(0, int((after.start - before.end).total_seconds() // 60))
        if rest < limits.min_daily_rest:
            shortest[after.day] = min(rest, shortest.get(after.day, rest))
    return [
        Violation(RuleCode.DAILY_REST, day, day, limits.min_daily_rest, rest) for day, rest in sorted(shortest.items())
    ]


def _by_day(shifts: Iterable[WorkShift]) -> dict[dt.date, list[WorkShift]]:
    days: dict[dt.date, list[WorkShift]] = defaultdict(list)
    for shift in shifts:
        days[shift.day].append(shift)
    return days


def daily_hours(shifts: Sequence[WorkShift], limits: Limits) -> list[Violation]:
    found = []
    for day, group in sorted(_by_day(shifts).items()):
        worked = sum(s.worked_minutes for s in group)
        if worked > limits.max_daily:
            found.append(Violation(RuleCode.DAILY_HOURS, day, day, limits.max_daily, worked))
    return found


def breaks(shifts: Sequence[WorkShift], limits: Limits) -> list[Violation]:
    found = []
    gap = dt.timedelta(minutes=limits.min_break)
    for day, group in sorted(_by_day(shifts).items()):
        longest = max(longest_stretch(s, min_break=gap) for s in group)
        if longest > limits.break_after:
            found.append(Violation(RuleCode.BREAK, day, day, limits.break_after, longest))
    return found


def night_work(shifts: Sequence[WorkShift], limits: Limits, tz: ZoneInfo) -> list[Violation]:
    found = []
    for day, group in sorted(_by_day(shifts).items()):
        longest = 0
        for shift in group:
            night = night_minutes(shift, tz=tz, night_start=limits.night_start, night_end=limits.night_end)
            if night >= limits.night_worker_minutes:
                longest = max(longest, shift.worked_minutes)
        if longest > limits.max_night_shift:
            found.append(Violation(RuleCode.NIGHT_WORK, day, day, limits.max_night_shift, longest))
    return found


def consecutive_days(worked_days: Iterable[dt.date], limits: Limits) -> list[Violation]:
    """From the days worked (the shifts' days, or also the daily rows' days with worked minutes)."""
    found = []
    days = sorted(set(worked_days))
    run_start = previous = None
    for day in [*days, None]:
        if day is not None and previous is not None and day - previous == dt.timedelta(days=1):
            previous = day
            continue
        if run_start is not None and previous is not None:
            length = (previous - run_start).days + 1
            if length > limits.max_consecutive_days:
                found.append(
                    Violation(RuleCode.CONSECUTIVE_DAYS, run_start, previous, limits.max_consecutive_days, length)
                )
        run_start = previous = day
    return found


def reference_period(day: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The fixed reference period of ``weeks`` weeks that ``day`` falls in (first and last day)."""
    length = 7 * max(1, weeks)
    start = REFERENCE_ANCHOR + dt.timedelta(days=((day - REFERENCE_ANCHOR).days // length) * length)
    return start, start + dt.timedelta(days=length - 1)


def day_minutes(shifts: Iterable[WorkShift]) -> dict[dt.date, int]:
    """Minutes worked per day (the day a shift started)."""
    found: dict[dt.date, int] = defaultdict(int)
    for shift in shifts:
        found[shift.day] += shift.worked_minutes
    return dict(found)


Totals = Mapping[tuple[dt.date, dt.date], int]


def period_totals(worked: Mapping[dt.date, int], weeks: int) -> dict[tuple[dt.date, dt.date], int]:
    """Minutes worked per day summed per reference period ((first day, last day) → minutes)."""
    totals: dict[tuple[dt.date, dt.date], int] = defaultdict(int)
    for day, minutes in worked.items():
        totals[reference_period(day, weeks)] += minutes
    return dict(totals)


def weekly_average(totals: Totals, limits: Limits) -> list[Violation]:
    """From the minutes worked in each reference period (e.g. the sum of the daily rows' worked minutes)."""
    weeks = max(1, limits.reference_weeks)
    return [
        Violation(RuleCode.WEEKLY_AVERAGE, first, last, limits.max_weekly_average, -(-total // weeks))
        for (first, last), total in sorted(totals.items())
        if total > limits.max_weekly_average * weeks
    ]


def evaluate(
    shifts: Sequence[WorkShift],
    limits: Limits,
    *,
    tz: ZoneInfo,
    totals: Totals | None = None,
    worked_days: Iterable[dt.date] = (),
) -> list[Violation]:
    """Every violation of the enabled rules in these shifts (one person's), sorted. The weekly average counts
    ``totals`` (minutes per reference period, e.g. from the daily rows) when given, else the shifts' own;
    days in a row count the shifts' days and ``worked_days`` (e.g. earlier days from the daily rows)."""
    ordered = sorted(shifts, key=lambda s: s.start)
    days = {s.day for s in ordered if s.worked_minutes > 0} | set(worked_days)
    per_period = period_totals(day_minutes(ordered), max(1, limits.reference_weeks)) if totals is None else totals
    checks = {
        RuleCode.DAILY_REST: lambda: daily_rest(ordered, limits),
        RuleCode.DAILY_HOURS: lambda: daily_hours(ordered, limits),
        RuleCode.BREAK: lambda: breaks(ordered, limits),
        RuleCode.NIGHT_WORK: lambda: night_work(ordered, limits, tz),
        RuleCode.CONSECUTIVE_DAYS: lambda: consecutive_days(days, limits),
        RuleCode.WEEKLY_AVERAGE: lambda: weekly_average(per_period, limits),
    }
    found: list[Violation] = []
    for code, check in checks.items():
        if code in limits.enabled:
            found.extend(check())
    return sorted(found)


@dataclass(frozen=True, slots=True)
class RestWarning:
    """A check-in that comes too early: ``rest_minutes`` since the last check-out, ``required_minutes`` needed."""

    rest_minutes: int
    required_minutes: int
    last_out: dt.datetime


def rest_before(
    check_in: dt.datetime, last_out: dt.datetime | None, limits: Limits, *, shift_gap: dt.timedelta
) -> RestWarning | None:
    """A warning when checking in at ``check_in`` breaks the daily rest after ``last_out``.

    A gap shorter than ``shift_gap`` is a break in the same shift, not a rest: no warning."""
    if last_out is None or RuleCode.DAILY_REST not in limits.enabled or check_in <= last_out:
        return None
    gap = check_in - last_out
    rest = int(gap.total_seconds() // 60)
    if gap < shift_gap or rest >= limits.min_daily_rest:
        return None
    return RestWarning(rest, limits.min_daily_rest, last_out)
