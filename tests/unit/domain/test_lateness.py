"""The lateness policy: crossings of N late days in a period, once each; deductions and exact waivers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enums import LatenessPeriod, LedgerKind
from shared.domain.lateness import LatenessPolicy, crossings, deduction_entry, waiver_entry
from shared.domain.ledger import balance

MONTH = LatenessPolicy(3, LatenessPeriod.MONTH, Decimal("0.5"), leave_type_id=1)
ROLLING = LatenessPolicy(3, LatenessPeriod.ROLLING_30, Decimal("0.5"), leave_type_id=1)
NOV = [date(2026, 11, d) for d in (2, 9, 16, 20, 23, 27)]


def test_three_late_days_in_a_month_cross_the_threshold_once():
    found = crossings(NOV[:3], (), MONTH)
    assert [c.days for c in found] == [tuple(NOV[:3])] and found[0].key == "month:2026-11-16"


def test_two_late_days_do_not_cross():
    assert crossings(NOV[:2], (), MONTH) == []


def test_six_late_days_cross_twice_and_each_day_counts_once():
    found = crossings(NOV, (), MONTH)
    assert [c.days for c in found] == [tuple(NOV[:3]), tuple(NOV[3:])]


def test_late_days_in_two_months_do_not_add_up_under_the_month_period():
    days = [date(2026, 10, 28), date(2026, 10, 30), date(2026, 11, 2)]
    assert crossings(days, (), MONTH) == []


def test_the_rolling_period_counts_across_a_month_end_within_thirty_days():
    days = [date(2026, 10, 28), date(2026, 10, 30), date(2026, 11, 2)]
    assert [c.key for c in crossings(days, (), ROLLING)] == ["rolling30:2026-11-02"]


def test_the_rolling_period_does_not_count_days_thirty_days_apart():
    assert crossings([date(2026, 10, 1), date(2026, 10, 15), date(2026, 10, 31)], (), ROLLING) == []


def test_days_counted_by_an_earlier_notice_are_not_counted_again():
    assert crossings(NOV[:4], NOV[:3], MONTH) == []


def test_a_policy_with_count_zero_is_off():
    assert crossings(NOV, (), LatenessPolicy(0)) == []


def test_the_deduction_lists_the_late_days_and_the_waiver_reverses_exactly_it():
    entry = deduction_entry(notice_id=4, employee_id=9, policy=MONTH, days=NOV[:3], on=NOV[2])
    assert entry is not None and entry.kind is LedgerKind.LATENESS and entry.delta == Decimal("-0.50")
    assert entry.note == "Late arrivals: 2026-11-02, 2026-11-09, 2026-11-16"
    waiver = waiver_entry(entry, notice_id=4, on=NOV[3])
    assert waiver is not None and waiver.kind is LedgerKind.REVERSAL and waiver.delta == Decimal("0.50")


def test_a_policy_without_a_deduction_posts_nothing():
    policy = LatenessPolicy(3, LatenessPeriod.MONTH)
    assert deduction_entry(notice_id=1, employee_id=1, policy=policy, days=NOV[:3], on=NOV[2]) is None


late_days = st.sets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=40)
policies = st.builds(
    LatenessPolicy,
    count=st.integers(1, 6),
    period=st.sampled_from(list(LatenessPeriod)),
    deduct_days=st.decimals("0.25", "2", places=2),
    leave_type_id=st.just(1),
)


def _evaluate(days: set[date], counted: set[date], policy: LatenessPolicy) -> list:
    """One evaluation as the service runs it: new crossings, whose days then count as counted."""
    found = crossings(days, counted, policy)
    for crossing in found:
        counted |= set(crossing.days)
    return found


@given(days=late_days, more=late_days, policy=policies, runs=st.integers(2, 4))
def test_evaluating_again_never_deducts_twice(days, more, policy, runs):
    counted: set[date] = set()
    keys: list[str] = []
    for _ in range(runs):
        keys += [c.key for c in _evaluate(days, counted, policy)]
    keys_after_first = len(keys)
    assert not _evaluate(days, counted, policy)  # the same days again: nothing new
    keys += [c.key for c in _evaluate(days | more, counted, policy)]
    assert len(keys) == len(set(keys)), "a crossing key was recorded twice"
    assert keys_after_first <= len(days) // policy.count


@given(days=late_days, policy=policies)
def test_every_crossing_has_count_days_in_one_period_and_no_day_is_in_two(days, policy):
    found = crossings(days, (), policy)
    seen: set[date] = set()
    for crossing in found:
        assert len(crossing.days) == policy.count and list(crossing.days) == sorted(crossing.days)
        first, last = crossing.days[0], crossing.days[-1]
        if policy.period is LatenessPeriod.MONTH:
            assert (first.year, first.month) == (last.year, last.month)
        else:
            assert last - first < timedelta(days=30)
        assert not seen & set(crossing.days)
        seen |= set(crossing.days)


@given(days=late_days, policy=policies, waived=st.sets(st.integers(0, 10)))
def test_waiving_restores_the_balance_exactly(days, policy, waived):
    opening = Decimal(10)
    entries = []
    for index, crossing in enumerate(crossings(days, (), policy)):
        entry = deduction_entry(notice_id=index, employee_id=1, policy=policy, days=crossing.days, on=crossing.last_day)
        assert entry is not None
        entries.append(entry)
        if index in waived:
            reversal = waiver_entry(entry, notice_id=index, on=crossing.last_day)
            assert reversal is not None
            entries.append(reversal)
    deductions = [e for e in entries if e.kind is LedgerKind.LATENESS]
    not_waived = sum(1 for i in range(len(deductions)) if i not in waived)
    end = date(2027, 1, 1)
    assert opening + balance(entries, end) == opening - not_waived * policy.deduct_days
