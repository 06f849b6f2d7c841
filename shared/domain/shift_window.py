"""Shift windows in UTC and the assignment of punches to shift days.

Rules decided here:

* **Night shift**: ``end_time < start_time`` ends the next calendar day; ``end_time == start_time`` is a
  24-hour shift (e.g. 08:00–08:00). Either way the shift day is the date it *starts* on.
* **Local times** are resolved in the employee's zone on that date, so a 22:00–06:00 shift lasts 9 h on
  the night clocks go back and 7 h on the night they go forward. A start or end in the spring-forward
  gap is shifted forward by the gap (02:30 that does not exist → 03:30 summer time). An ambiguous start
  takes the first occurrence (fold=0), an ambiguous end the second (fold=1): the interval is as worked.
* **Window**: a punch matches day D when ``start − checkin_before ≤ instant ≤ end + checkout_after``.
* **Overlapping windows** of consecutive days: a punch belongs to the day whose *scheduled interval*
  [start, end] is nearest (distance 0 inside it); a tie goes to the later day. For non-overlapping
  scheduled shifts this cuts the overlap at the midpoint between yesterday's end and today's start, so
  a late check-out stays with yesterday and an early check-in goes to today (nearest *start* would give
  a long shift's check-out to the next day). When the scheduled intervals themselves overlap (a 24-hour
  shift, 25 h on a DST night) the cut is today's start. The cut depends only on the calendar
  neighbours, so a day's punches are the same whichever date range is loaded.
* **No shift**: the day is the employee's local calendar day [00:00, next 00:00), with no schedule
  (``scheduled_minutes`` 0, no check-in/out windows beyond it).
* **No punch is dropped**: between two windows that do not touch (a day shift's evening and the next
  morning) the gap is split at local midnight, so a check-in at 03:15 for a 09:00 shift belongs to that
  local day, as *unscheduled* work (outside the window); a day's range ends where the next one begins.
* Windows are assumed to overlap at most the adjacent days: each check-in / check-out window is capped
  at 12 h (:class:`ShiftRule` refuses more).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache

from shared.domain.enums import HoursMode
from shared.domain.punches import PunchFact, sort_punches
from shared.errors import N_, Invalid

MAX_WINDOW_MINUTES = 12 * 60
_ONE_DAY = timedelta(days=1)
_EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ShiftRule:
    """A ``shifts`` row (``id`` is the shift id, copied to the result's ``shift_id``)."""

    start_time: time
    end_time: time
    late_grace_minutes: int = 0
    early_grace_minutes: int = 0
    half_day_hours: Decimal = Decimal(4)
    absent_hours: Decimal = Decimal(1)
    checkin_before_minutes: int = 120
    checkout_after_minutes: int = 240
    hours_mode: HoursMode = HoursMode.FIRST_LAST
    id: int | None = None
    # Derived once (the nightly job looks a shift up ~300k times): thresholds in minutes, the hash.
    absent_minutes: float = field(init=False, repr=False, compare=False)
    half_day_minutes: float = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.late_grace_minutes < 0 or self.early_grace_minutes < 0:
            raise Invalid(N_("Grace minutes cannot be negative."))
        if self.half_day_hours < 0 or self.absent_hours < 0:
            raise Invalid(N_("Hour thresholds cannot be negative."))
        for minutes in (self.checkin_before_minutes, self.checkout_after_minutes):
            if not 0 <= minutes <= MAX_WINDOW_MINUTES:
                raise Invalid(
                    N_("Check-in and check-out windows must be between 0 and {max} minutes."),
                    max=MAX_WINDOW_MINUTES,
                )
        object.__setattr__(self, "absent_minutes", float(self.absent_hours) * 60)
        object.__setattr__(self, "half_day_minutes", float(self.half_day_hours) * 60)
        fields = (self.start_time, self.end_time, self.late_grace_minutes, self.early_grace_minutes)
        more = (self.half_day_hours, self.absent_hours, self.checkin_before_minutes, self.checkout_after_minutes)
        object.__setattr__(self, "_hash", hash((*fields, *more, self.hours_mode, self.id)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def is_night(self) -> bool:
        """True when the shift ends on the day after it starts (24-hour shifts included)."""
        return self.end_time <= self.start_time


@dataclass(frozen=True, slots=True)
class ShiftWindow:
    """One shift day in UTC: scheduled [start, end] and the punch window [earliest, latest]."""

    start_utc: datetime
    end_utc: datetime
    earliest_utc: datetime
    latest_utc: datetime
    scheduled_minutes: int


def local_to_utc(day: date, at: time, tz: tzinfo, *, fold: int) -> datetime:
    """A wall-clock time on ``day`` in ``tz`` as UTC; a time in the DST gap is shifted forward.

    ``fold`` picks the occurrence of an ambiguous time (0 first, 1 second).
    """
    first = datetime.combine(day, at, tzinfo=tz)
    second = first.replace(fold=1)
    offset_first, offset_second = first.utcoffset(), second.utcoffset()
    if offset_first is not None and offset_second is not None and offset_first < offset_second:
        # A gap (the offset grows): fold=0 reads it with the old offset, i.e. shifted forward.
        return first.astimezone(UTC)
    return (second if fold else first).astimezone(UTC)


@lru_cache(maxsize=65_536)
def _window(day: date, shift: ShiftRule | None, tz: tzinfo) -> ShiftWindow:
    if shift is None:
        start = local_to_utc(day, time(0), tz, fold=0)
        end = local_to_utc(day + _ONE_DAY, time(0), tz, fold=0)
        return ShiftWindow(start, end, start, end, 0)
    start = local_to_utc(day, shift.start_time, tz, fold=0)
    end_day = day + _ONE_DAY if shift.is_night else day
    end = local_to_utc(end_day, shift.end_time, tz, fold=1)
    return ShiftWindow(
        start_utc=start,
        end_utc=end,
        earliest_utc=start - timedelta(minutes=shift.checkin_before_minutes),
        latest_utc=end + timedelta(minutes=shift.checkout_after_minutes),
        scheduled_minutes=int((end - start).total_seconds()) // 60,
    )


def shift_window(day: date, shift: ShiftRule | None, tz: tzinfo) -> ShiftWindow:
    """The UTC window of the shift day ``day`` in zone ``tz`` (``None`` shift: the local calendar day).

    Cached per (date, shift, zone): the nightly job asks for the same few windows thousands of times.
    """
    return _window(day, shift, tz)


def _cut(before: ShiftWindow, after: ShiftWindow) -> datetime | None:
    """First instant that belongs to ``after`` when the two windows overlap, else ``None``."""
    if before.latest_utc < after.earliest_utc:
        return None
    if before.end_utc <= after.start_utc:
        cut = before.end_utc + (after.start_utc - before.end_utc) / 2
    else:
        cut = after.start_utc
    cut = max(cut, after.earliest_utc)
    if cut > before.latest_utc:
        cut = before.latest_utc + _EPSILON
    return cut


def _window_bounds(day: date, shift: ShiftRule | None, tz: tzinfo) -> tuple[datetime, datetime]:
    """Shift day ``day``'s window with the overlaps of the neighbouring windows cut off (half-open)."""
    window = _window(day, shift, tz)
    lower = _cut(_window(day - _ONE_DAY, shift, tz), window) or window.earliest_utc
    upper = _cut(window, _window(day + _ONE_DAY, shift, tz)) or window.latest_utc + _EPSILON
    return lower, upper


def _gap_split(day: date, shift: ShiftRule | None, tz: tzinfo) -> datetime:
    """Where the time between day-1's window and ``day``'s window is split: ``day``'s local midnight,
    clamped into the gap (the whole gap when midnight lies outside it; no gap: ``day``'s window start)."""
    _, before_upper = _window_bounds(day - _ONE_DAY, shift, tz)
    lower, _ = _window_bounds(day, shift, tz)
    if before_upper >= lower:
        return lower
    midnight = local_to_utc(day, time(0), tz, fold=0)
    return min(max(midnight, before_upper), lower)


DayPlan = tuple[ShiftWindow, datetime, datetime]
"""(window, lower, upper) of one shift day: see :func:`day_plan`."""


@lru_cache(maxsize=65_536)
def day_plan(day: date, shift: ShiftRule | None, tz: tzinfo) -> tuple[ShiftWindow, datetime, datetime]:
    """(window, lower, upper) of shift day ``day``, cached: one lookup per employee-day in hot loops.

    [lower, upper) is the window with the neighbours' overlaps cut off, widened over the gaps between
    windows (split at local midnight), so consecutive days' ranges touch: every instant belongs to
    exactly one shift day and no punch is ever dropped. A punch outside the window itself (before
    ``earliest_utc`` or after ``latest_utc``) is unscheduled work of that day.
    """
    window = _window(day, shift, tz)
    return window, _gap_split(day, shift, tz), _gap_split(day + _ONE_DAY, shift, tz)


def day_plans(days: Iterable[date], shift: ShiftRule | None, tz: tzinfo) -> dict[date, DayPlan]:
    """:func:`day_plan` of each of ``days``: computed once per run for each shift and zone, then looked up by
    date for every employee who shares them (a dict lookup instead of hashing the shift for the cache)."""
    return {day: day_plan(day, shift, tz) for day in days}


def is_unscheduled(instant: datetime, window: ShiftWindow) -> bool:
    """Whether a punch of the day lies outside its shift's check-in/check-out window."""
    return instant < window.earliest_utc or instant > window.latest_utc


def day_range(day: date, shift: ShiftRule | None, tz: tzinfo) -> tuple[datetime, datetime]:
    """The half-open UTC range [lower, upper) of punches that belong to shift day ``day``.

    Consecutive days' ranges touch (see :func:`day_plan`); a service that processes one day loads
    ``lower <= instant < upper``.
    """
    _, lower, upper = day_plan(day, shift, tz)
    return lower, upper


def assign_punches_to_days(
    punches: Iterable[PunchFact], days: Iterable[date], shift: ShiftRule | None, tz: tzinfo
) -> dict[date, list[PunchFact]]:
    """Split one employee's punches over shift days in one pass; every punch lands in exactly one day.

    ``punches`` may come in any order; each day's list is sorted and every requested day is a key.
    Punches that belong to a day not asked for are left out.
    """
    ordered = sort_punches(punches)
    instants = [punch.instant for punch in ordered]
    result: dict[date, list[PunchFact]] = {}
    cursor = 0
    for day in sorted(set(days)):
        _, lower, upper = day_plan(day, shift, tz)
        begin = bisect_left(instants, lower, cursor)
        end = bisect_left(instants, upper, begin)
        result[day] = list(ordered[begin:end])
        cursor = end
    return result


def shift_day_at(instant: datetime, shift: ShiftRule | None, tz: tzinfo) -> tuple[date, datetime, datetime]:
    """The shift day ``instant`` belongs to and that day's range (a night shift's morning is the day before)."""
    local = instant.astimezone(tz).date()
    for day in (local, local - timedelta(days=1), local + timedelta(days=1)):
        lower, upper = day_range(day, shift, tz)
        if lower <= instant < upper:
            return day, lower, upper
    lower, upper = day_range(local, shift, tz)
    return local, lower, upper


def clear_window_cache() -> None:
    """Forget cached windows (tests; a long-running process never needs it)."""
    _window.cache_clear()
    day_plan.cache_clear()
