"""Worked time as it happened: punches → worked intervals → shifts (the unit the working-time rules count in).

Rules decided here:

* **Intervals** (:func:`work_intervals`): punches are sorted and de-duplicated as for attendance
  (``shared.domain.punches``). An explicit IN/OUT keeps its direction; an UNKNOWN punch is the opposite of
  the one before, except that after a gap of ``max_interval`` or more it starts afresh as an IN. An IN
  followed by an OUT less than ``max_interval`` later is worked time; an IN with no OUT (a forgotten
  check-out), a lone OUT and anything longer than ``max_interval`` count as nothing: a rule never fires
  on a guessed stretch of time.
* **Shifts** (:func:`shifts_of`): intervals whose gap is shorter than ``shift_gap`` (4 h by default) belong
  to one shift (the gaps are breaks); a gap of ``shift_gap`` or more starts a new shift. A shift belongs to
  the local date (in ``tz``) it starts on, like a night shift in attendance.
* **Night time** (:func:`night_minutes`): the minutes of a shift between ``night_start`` and ``night_end``
  local time (22:00–05:00 by default: the directive's night period includes 00:00–05:00).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from shared.domain.enums import Direction
from shared.domain.punches import PunchFact, drop_duplicates

MAX_INTERVAL = dt.timedelta(hours=16)
SHIFT_GAP = dt.timedelta(hours=4)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """Worked time from ``start`` to ``end`` (aware UTC instants, ``end`` after ``start``)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return minutes_between(self.start, self.end)


@dataclass(frozen=True, slots=True)
class WorkShift:
    """Intervals with breaks shorter than the shift gap between them; ``day`` is the local date it started."""

    day: dt.date
    intervals: tuple[Interval, ...]

    @property
    def start(self) -> dt.datetime:
        return self.intervals[0].start

    @property
    def end(self) -> dt.datetime:
        return self.intervals[-1].end

    @property
    def worked_minutes(self) -> int:
        return sum(i.minutes for i in self.intervals)


def minutes_between(earlier: dt.datetime, later: dt.datetime) -> int:
    """Whole minutes from ``earlier`` to ``later`` (seconds dropped; never negative)."""
    return max(0, int((later - earlier).total_seconds() // 60))


def work_intervals(punches: Iterable[PunchFact], *, max_interval: dt.timedelta = MAX_INTERVAL) -> list[Interval]:
    """The worked intervals the punches prove (see the module docstring)."""
    found: list[Interval] = []
    opened: dt.datetime | None = None
    previous: PunchFact | None = None
    for punch in drop_duplicates(punches):
        direction = punch.direction
        if direction is Direction.UNKNOWN:
            fresh = previous is None or punch.instant - previous.instant >= max_interval
            direction = Direction.OUT if opened is not None and not fresh else Direction.IN
        if direction is Direction.IN:
            opened = punch.instant
        elif opened is not None:
            if punch.instant - opened < max_interval:
                found.append(Interval(opened, punch.instant))
            opened = None
        previous = punch
    return found


def shifts_of(intervals: Sequence[Interval], *, tz: ZoneInfo, shift_gap: dt.timedelta = SHIFT_GAP) -> list[WorkShift]:
    """The intervals grouped into shifts, in order (see the module docstring)."""
    shifts: list[WorkShift] = []
    current: list[Interval] = []
    for interval in sorted(intervals):
        if current and interval.start - current[-1].end >= shift_gap:
            shifts.append(WorkShift(current[0].start.astimezone(tz).date(), tuple(current)))
            current = []
        current.append(interval)
    if current:
        shifts.append(WorkShift(current[0].start.astimezone(tz).date(), tuple(current)))
    return shifts


def night_minutes(shift: WorkShift, *, tz: ZoneInfo, night_start: dt.time, night_end: dt.time) -> int:
    """Minutes of the shift within the local night (``night_start`` to ``night_end`` the next morning)."""
    total = 0
    for interval in shift.intervals:
        if _all_day_time(interval, tz=tz, night_start=night_start, night_end=night_end):
            continue
        first = interval.start.astimezone(tz).date() - dt.timedelta(days=1)
        last = interval.end.astimezone(tz).date()
        day = first
        while day <= last:
            lower = dt.datetime.combine(day, night_start, tz)
            upper_day = day + dt.timedelta(days=1) if night_end <= night_start else day
            upper = dt.datetime.combine(upper_day, night_end, tz)
            start, end = max(lower, interval.start), min(upper, interval.end)
            if end > start:
                total += minutes_between(start, end)
            day += dt.timedelta(days=1)
    return total


def _all_day_time(interval: Interval, *, tz: ZoneInfo, night_start: dt.time, night_end: dt.time) -> bool:
    """True when the interval lies within one local day's daytime (the common case, checked cheaply)."""
    if night_end > night_start:  # a "night" within one day: no shortcut
        return False
    start, end = interval.start.astimezone(tz), interval.end.astimezone(tz)
    return start.date() == end.date() and night_end <= start.time() and end.time() <= night_start and start.fold == 0


def longest_stretch(shift: WorkShift, *, min_break: dt.timedelta) -> int:
    """The longest worked stretch of the shift in minutes, where only a gap of ``min_break`` or more breaks it."""
    longest, stretch = 0, 0
    previous_end: dt.datetime | None = None
    for interval in shift.intervals:
        if previous_end is not None and interval.start - previous_end >= min_break:
            stretch = 0
        stretch += interval.minutes
        longest = max(longest, stretch)
        previous_end = interval.end
    return longest
