"""Daily attendance classification: one employee, one shift day, punches in → a ``daily_attendance`` row out.

Frappe HRMS auto-attendance semantics, with its known gaps fixed. Rules decided here:

* **Order of checks**: holiday, then weekend (a holiday on a weekend is a holiday) → with no punch the
  day is HOLIDAY / WEEKEND; with punches it is PRESENT (INCOMPLETE when the check-out is missing),
  ``worked_on_day_off`` set, no late / early / hour thresholds (nothing was scheduled). Then approved
  leave: full → ON_LEAVE; half (am/pm) → HALF_LEAVE, and in both cases any punches are still recorded
  (first in, last out, worked minutes, punch count). Then, on a working day: no punch → ABSENT; no
  check-out after the first check-in (a single punch, only ins, only outs) → INCOMPLETE ("missing
  check-out" — unlike Frappe, which marks it absent because it computes 0 hours); worked minutes below
  ``absent_hours`` → ABSENT; below ``half_day_hours`` → HALF_DAY; else PRESENT. A threshold of 0 is off.
* **Half leave**: the half on leave is excused. Morning leave: lateness is measured from the shift's
  midpoint; afternoon leave: early exit is measured to the midpoint. The hour thresholds do not apply.
* **First in / last out**: the earliest IN, and the latest OUT after it (OUTs before the first IN are
  ignored). Worked time in ``first_last`` mode = last out − first in; in ``pairs`` mode the sum of
  (IN, next OUT) pairs, pairing the first IN of a run with the next OUT (as Frappe); unmatched punches
  (extra INs, OUTs without an IN, a trailing IN) are ignored. Minutes are whole minutes, rounded down.
* **Late / early**: ``late_minutes`` counts from the scheduled start (not from the end of the grace,
  the grace is a tolerance, not a deduction) and is recorded only when it exceeds the grace; likewise
  ``early_exit_minutes`` to the scheduled end. So ``late_minutes > 0`` *is* the late flag. Both are in
  whole minutes (09:10:59 with a 10-minute grace is on time). They are not recorded for ABSENT days,
  days off or full leave; an INCOMPLETE day may be late (its first in is known), never early.
* **No shift**: the day is the local calendar day; status comes from punches only (ABSENT / INCOMPLETE /
  PRESENT, plus the day-off and leave rules); no late, early, half day or hour thresholds.
* **Final**: a day is final once no punch can belong to it any more: ``now`` has reached the end of its
  range (``day_plan``: the shift window's close, or local midnight when the window closes earlier in the
  evening; no shift: local midnight). Before that it gets a provisional classification with ``is_final``
  False, which reports must call "so far", never absent.
* **Unscheduled work**: punches outside the shift's check-in/check-out window still count on their day
  (``day_plan`` gives every instant a day); ``unscheduled_punches`` says how many, and reports flag it.
* **Deterministic**: punches are filtered to the day's range, sorted by (instant, direction, source) and
  de-duplicated (2 minutes) first, so the result depends only on the set of punches. ``punch_count``
  counts the punches kept. ``leave_request_id`` is set only when the status is ON_LEAVE / HALF_LEAVE.
* **Hourly leave**: approved ranges (``DayContext.excused``) that cover the start or the end of the
  shift move the expected arrival / leaving past them, so no lateness or early exit is counted for them.
* **Manual overrides win**: the caller writes a result only when :func:`should_write` says so.
* **Overtime** (``overtime_minutes``): see :mod:`shared.domain.overtime`; computed only when the caller
  passes ``overtime_threshold`` (the service passes ``OVERTIME_THRESHOLD_MINUTES``), 0 otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from shared.domain.enums import AttendanceStatus, Direction, HoursMode
from shared.domain.hourly import excused_bounds
from shared.domain.overtime import beyond_shift_minutes, day_off_minutes
from shared.domain.punches import PunchFact, drop_sorted_duplicates, resolve_directions, sort_punches
from shared.domain.shift_window import DayPlan, ShiftRule, ShiftWindow, day_plan, day_plans, is_unscheduled
from shared.domain.slots import positional_builder

_IN = Direction.IN
_OUT = Direction.OUT
_PAIRS = HoursMode.PAIRS


class DayLeave(StrEnum):
    """Approved leave covering the day: all of it, or the morning / afternoon half."""

    FULL = "full"
    MORNING = "am"
    AFTERNOON = "pm"


@dataclass(frozen=True, slots=True)
class DayContext:
    """What else is known about the employee's day: work week (ISO weekdays), holiday, approved leave."""

    date: dt.date
    work_week: str = "12345"
    is_holiday: bool = False
    leave: DayLeave | None = None
    leave_request_id: int | None = None
    employee_id: int | None = None
    # Approved hourly leave that day (UTC ranges): no lateness or early exit is counted for them.
    excused: tuple[tuple[dt.datetime, dt.datetime], ...] = ()

    def __post_init__(self) -> None:
        if self.leave is not None and not isinstance(self.leave, DayLeave):
            object.__setattr__(self, "leave", DayLeave(self.leave))  # "full" / HalfDay "am" / "pm"


