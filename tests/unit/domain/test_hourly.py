"""Hourly leave: the range inside the shift, minimum and step, hours with two decimals, excused bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.attendance import DayContext, classify_day
from shared.domain.enums import Direction, PunchSource
from shared.domain.hourly import (
    HourlyRule,
    HourRange,
    check_range,
    excused_bounds,
    hours_of,
    parse_time_range,
    range_on,
)
from shared.domain.punches import PunchFact
from shared.domain.shift_window import ShiftRule, shift_window

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 3)
SHIFT = ShiftRule(time(9), time(18), late_grace_minutes=10, early_grace_minutes=10)
WINDOW = shift_window(DAY, SHIFT, BERLIN)
RULE = HourlyRule(min_minutes=30, step_minutes=30)


def booked(start: time, end: time) -> HourRange:
    return range_on(DAY, start, end, BERLIN)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (time(9), time(11), None),
        (time(16), time(18), None),
        (time(8, 30), time(10), "outside_shift"),
        (time(17), time(18, 30), "outside_shift"),
        (time(10), time(10, 20), "too_short"),
        (time(10), time(11, 10), "not_a_step"),
    ],
)
def test_a_range_is_checked_against_the_shift_minimum_and_step(start, end, code):
    violation = check_range(booked(start, end), RULE, WINDOW)
    assert (violation.code if violation else None) == code


def test_no_shift_means_no_hours():
    assert check_range(booked(time(9), time(10)), RULE, None).code == "no_shift"


@given(minutes=st.integers(min_value=0, max_value=24 * 60))
def test_hours_have_two_decimals_and_round_back_to_the_minute(minutes):
    hours = hours_of(minutes)
    assert hours == hours.quantize(Decimal("0.01"))
    assert abs(hours * 60 - minutes) <= Decimal("0.3")


@given(
    start=st.integers(min_value=9 * 60, max_value=18 * 60 - 30),
    length=st.integers(min_value=1, max_value=9 * 60),
    step=st.sampled_from([15, 30, 60]),
)
def test_an_accepted_range_is_inside_the_shift_and_a_whole_number_of_steps(start, length, step):
    end = start + length
    if end > 24 * 60 - 1:
        return
    rng = booked(time(start // 60, start % 60), time(end // 60, end % 60))
    violation = check_range(rng, HourlyRule(min_minutes=step, step_minutes=step), WINDOW)
    if violation is None:
        assert WINDOW.start_utc <= rng.start < rng.end <= WINDOW.end_utc
        assert rng.minutes % step == 0 and rng.minutes >= step


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, 3, hh, mm, tzinfo=BERLIN).astimezone(UTC)


def test_excused_ranges_move_the_expected_arrival_and_leaving():
    start, end = at(9), at(18)
    assert excused_bounds(start, end, ((at(9), at(11)),)) == (at(11), end)
    assert excused_bounds(start, end, ((at(16), at(18)),)) == (start, at(16))
    assert excused_bounds(start, end, ((at(9), at(10)), (at(10), at(12)))) == (at(12), end)
    assert excused_bounds(start, end, ((at(12), at(13)),)) == (start, end)  # in the middle: nothing moves


@given(
    ranges=st.lists(
        st.tuples(st.integers(min_value=0, max_value=18), st.integers(min_value=1, max_value=6)), max_size=4
    )
)
def test_excused_bounds_never_cross_and_stay_inside_the_shift(ranges):
    start, end = at(9), at(18)
    excused = tuple((at(9) + timedelta(hours=h), at(9) + timedelta(hours=h + n)) for h, n in ranges)
    lo, hi = excused_bounds(start, end, excused)
    assert start <= lo <= hi <= end


def test_a_late_arrival_covered_by_approved_hours_is_not_late():
    punches = [
        PunchFact(at(11, 5), Direction.IN, PunchSource.DEVICE),
        PunchFact(at(18), Direction.OUT, PunchSource.DEVICE),
    ]
    plain = classify_day(DayContext(DAY), punches, SHIFT, BERLIN, now=at(23))
    excused = classify_day(DayContext(DAY, excused=((at(9), at(11)),)), punches, SHIFT, BERLIN, now=at(23))
    assert plain.late_minutes == 125 and excused.late_minutes == 0


def test_leaving_early_for_approved_hours_is_not_an_early_exit():
    punches = [PunchFact(at(9), Direction.IN, PunchSource.DEVICE), PunchFact(at(16), Direction.OUT, PunchSource.DEVICE)]
    excused = classify_day(DayContext(DAY, excused=((at(16), at(18)),)), punches, SHIFT, BERLIN, now=at(23))
    assert excused.early_exit_minutes == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00-12:30", (time(10), time(12, 30))),
        ("9-11", (time(9), time(11))),
        ("14.30 – 16", (time(14, 30), time(16))),
        ("٠٩:٣٠-١١:٠٠", (time(9, 30), time(11))),  # Arabic-Indic digits
        ("10 до 12", (time(10), time(12))),
        ("25:00-26:00", None),
        ("10:75-11", None),
        ("tomorrow", None),
        ("", None),
    ],
)
def test_a_typed_time_range_is_read_in_the_usual_ways(text, expected):
    assert parse_time_range(text) == expected


@given(h1=st.integers(0, 23), m1=st.integers(0, 59), h2=st.integers(0, 23), m2=st.integers(0, 59))
def test_a_written_range_reads_back_as_itself(h1, m1, h2, m2):
    assert parse_time_range(f"{h1:02d}:{m1:02d}-{h2}:{m2:02d}") == (time(h1, m1), time(h2, m2))
