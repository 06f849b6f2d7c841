"""Hourly leave: a time range on one day, inside the person's shift, a whole number of steps, at least a minimum.

A type booked in hours (``LeaveUnit.HOURS``) keeps its allowance and its ledger in hours; a request of
``minutes`` costs ``hours_of(minutes)`` (hours with two decimals). The range is local wall-clock time on
the shift day: ``start`` is the shift day at ``start_time``; an ``end_time`` not after ``start_time``
belongs to the next day (a night shift). It must lie inside the shift's scheduled window (``ShiftWindow``
in UTC), so a person without a shift on that day cannot book hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from shared.domain.leave import Step, Violation
from shared.domain.shift_window import ShiftWindow, local_to_utc
from shared.errors import N_

MINUTES_PER_HOUR = 60
CENT = Decimal("0.01")


class LeaveUnit(StrEnum):
    DAYS = "days"
    HOURS = "hours"


@dataclass(frozen=True)
class HourlyRule:
    """A type's hourly limits: the shortest booking and the step every booking is a multiple of."""

    min_minutes: int = 30
    step_minutes: int = 30

    def __post_init__(self) -> None:
        if self.step_minutes <= 0 or self.min_minutes <= 0:
            raise ValueError("minimum and step are positive")


@dataclass(frozen=True)
class HourRange:
    """A booked range as UTC instants."""

    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds()) // 60


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours with two decimals (what the ledger posts)."""
    return (Decimal(minutes) / MINUTES_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def range_on(day: date, start_time: time, end_time: time, tz: tzinfo) -> HourRange:
    """The local range on ``day`` as UTC instants (an end not after the start is on the next day)."""
    end_day = day + timedelta(days=1) if end_time <= start_time else day
    return HourRange(local_to_utc(day, start_time, tz, fold=0), local_to_utc(end_day, end_time, tz, fold=1))


def check_range(booked: HourRange, rule: HourlyRule, window: ShiftWindow | None) -> Violation | None:
    """Why the range cannot be booked (outside the shift, too short, not a whole number of steps), or None."""
    if window is None or window.scheduled_minutes <= 0:
        return Violation("no_shift", N_("Hours can only be booked on a day with a shift."), field=Step.DATES)
    if booked.start < window.start_utc or booked.end > window.end_utc or booked.end <= booked.start:
        return Violation("outside_shift", N_("The hours must lie inside your shift."), field=Step.DATES)
    minutes = booked.minutes
    if minutes < rule.min_minutes:
        return Violation(
            "too_short", N_("Book at least {n} minutes."), field=Step.DATES, params={"n": rule.min_minutes}
        )
    if minutes % rule.step_minutes:
        return Violation(
            "not_a_step",
            N_("Book a multiple of {n} minutes."),
            field=Step.DATES,
            params={"n": rule.step_minutes},
        )
    return None


def excused_bounds(
    start: datetime, end: datetime, excused: tuple[tuple[datetime, datetime], ...]
) -> tuple[datetime, datetime]:
    """The expected arrival and leaving once approved hourly leave is set aside: a range that covers the
    start moves it to the range's end, one that covers the end moves it to the range's start (ranges may
    chain)."""
    ranges = sorted(excused)
    moved = True
    while moved:
        moved = False
        for lo, hi in ranges:
            if lo <= start < hi and start < end:
                start, moved = min(hi, end), True
            if lo < end <= hi and start < end:
                end, moved = max(lo, start), True
    return start, end


_TIME = r"(\d{1,2})(?:[:.h](\d{2}))?"
_RANGE = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|\.\.|to|до|إلى)\s*{_TIME}\s*$", re.IGNORECASE)


def parse_time_range(text: str) -> tuple[time, time] | None:
    """``"10:00-12:30"``, ``"9-11"``, ``"14.30 – 16"`` as two times; None for anything else (or 24:00+)."""
    match = _RANGE.match(text.translate(_DIGITS))
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    return time(h1, m1), time(h2, m2)


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