class DayResult(NamedTuple):
    """One ``daily_attendance`` row (same field names as the columns, in the order the bulk write sends them).

    A named tuple, not a dataclass: the nightly run builds ~300k per night, and the write sends it as it is."""

    employee_id: int | None
    date: dt.date
    status: AttendanceStatus
    first_in: dt.datetime | None = None
    last_out: dt.datetime | None = None
    worked_minutes: int = 0
    late_minutes: int = 0
    early_exit_minutes: int = 0
    worked_on_day_off: bool = False
    shift_id: int | None = None
    leave_request_id: int | None = None
    punch_count: int = 0
    is_final: bool = False
    unscheduled_punches: int = 0
    overtime_minutes: int = 0

    @property
    def missing_checkout(self) -> bool:
        """Punches were recorded but no check-in followed by a check-out."""
        return self.punch_count > 0 and (self.first_in is None or self.last_out is None)


_new_result = functools.partial(tuple.__new__, DayResult)  # ~300k a night: from a tuple, in C
new_context = positional_builder(DayContext, values_already_normalised=True)
"""``new_context(date, work_week, is_holiday, leave, leave_request_id, employee_id, excused)`` without the frozen
``__init__``, for a caller whose ``leave`` is already a :class:`DayLeave` or None (the nightly job)."""


def should_write(existing_row_is_manual_override: bool) -> bool:
    """Whether a computed result may replace the stored row: a manual override is never overwritten."""
    return not existing_row_is_manual_override


def _span(
    punches: Sequence[PunchFact], directions: Sequence[Direction], mode: HoursMode
) -> tuple[dt.datetime | None, dt.datetime | None, int]:
    """(first in, last out after it, worked seconds) of a day's sorted, de-duplicated punches."""
    if _IN not in directions:  # (list.index's ValueError would format the enum's repr: a tenth of a weekend day)
        return None, None, 0
    first = directions.index(_IN)
    last = None
    for index in range(len(directions) - 1, first, -1):
        if directions[index] is _OUT:
            last = index
            break
    if last is None:
        return punches[first].instant, None, 0
    first_in, last_out = punches[first].instant, punches[last].instant
    if mode != _PAIRS:
        return first_in, last_out, int((last_out - first_in).total_seconds())
    seconds = 0.0
    opened: dt.datetime | None = None
    for index in range(first, last + 1):
        if directions[index] is _IN:
            if opened is None:
                opened = punches[index].instant
        elif opened is not None:
            seconds += (punches[index].instant - opened).total_seconds()
            opened = None
    return first_in, last_out, int(seconds)


def _minutes_after(later: dt.datetime, earlier: dt.datetime, grace: int) -> int:
    minutes = int((later - earlier).total_seconds()) // 60
    return minutes if minutes > grace else 0


def classify_day(
    context: DayContext,
    punches: Iterable[PunchFact],
    shift: ShiftRule | None,
    tz: dt.tzinfo,
    *,
    now: dt.datetime,
    overtime_threshold: int | None = None,
) -> DayResult:
    """Classify one shift day from the employee's punches (any order; those outside the day are ignored).

    ``tz`` is the employee's zone (a ``ZoneInfo``); instants and ``now`` are aware datetimes.
    """
    plan = day_plan(context.date, shift, tz)
    _, lower, upper = plan
    ordered = sort_punches(p for p in punches if lower <= p.instant < upper)
    return _classify(context, ordered, shift, plan, now, overtime_threshold)


def _classify(
    context: DayContext,
    ordered: list[PunchFact],
    shift: ShiftRule | None,
    plan: tuple[ShiftWindow, dt.datetime, dt.datetime],
    now: dt.datetime,
    overtime_threshold: int | None = None,
) -> DayResult:
    """Classify the day's punches, already in range and in canonical order."""
    day = context.date
    window, _, upper = plan
    if not ordered:  # a day without a punch (weekends, absences: a third of all days), decided without measuring
        return _unpunched(context, shift, now >= upper)
    kept = drop_sorted_duplicates(ordered)
    directions = resolve_directions(kept)
    mode = shift.hours_mode if shift is not None else HoursMode.FIRST_LAST
    first_in, last_out, seconds = _span(kept, directions, mode)
    worked = seconds // 60
    unscheduled = 0
    # kept is in instant order: only when its ends lie outside the window can any punch do
    if shift is not None and (kept[0].instant < window.earliest_utc or kept[-1].instant > window.latest_utc):
        unscheduled = sum(1 for p in kept if is_unscheduled(p.instant, window))
    status, late, early, day_off, overtime = _measure(context, shift, window, first_in, last_out, worked,
                                                      overtime_threshold)  # fmt: skip
    on_leave = status is AttendanceStatus.ON_LEAVE or status is AttendanceStatus.HALF_LEAVE
    return _new_result((
        context.employee_id, day, status, first_in, last_out, worked, late, early, day_off,
        shift.id if shift is not None else None, context.leave_request_id if on_leave else None, len(kept),
        now >= upper, unscheduled, overtime,
    ))  # fmt: skip


