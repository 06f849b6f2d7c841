"""The attendance heatmap counts exceptions per group and day and shades them against the month's peak."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enums import AttendanceStatus as S
from shared.domain.heatmap import DayFact, build_heatmap, is_exception

D1, D2 = date(2026, 11, 2), date(2026, 11, 3)


def test_absent_late_early_incomplete_and_half_days_are_exceptions_and_leave_is_not():
    assert is_exception(DayFact("a", D1, S.ABSENT))
    assert is_exception(DayFact("a", D1, S.PRESENT, late_minutes=5))
    assert is_exception(DayFact("a", D1, S.PRESENT, early_exit_minutes=1))
    assert is_exception(DayFact("a", D1, S.INCOMPLETE))
    assert is_exception(DayFact("a", D1, S.HALF_DAY))
    for quiet in (S.PRESENT, S.ON_LEAVE, S.HALF_LEAVE, S.HOLIDAY, S.WEEKEND):
        assert not is_exception(DayFact("a", D1, quiet))


def test_counts_are_per_group_and_day_and_empty_groups_are_kept():
    facts = [DayFact("Sales", D1, S.ABSENT), DayFact("Sales", D1, S.PRESENT, late_minutes=3),
             DayFact("Sales", D2, S.PRESENT), DayFact("Ops", D2, S.INCOMPLETE)]  # fmt: skip
    heat = build_heatmap(facts, days=[D1, D2], groups=["Sales", "Ops", "HR"])
    assert heat.counts == {"Sales": {D1: 2}, "Ops": {D2: 1}, "HR": {}}
    assert heat.peak == 2 and heat.level("Sales", D1) == 4 and heat.level("Ops", D2) == 2
    assert heat.level("Sales", D2) == 0 and heat.level("HR", D1) == 0


@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from([D1, D2]), st.sampled_from(list(S)),
                          st.integers(0, 30)), max_size=40))  # fmt: skip
def test_levels_stay_between_0_and_4_and_only_the_peak_is_4(rows):
    heat = build_heatmap([DayFact(g, d, s, late_minutes=m) for g, d, s, m in rows], days=[D1, D2])
    for group in heat.counts:
        for day in (D1, D2):
            level = heat.level(group, day)
            assert 0 <= level <= 4
            assert (level == 0) == (heat.counts[group].get(day, 0) == 0)
            if heat.counts[group].get(day, 0) == heat.peak and heat.peak:
                assert level == 4
