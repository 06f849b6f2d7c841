"""Properties of the classification that must hold for any punches (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.attendance import DayContext, classify_day, classify_days
from shared.domain.enums import AttendanceStatus, Direction, HoursMode, PunchSource
from shared.domain.punches import PunchFact
from shared.domain.shift_window import ShiftRule, shift_window
from tests.unit.domain.day_strategies import FIRST_DAY, ZONES, day_contexts

SHIFTS = [
    None,
    *(
        ShiftRule(time(start), time(end), late, early, Decimal(4), Decimal(1), 120, 240, mode)
        for start, end in [(9, 17), (22, 6), (8, 8), (14, 22)]
        for late, early in [(0, 0), (10, 5)]
        for mode in HoursMode
    ),
]
NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)

punch_facts = st.builds(
    PunchFact,
    instant=st.integers(min_value=0, max_value=5 * 24 * 3600).map(
        lambda s: datetime(2026, 10, 22, tzinfo=UTC) + timedelta(seconds=s)
    ),
    direction=st.sampled_from(Direction),
    source=st.sampled_from(PunchSource),
)
contexts = day_contexts()


@settings(max_examples=300, deadline=None)
@given(
    context=contexts,
    shift=st.sampled_from(SHIFTS),
    tz=st.sampled_from(ZONES),
    punches=st.lists(punch_facts, max_size=12),
    shuffle=st.randoms(use_true_random=False),
)
def test_property_classification_is_the_same_whatever_the_punch_order(context, shift, tz, punches, shuffle):
    shuffled = list(punches)
    shuffle.shuffle(shuffled)
    assert classify_day(context, punches, shift, tz, now=NOW) == classify_day(context, shuffled, shift, tz, now=NOW)


@settings(max_examples=300, deadline=None)
@given(
    context=contexts,
    shift=st.sampled_from(SHIFTS),
    tz=st.sampled_from(ZONES),
    punches=st.lists(punch_facts, max_size=12),
)
def test_property_minutes_are_never_negative_nor_longer_than_the_span(context, shift, tz, punches):
    result = classify_day(context, punches, shift, tz, now=NOW)
    assert result.worked_minutes >= 0 and result.late_minutes >= 0 and result.early_exit_minutes >= 0
    if result.first_in is None or result.last_out is None:
        assert result.worked_minutes == 0
    else:
        span = int((result.last_out - result.first_in).total_seconds()) // 60
        assert result.worked_minutes <= span
        if shift is None or shift.hours_mode is HoursMode.FIRST_LAST:
            assert result.worked_minutes == span
    if shift is not None and result.late_minutes:
        assert result.late_minutes > shift.late_grace_minutes
    if shift is not None and result.early_exit_minutes:
        assert result.early_exit_minutes > shift.early_grace_minutes
    assert result.punch_count <= len(punches)


@settings(max_examples=300, deadline=None)
@given(
    context=contexts,
    shift=st.sampled_from(SHIFTS),
    tz=st.sampled_from(ZONES),
    punches=st.lists(punch_facts, max_size=12),
)
def test_property_a_status_without_punches_never_reports_times(context, shift, tz, punches):
    result = classify_day(context, punches, shift, tz, now=NOW)
    if result.punch_count == 0:
        assert (result.first_in, result.last_out, result.worked_minutes, result.late_minutes) == (None, None, 0, 0)
        assert result.status in {
            AttendanceStatus.ABSENT,
            AttendanceStatus.HOLIDAY,
            AttendanceStatus.WEEKEND,
            AttendanceStatus.ON_LEAVE,
            AttendanceStatus.HALF_LEAVE,
        }
    if result.first_in is not None:
        window = shift_window(context.date, shift, tz)
        inside = window.earliest_utc <= result.first_in <= window.latest_utc
        assert inside or result.unscheduled_punches > 0


@settings(max_examples=150, deadline=None)
@given(
    shift=st.sampled_from(SHIFTS),
    tz=st.sampled_from(ZONES),
    punches=st.lists(punch_facts, max_size=30),
    holiday=st.integers(min_value=0, max_value=4),
)
def test_property_a_range_in_one_pass_equals_each_day_alone(shift, tz, punches, holiday):
    days = [
        DayContext(FIRST_DAY + timedelta(days=n), "1234567", is_holiday=n == holiday, employee_id=1) for n in range(5)
    ]
    in_one_pass = classify_days(punches, days, shift, tz, now=NOW)
    assert in_one_pass == [classify_day(day, punches, shift, tz, now=NOW) for day in days]
    assert sum(r.punch_count for r in in_one_pass) <= len(punches)
