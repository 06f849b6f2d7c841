"""Properties of the working-time rules for any week of punches (hypothesis)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.compliance import Limits, RuleCode, evaluate
from shared.domain.enums import Direction, PunchSource
from shared.domain.punches import PunchFact
from shared.domain.working_time import Interval, night_minutes, shifts_of, work_intervals

TZ = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 16, tzinfo=UTC)
WEEK_MINUTES = 7 * 24 * 60

punches = st.lists(
    st.builds(
        PunchFact,
        st.integers(0, WEEK_MINUTES).map(lambda m: START + timedelta(minutes=m)),
        st.sampled_from(list(Direction)),
        st.just(PunchSource.DEVICE),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(punches)
def test_each_violation_of_a_random_week_is_reported_once(week):
    shifts = shifts_of(work_intervals(week), tz=TZ)
    found = evaluate(shifts, Limits(), tz=TZ)
    keys = Counter(v.key for v in found)
    assert all(n == 1 for n in keys.values())
    assert all(v.excess > 0 for v in found)
    assert evaluate(shifts_of(work_intervals(list(reversed(week))), tz=TZ), Limits(), tz=TZ) == found


@settings(max_examples=300, deadline=None)
@given(punches)
def test_intervals_never_overlap_and_are_shorter_than_sixteen_hours(week):
    intervals = work_intervals(week)
    for interval in intervals:
        assert timedelta(0) < interval.end - interval.start < timedelta(hours=16)
    for a, b in itertools.pairwise(intervals):
        assert a.end <= b.start


@settings(max_examples=200, deadline=None)
@given(
    days=st.integers(1, 6),
    start_hour=st.integers(6, 10),
    length=st.integers(60, 6 * 60),
)
def test_a_week_that_meets_every_limit_exactly_or_under_has_no_violation(days, start_hour, length):
    """Shifts of at most six hours without a break, six days, rest of at least eleven hours: quiet."""
    intervals = [
        Interval(
            START + timedelta(days=d, hours=start_hour), START + timedelta(days=d, hours=start_hour, minutes=length)
        )
        for d in range(days)
    ]
    assert evaluate(shifts_of(intervals, tz=TZ), Limits(), tz=TZ) == []


@settings(max_examples=200, deadline=None)
@given(rest=st.integers(4 * 60, 20 * 60), first=st.integers(60, 6 * 60))
def test_the_rest_rule_fires_exactly_when_the_rest_is_under_the_limit(rest, first):
    a = Interval(START + timedelta(hours=8), START + timedelta(hours=8, minutes=first))
    b_start = a.end + timedelta(minutes=rest)
    b = Interval(b_start, b_start + timedelta(hours=2))
    found = [v for v in evaluate(shifts_of([a, b], tz=TZ), Limits(), tz=TZ) if v.rule is RuleCode.DAILY_REST]
    assert len(found) == (1 if rest < 11 * 60 else 0)
    if found:
        assert found[0].excess == 11 * 60 - rest


@settings(max_examples=200, deadline=None)
@given(limit=st.integers(60, 12 * 60), over=st.integers(0, 120), hour=st.integers(6, 9))
def test_daily_hours_fire_exactly_past_the_limit_and_say_by_how_much(limit, over, hour):
    limits = Limits(max_daily=limit, break_after=24 * 60, max_night_shift=24 * 60)
    start = START + timedelta(hours=hour)
    found = evaluate(shifts_of([Interval(start, start + timedelta(minutes=limit + over))], tz=TZ), limits, tz=TZ)
    assert [(v.rule, v.excess) for v in found] == ([(RuleCode.DAILY_HOURS, over)] if over else [])


@settings(max_examples=200, deadline=None)
@given(after=st.integers(60, 10 * 60), over=st.integers(0, 60), pause=st.integers(0, 40))
def test_the_break_rule_fires_exactly_when_a_stretch_passes_the_limit_without_a_long_enough_gap(after, over, pause):
    """Work ``after + over`` minutes with a gap of ``pause`` minutes in the middle; 15 minutes is a break."""
    limits = Limits(break_after=after, max_daily=24 * 60, max_night_shift=24 * 60)
    start = START + timedelta(hours=6)
    half = (after + over) // 2
    first = Interval(start, start + timedelta(minutes=half))
    second_start = first.end + timedelta(minutes=pause)
    second = Interval(second_start, second_start + timedelta(minutes=after + over - half))
    intervals = [first, second] if pause else [Interval(start, start + timedelta(minutes=after + over))]
    found = [v for v in evaluate(shifts_of(intervals, tz=TZ), limits, tz=TZ) if v.rule is RuleCode.BREAK]
    broken = over > 0 and pause < 15
    assert len(found) == (1 if broken else 0)
    if found:
        assert found[0].excess == over


@settings(max_examples=150, deadline=None)
@given(
    start=st.integers(0, 60 * 24 * 200).map(lambda m: datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=m)),
    length=st.integers(1, 15 * 60),
)
def test_night_minutes_count_every_minute_between_22_and_5_local_time(start, length):
    shift = shifts_of([Interval(start, start + timedelta(minutes=length))], tz=TZ)[0]
    brute = sum(
        1 for m in range(length) if not time(5) <= (start + timedelta(minutes=m)).astimezone(TZ).time() < time(22)
    )
    assert night_minutes(shift, tz=TZ, night_start=time(22), night_end=time(5)) == brute