def _measure(
    context: DayContext,
    shift: ShiftRule | None,
    window: ShiftWindow,
    first_in: dt.datetime | None,
    last_out: dt.datetime | None,
    worked: int,
    overtime_threshold: int | None,
) -> tuple[AttendanceStatus, int, int, bool, int]:
    """(status, late, early, worked on a day off, overtime) of a day with punches."""
    if context.is_holiday or str(context.date.isoweekday()) not in context.work_week:
        status = AttendanceStatus.PRESENT if last_out is not None else AttendanceStatus.INCOMPLETE
        return status, 0, 0, True, day_off_minutes(worked, last_out is not None, overtime_threshold)
    leave = context.leave
    if leave == DayLeave.FULL:
        return AttendanceStatus.ON_LEAVE, 0, 0, False, 0
    if leave is None:
        if last_out is None:
            status = AttendanceStatus.INCOMPLETE
        elif shift is not None and worked < shift.absent_minutes:
            return AttendanceStatus.ABSENT, 0, 0, False, 0
        elif shift is not None and worked < shift.half_day_minutes:
            status = AttendanceStatus.HALF_DAY
        else:
            status = AttendanceStatus.PRESENT
    else:
        status = AttendanceStatus.HALF_LEAVE
    if shift is None:
        return status, 0, 0, False, 0
    expected_start, expected_end = window.start_utc, window.end_utc
    if leave is not None:
        midpoint = expected_start + (expected_end - expected_start) / 2
        if leave == DayLeave.MORNING:
            expected_start = midpoint
        else:
            expected_end = midpoint
    if context.excused:
        expected_start, expected_end = excused_bounds(expected_start, expected_end, context.excused)
    late = _minutes_after(first_in, expected_start, shift.late_grace_minutes) if first_in is not None else 0
    early = _minutes_after(expected_end, last_out, shift.early_grace_minutes) if last_out is not None else 0
    overtime = beyond_shift_minutes(first_in, last_out, window.start_utc, window.end_utc, overtime_threshold)
    return status, late, early, False, overtime


def _unpunched(context: DayContext, shift: ShiftRule | None, is_final: bool) -> DayResult:
    """What :func:`_classify` gives a day without punches: a day off, leave or absent; nothing measured."""
    if context.is_holiday:
        status = AttendanceStatus.HOLIDAY
    elif str(context.date.isoweekday()) not in context.work_week:
        status = AttendanceStatus.WEEKEND
    elif context.leave is None:
        status = AttendanceStatus.ABSENT
    else:
        status = AttendanceStatus.ON_LEAVE if context.leave == DayLeave.FULL else AttendanceStatus.HALF_LEAVE
    on_leave = status is AttendanceStatus.ON_LEAVE or status is AttendanceStatus.HALF_LEAVE
    return _new_result((
        context.employee_id, context.date, status, None, None, 0, 0, 0, False, shift.id if shift is not None else None,
        context.leave_request_id if on_leave else None, 0, is_final, 0, 0,
    ))  # fmt: skip


def classify_days(
    punches: Iterable[PunchFact],
    contexts: Iterable[DayContext],
    shift: ShiftRule | None,
    tz: dt.tzinfo,
    *,
    now: dt.datetime,
    overtime_threshold: int | None = None,
    plans: Mapping[dt.date, DayPlan] | None = None,
) -> list[DayResult]:
    """Classify a range of one employee's days from all their punches in the range, in one pass.

    Load the punches with ``day_range(first)[0] <= instant < day_range(last)[1]``; results come in the
    order of ``contexts``. ``plans`` (:func:`day_plans` of the same shift and zone, covering every context's
    date) spares a caller that classifies many employees of one shift the per-day lookups.
    """
    contexts = list(contexts)
    if plans is None:
        plans = day_plans((c.date for c in contexts), shift, tz)
    ordered = sort_punches(punches)
    if not ordered:  # nobody punched (leave, absence): no day to measure
        return [_unpunched(c, shift, now >= plans[c.date][2]) for c in contexts]
    instants = [p.instant for p in ordered]
    results = []
    cursor = 0
    previous: dt.date | None = None
    for context in contexts:
        plan = plans[context.date]
        if previous is not None and context.date <= previous:
            cursor = 0  # out of order: search from the start (consecutive days' ranges follow each other)
        previous = context.date
        begin = bisect_left(instants, plan[1], cursor)
        cursor = bisect_left(instants, plan[2], begin)
        results.append(_classify(context, ordered[begin:cursor], shift, plan, now, overtime_threshold))
    return results
