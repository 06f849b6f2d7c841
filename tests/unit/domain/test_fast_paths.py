"""The nightly run's shortcuts give exactly what the general rules give (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.attendance import DayResult, classify_day, classify_days
from shared.domain.enums import AttendanceStatus, Direction, HoursMode, PunchSource
from shared.domain.punches import PunchFact, alternate_directions, resolve_directions, sort_punches
from shared.domain.shift_window import ShiftRule, day_plans
from tests.unit.domain.day_strategies import FIRST_DAY, ZONES, day_contexts

SHIFTS = [
    None,
    *(
        ShiftRule(time(start), time(end), 10, 5, Decimal(4), Decimal(1), 120, 240, mode, id=start)
        for start, end in [(9, 17), (22, 6), (8, 8)]
        for mode in HoursMode
    ),
]
NOW = datetime(2026, 10, 27, 12, tzinfo=UTC)  # some days over, some not
T0 = datetime(2026, 10, 22, tzinfo=UTC)

punch_facts = st.builds(
    PunchFact,
    instant=st.integers(min_value=0, max_value=6 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m)),
    direction=st.sampled_from(Direction),
    source=st.sampled_from(PunchSource),
)
explicit_punches = st.builds(
    PunchFact,
    instant=st.integers(min_value=0, max_value=24 * 60).map(lambda m: T0 + timedelta(minutes=m)),
    direction=st.sampled_from([Direction.IN, Direction.OUT, "in", "out"]),
)
contexts = day_contexts(employee_id=3)


@settings(max_examples=300, deadline=None)
@given(punches=st.lists(punch_facts | explicit_punches, max_size=10))
def test_property_directions_resolved_in_one_pass_are_those_of_the_alternation(punches):
    ordered = sort_punches(punches)
    resolved = resolve_directions(ordered)
    assert resolved == alternate_directions(ordered)
    assert all(d is Direction.IN or d is Direction.OUT for d in resolved)  # the members, never "in" / "out"


@settings(max_examples=300, deadline=None)
@given(
    days=st.lists(contexts, min_size=1, max_size=8),
    shift=st.sampled_from(SHIFTS),
    tz=st.sampled_from(ZONES),
    punches=st.lists(punch_facts, max_size=30),
    threshold=st.none() | st.just(30),
)
def test_property_days_classified_with_plans_in_any_order_equal_each_day_alone(days, shift, tz, punches, threshold):
    plans = day_plans({c.date for c in days}, shift, tz)
    one_pass = classify_days(punches, days, shift, tz, now=NOW, overtime_threshold=threshold, plans=plans)
    alone = [classify_day(c, punches, shift, tz, now=NOW, overtime_threshold=threshold) for c in days]
    assert one_pass == alone
    assert classify_days(punches, days, shift, tz, now=NOW, overtime_threshold=threshold) == alone


def test_a_day_result_is_the_daily_row_in_column_order():
    result = DayResult(7, FIRST_DAY, AttendanceStatus.PRESENT, T0, T0, 480, 5, 0, False, 3, None, 4, True, 1, 30)
    assert result._fields[:3] == ("employee_id", "date", "status") and result[5] == result.worked_minutes == 480
    assert result == DayResult(
        7, FIRST_DAY, AttendanceStatus.PRESENT, T0, T0, 480, 5, 0, False, 3, None, 4, True, 1, 30
    )
    with pytest.raises(AttributeError):
        result.status = AttendanceStatus.ABSENT  # type: ignore[misc]


def test_punch_facts_sort_by_instant_then_direction_then_source_and_cannot_change():
    late, early_out, early_in = PunchFact(T0 + timedelta(1)), PunchFact(T0, Direction.OUT), PunchFact(T0, Direction.IN)
    assert (
        sorted([late, early_out, early_in]) == sort_punches([late, early_out, early_in]) == [early_in, early_out, late]
    )
    with pytest.raises(AttributeError):
        late.instant = T0  # type: ignore[misc]
