"""Working-time rules on hand-made shifts: each rule at its limit (quiet) and one minute past it (reported)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.domain.compliance import (
    Limits,
    RuleCode,
    evaluate,
    reference_period,
    resolve_limits,
    rest_before,
)
from shared.domain.enums import Direction, PunchSource
from shared.domain.punches import PunchFact
from shared.domain.working_time import Interval, night_minutes, shifts_of, work_intervals

TZ = ZoneInfo("Europe/Berlin")
UTCZ = ZoneInfo("UTC")
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def shifts(*spans: tuple[datetime, datetime], tz: ZoneInfo = UTCZ):
    return shifts_of([Interval(a, b) for a, b in spans], tz=tz)


def rules(found) -> list[RuleCode]:
    return [v.rule for v in found]


def punch(instant: datetime, direction: Direction = Direction.UNKNOWN) -> PunchFact:
    return PunchFact(instant, direction, PunchSource.DEVICE)


def test_in_and_out_punches_make_an_interval_and_a_forgotten_check_out_makes_none():
    found = work_intervals(
        [punch(at(0, 8), Direction.IN), punch(at(0, 12), Direction.OUT), punch(at(1, 8), Direction.IN)]
    )
    assert found == [Interval(at(0, 8), at(0, 12))]


def test_unknown_punches_alternate_and_a_long_gap_starts_afresh():
    found = work_intervals([punch(at(0, 8)), punch(at(0, 12)), punch(at(0, 13)), punch(at(1, 12)), punch(at(1, 16))])
    assert found == [Interval(at(0, 8), at(0, 12)), Interval(at(1, 12), at(1, 16))]


def test_an_interval_of_sixteen_hours_or_more_is_not_counted():
    assert work_intervals([punch(at(0, 6), Direction.IN), punch(at(0, 22), Direction.OUT)]) == []


def test_breaks_shorter_than_four_hours_stay_in_one_shift_which_belongs_to_the_day_it_started():
    found = shifts((at(0, 22), at(1, 2)), (at(1, 2.5), at(1, 6)), (at(1, 10), at(1, 12)))
    assert [s.day for s in found] == [date(2026, 11, 16), date(2026, 11, 17)]
    assert found[0].worked_minutes == 7 * 60 + 30


def test_a_rest_of_exactly_eleven_hours_is_no_violation():
    assert RuleCode.DAILY_REST not in rules(
        evaluate(shifts((at(0, 8), at(0, 16)), (at(1, 3), at(1, 10))), Limits(), tz=UTCZ)
    )


def test_a_rest_one_minute_short_is_reported_with_the_missing_minute():
    found = evaluate(shifts((at(0, 8), at(0, 16)), (at(1, 3) - timedelta(minutes=1), at(1, 10))), Limits(), tz=UTCZ)
    rest = [v for v in found if v.rule is RuleCode.DAILY_REST]
    assert (
        len(rest) == 1 and rest[0].actual == 659 and rest[0].excess == 1 and rest[0].period_start == date(2026, 11, 17)
    )


def test_thirteen_hours_a_day_is_allowed_and_one_minute_more_is_not():
    limit = Limits(break_after=24 * 60)
    assert evaluate(shifts((at(0, 6), at(0, 19))), limit, tz=UTCZ) == []
    found = evaluate(shifts((at(0, 6), at(0, 19) + timedelta(minutes=1))), limit, tz=UTCZ)
    assert [(v.rule, v.excess) for v in found] == [(RuleCode.DAILY_HOURS, 1)]


def test_six_hours_without_a_break_is_allowed_and_one_minute_more_is_not():
    assert evaluate(shifts((at(0, 8), at(0, 14))), Limits(), tz=UTCZ) == []
    found = evaluate(shifts((at(0, 8), at(0, 14) + timedelta(minutes=1))), Limits(), tz=UTCZ)
    assert [(v.rule, v.actual, v.excess) for v in found] == [(RuleCode.BREAK, 361, 1)]


def test_a_gap_of_the_minimum_break_resets_the_stretch_but_a_shorter_gap_does_not():
    fine = shifts((at(0, 8), at(0, 12)), (at(0, 12.25), at(0, 16)))
    assert evaluate(fine, Limits(), tz=UTCZ) == []
    short = shifts((at(0, 8), at(0, 12)), (at(0, 12) + timedelta(minutes=14), at(0, 16)))
    assert rules(evaluate(short, Limits(), tz=UTCZ)) == [RuleCode.BREAK]


def test_night_work_may_last_eight_hours_and_a_minute_more_is_reported():
    limit = Limits(break_after=24 * 60)
    assert evaluate(shifts((at(0, 21), at(1, 5))), limit, tz=UTCZ) == []
    found = evaluate(shifts((at(0, 21), at(1, 5) + timedelta(minutes=1))), limit, tz=UTCZ)
    assert [(v.rule, v.period_start, v.excess) for v in found] == [(RuleCode.NIGHT_WORK, date(2026, 11, 16), 1)]


def test_night_minutes_follow_the_local_clock():
    shift = shifts((datetime(2026, 11, 16, 20, tzinfo=UTC), datetime(2026, 11, 17, 2, tzinfo=UTC)), tz=TZ)[0]
    assert night_minutes(shift, tz=TZ, night_start=time(22), night_end=time(5)) == 5 * 60  # 21:00–03:00 local


def test_six_days_in_a_row_are_allowed_and_the_seventh_is_one_run_reported_once():
    six = shifts(*[(at(d, 8), at(d, 12)) for d in range(6)])
    assert evaluate(six, Limits(), tz=UTCZ) == []
    eight = evaluate(shifts(*[(at(d, 8), at(d, 12)) for d in range(8)]), Limits(), tz=UTCZ)
    assert [(v.rule, v.period_start, v.period_end, v.actual) for v in eight] == [
        (RuleCode.CONSECUTIVE_DAYS, date(2026, 11, 16), date(2026, 11, 23), 8)
    ]


def test_weekly_average_counts_over_a_fixed_reference_period():
    first, last = reference_period(date(2026, 11, 18), 17)
    assert first.weekday() == 0 and (last - first).days == 17 * 7 - 1 and first <= date(2026, 11, 18) <= last
    limit = Limits(max_weekly_average=10 * 60, reference_weeks=1, break_after=24 * 60, max_consecutive_days=7)
    start = datetime.combine(first, time(8), UTC)
    exactly = shifts(*[(start + timedelta(days=d), start + timedelta(days=d, hours=2)) for d in range(5)])
    assert evaluate(exactly, limit, tz=UTCZ) == []
    more = shifts(*[(start + timedelta(days=d), start + timedelta(days=d, hours=2, minutes=1)) for d in range(5)])
    assert [(v.rule, v.period_start, v.excess) for v in evaluate(more, limit, tz=UTCZ)] == [
        (RuleCode.WEEKLY_AVERAGE, first, 5)
    ]


def test_overrides_apply_company_then_department_then_shift_and_can_turn_rules_off():
    limits = resolve_limits(
        Limits(),
        {"min_daily_rest": 600, "max_daily": None},
        {"max_daily": 600},
        {"max_daily": 480, "disabled": ["break"]},
    )
    assert (limits.min_daily_rest, limits.max_daily) == (600, 480)
    assert RuleCode.BREAK not in limits.enabled and RuleCode.DAILY_REST in limits.enabled


def test_a_check_in_after_nine_hours_forty_warns_and_after_eleven_does_not():
    out = at(0, 20)
    warning = rest_before(out + timedelta(hours=9, minutes=40), out, Limits(), shift_gap=timedelta(hours=4))
    assert warning is not None and (warning.rest_minutes, warning.required_minutes) == (580, 660)
    assert rest_before(out + timedelta(hours=11), out, Limits(), shift_gap=timedelta(hours=4)) is None
    assert rest_before(out + timedelta(minutes=30), out, Limits(), shift_gap=timedelta(hours=4)) is None  # a break
    assert rest_before(out + timedelta(hours=5), None, Limits(), shift_gap=timedelta(hours=4)) is None
