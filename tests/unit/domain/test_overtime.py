"""Overtime on a day (beyond the shift, days off) and the time off in lieu it earns, credited and taken back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.attendance import DayContext, DayLeave, classify_day
from shared.domain.enums import Direction, LedgerKind, PunchSource
from shared.domain.ledger import balance
from shared.domain.overtime import (
    beyond_shift_minutes,
    toil_days,
    toil_entry,
    toil_reversal,
    week_start,
)
from shared.domain.punches import PunchFact
from shared.domain.shift_window import ShiftRule

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 5, 4)
SATURDAY = date(2026, 5, 9)
LATER = datetime(2027, 1, 1, tzinfo=UTC)
DAY = ShiftRule(start_time=time(9), end_time=time(17), late_grace_minutes=10, early_grace_minutes=10, id=3)
NIGHT = ShiftRule(time(22), time(6), id=5)


def at(day: date, clock: str, direction: Direction, offset: int = 0) -> PunchFact:
    hour, minute = (int(x) for x in clock.split(":"))
    local = datetime.combine(day + timedelta(days=offset), time(hour, minute), tzinfo=BERLIN)
    return PunchFact(local.astimezone(UTC), direction, PunchSource.DEVICE)


def day_with(first: str, last: str, *, day: date = MONDAY, shift: ShiftRule | None = DAY, threshold: int | None = 30,
             last_offset: int = 0, **context):  # fmt: skip
    punches = [at(day, first, Direction.IN), at(day, last, Direction.OUT, last_offset)]
    return classify_day(DayContext(day, **context), punches, shift, BERLIN, now=LATER, overtime_threshold=threshold)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("08:55", "17:05", 0),  # ten minutes in all: within the threshold
        ("09:00", "17:31", 31),  # just past the threshold: all of it counts
        ("09:00", "17:30", 0),  # exactly the threshold is not beyond it
        ("08:00", "17:00", 60),  # an early start counts as well
        ("07:30", "18:15", 165),  # both ends
        ("09:20", "18:00", 60),  # late in the morning does not cancel the evening
    ],
)
def test_minutes_beyond_the_shift_count_once_they_pass_the_threshold(first, last, expected):
    assert day_with(first, last).overtime_minutes == expected


def test_work_on_a_weekend_counts_whole_without_a_threshold():
    result = day_with("10:00", "12:15", day=SATURDAY)
    assert result.worked_on_day_off and result.overtime_minutes == 135


def test_work_on_a_holiday_counts_whole():
    assert day_with("10:00", "10:20", is_holiday=True).overtime_minutes == 20


def test_a_day_off_without_a_check_out_has_no_overtime_yet():
    punches = [at(SATURDAY, "10:00", Direction.IN)]
    result = classify_day(DayContext(SATURDAY), punches, DAY, BERLIN, now=LATER, overtime_threshold=30)
    assert result.overtime_minutes == 0


def test_overtime_is_off_when_no_threshold_is_given():
    assert day_with("06:00", "20:00", threshold=None).overtime_minutes == 0
    assert day_with("10:00", "14:00", day=SATURDAY, threshold=None).overtime_minutes == 0


def test_without_a_shift_a_working_day_has_no_overtime():
    assert day_with("06:00", "20:00", shift=None).overtime_minutes == 0


def test_full_leave_has_no_overtime_and_half_leave_counts_against_the_whole_shift():
    assert day_with("06:00", "20:00", leave=DayLeave.FULL).overtime_minutes == 0
    assert day_with("13:00", "18:00", leave=DayLeave.MORNING).overtime_minutes == 60


def test_a_night_shift_counts_the_morning_after():
    assert day_with("22:00", "07:00", shift=NIGHT, last_offset=1).overtime_minutes == 60


def test_classifying_again_gives_the_same_overtime():
    first = day_with("07:00", "19:00")
    assert first == day_with("07:00", "19:00") and first.overtime_minutes == 240


@given(
    start=st.integers(0, 600), length=st.integers(0, 900), threshold=st.integers(0, 120),
)  # fmt: skip
def test_overtime_never_exceeds_the_time_worked_and_is_zero_or_beyond_the_threshold(start, length, threshold):
    base = datetime(2026, 5, 4, 5, tzinfo=UTC)
    first, last = base + timedelta(minutes=start), base + timedelta(minutes=start + length)
    shift_start, shift_end = base + timedelta(hours=4), base + timedelta(hours=12)
    minutes = beyond_shift_minutes(first, last, shift_start, shift_end, threshold)
    assert 0 <= minutes <= length
    assert minutes == 0 or minutes > threshold


def test_weeks_start_on_monday():
    assert week_start(date(2026, 5, 10)) == MONDAY and week_start(MONDAY) == MONDAY


@pytest.mark.parametrize(
    ("minutes", "rate", "day_minutes", "days"),
    [(480, "1", 480, "1.00"), (90, "1.5", 480, "0.28"), (45, "1", 480, "0.09"), (0, "2", 480, "0.00")],
)
def test_time_off_in_lieu_is_minutes_times_rate_over_a_leave_day(minutes, rate, day_minutes, days):
    assert toil_days(minutes, rate=Decimal(rate), day_minutes=day_minutes) == Decimal(days)


@given(minutes=st.integers(1, 2000), rate=st.decimals("0.25", "3", places=2))
def test_taking_back_a_credit_restores_the_balance_exactly(minutes, rate):
    days = toil_days(minutes, rate=rate, day_minutes=480)
    credit = toil_entry(
        decision_id=7, employee_id=1, leave_type_id=2, day=MONDAY, minutes=minutes, days=days, on=MONDAY
    )
    if credit is None:
        assert days == 0
        return
    reversal = toil_reversal(credit, decision_id=7, on=MONDAY + timedelta(days=3))
    assert credit.kind is LedgerKind.TOIL and reversal.kind is LedgerKind.REVERSAL
    assert credit.key != reversal.key
    assert balance([credit], MONDAY) == days
    assert balance([credit, reversal], MONDAY + timedelta(days=3)) == 0
