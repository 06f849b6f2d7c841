"""Leave years: a request is charged to, and checked against, the year its days fall in."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.enums import Accrual, LeaveStatus, LedgerKind
from shared.domain.leave import LeavePolicy, LeaveRecord, LeaveSpan, WorkCalendar
from shared.domain.leave_year import (
    charge_date,
    check_years_ahead,
    days_by_year,
    reserved_by_year,
    reversal_entries,
    taken_entries,
    year_balance,
)
from shared.domain.ledger import LedgerPosting, balance
from shared.domain.ledger_accrual import allocation_entry
from shared.domain.ledger_carry import carry_over_entries

WEEKDAYS = WorkCalendar("12345")
TODAY = date(2026, 12, 3)
ANNUAL = LeavePolicy(id=1, code="annual", name="Annual", yearly_allowance=Decimal(20), carry_over_cap=Decimal(5))
ME = 7


def record(start: date, end: date, days: str, request_id: int = 40) -> LeaveRecord:
    return LeaveRecord(
        id=request_id, employee_id=ME, leave_type_id=1, start_date=start, end_date=end, start_half=None,
        end_half=None, working_days=Decimal(days), status=LeaveStatus.APPROVED, approver_id=None,
    )  # fmt: skip


def allocation(year: int) -> LedgerPosting:
    posting = allocation_entry(ANNUAL, ME, year)
    assert posting is not None
    return posting


def test_a_request_across_new_year_is_split_by_year() -> None:
    parts = days_by_year(LeaveSpan(date(2026, 12, 28), date(2027, 1, 8)), WEEKDAYS)
    assert parts == {2026: Decimal(4), 2027: Decimal(6)}


def test_this_years_days_are_charged_today_and_next_years_on_new_years_day() -> None:
    assert charge_date(2026, TODAY) == TODAY
    assert charge_date(2027, TODAY) == date(2027, 1, 1)


def test_a_backdated_day_of_a_closed_year_comes_off_the_running_balance_today() -> None:
    assert charge_date(2026, date(2027, 1, 3)) == date(2027, 1, 3)


def test_next_years_leave_does_not_lower_this_years_closing_balance_or_carry_over() -> None:
    entries = [allocation(2026)]
    january = record(date(2027, 1, 4), date(2027, 1, 8), "5")
    entries += taken_entries(january, {2027: Decimal(5)}, today=TODAY)
    assert balance(entries, date(2026, 12, 31)) == Decimal(20)
    carried = carry_over_entries(ANNUAL, ME, entries, 2027)
    assert sum(p.delta for p in carried if p.delta > 0) == Decimal(5)  # the cap, from the untouched 20


def test_each_year_part_is_its_own_taken_entry_with_a_stable_key() -> None:
    request = record(date(2026, 12, 28), date(2027, 1, 8), "10")
    postings = taken_entries(request, {2026: Decimal(4), 2027: Decimal(6)}, today=TODAY)
    assert [(p.key, p.delta, p.effective_date) for p in postings] == [
        ("taken:40", Decimal(-4), TODAY),
        ("taken:40:2027", Decimal(-6), date(2027, 1, 1)),
    ]


def test_cancelling_next_years_leave_gives_the_days_back_to_next_year() -> None:
    request = record(date(2026, 12, 28), date(2027, 1, 8), "10")
    taken = taken_entries(request, {2026: Decimal(4), 2027: Decimal(6)}, today=TODAY)
    back = reversal_entries(request, taken, today=date(2026, 12, 10))
    assert [(p.key, p.delta, p.effective_date) for p in back] == [
        ("reversal:40", Decimal(4), date(2026, 12, 10)),
        ("reversal:40:2027", Decimal(6), date(2027, 1, 1)),
    ]


def test_this_years_balance_ignores_entries_dated_next_year() -> None:
    entries = [allocation(2026), *taken_entries(record(date(2027, 1, 4), date(2027, 1, 8), "5"), {2027: Decimal(5)},
                                                today=TODAY)]  # fmt: skip
    assert year_balance(entries, ANNUAL, ME, 2026, today=TODAY, part_start=TODAY, part_end=TODAY) == Decimal(20)


def test_next_years_balance_is_the_capped_carry_over_plus_next_years_allowance() -> None:
    entries = [allocation(2026)]
    got = year_balance(entries, ANNUAL, ME, 2027, today=TODAY, part_start=date(2027, 1, 4), part_end=date(2027, 1, 8))
    assert got == Decimal(5) + Decimal(20)


def test_this_years_pending_leave_is_set_aside_before_the_carry_over_cap() -> None:
    entries = [allocation(2026)]
    got = year_balance(
        entries, ANNUAL, ME, 2027, today=TODAY, part_start=date(2027, 1, 4), part_end=date(2027, 1, 8),
        reserved_this_year=Decimal(17),
    )  # fmt: skip
    assert got == Decimal(3) + Decimal(20)


def test_carried_days_that_expire_before_the_leave_do_not_count() -> None:
    expiring = LeavePolicy(id=1, yearly_allowance=Decimal(20), carry_over_cap=Decimal(5), carry_over_expiry_months=3)
    entries = [allocation(2026)]
    march = year_balance(entries, expiring, ME, 2027, today=TODAY, part_start=date(2027, 3, 31),
                         part_end=date(2027, 3, 31))  # fmt: skip
    april = year_balance(entries, expiring, ME, 2027, today=TODAY, part_start=date(2027, 4, 1),
                         part_end=date(2027, 4, 1))  # fmt: skip
    assert (march, april) == (Decimal(25), Decimal(20))


def test_monthly_accrual_next_year_counts_the_months_through_the_leave() -> None:
    monthly = LeavePolicy(id=1, yearly_allowance=Decimal(24), accrual=Accrual.MONTHLY, carry_over_cap=Decimal(0))
    got = year_balance([], monthly, ME, 2027, today=TODAY, part_start=date(2027, 3, 1), part_end=date(2027, 3, 5))
    assert got == Decimal(6)  # January to March


def test_next_years_approved_leave_lowers_next_years_balance() -> None:
    entries = [allocation(2026), *taken_entries(record(date(2027, 2, 1), date(2027, 2, 5), "5"), {2027: Decimal(5)},
                                                today=TODAY)]  # fmt: skip
    got = year_balance(entries, ANNUAL, ME, 2027, today=TODAY, part_start=date(2027, 3, 1), part_end=date(2027, 3, 1))
    assert got == Decimal(5) + Decimal(20) - Decimal(5)


def test_pending_requests_reserve_days_in_the_years_they_fall_in() -> None:
    pending = [
        (record(date(2026, 12, 28), date(2027, 1, 8), "10"), {2026: Decimal(4), 2027: Decimal(6)}),
        (record(date(2027, 2, 1), date(2027, 2, 2), "2", request_id=41), {2027: Decimal(2)}),
    ]
    assert reserved_by_year(pending, 1) == {2026: Decimal(4), 2027: Decimal(8)}
    assert reserved_by_year(pending, 2) == {}


def test_requests_reach_at_most_the_end_of_next_year() -> None:
    assert check_years_ahead(LeaveSpan(date(2027, 12, 31), date(2027, 12, 31)), TODAY) is None
    violation = check_years_ahead(LeaveSpan(date(2027, 12, 31), date(2028, 1, 2)), TODAY)
    assert violation is not None and violation.code == "too_far_ahead"


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    length=st.integers(0, 40),
    today=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    cancel_after=st.integers(0, 30),
)
def test_taken_entries_add_up_to_the_working_days_and_a_cancellation_returns_exactly_them(
    start: date, length: int, today: date, cancel_after: int
) -> None:
    end = start + timedelta(days=length)
    parts = days_by_year(LeaveSpan(start, end), WEEKDAYS)
    if not parts:
        return
    request = record(start, end, str(sum(parts.values())))
    taken = taken_entries(request, parts, today=today)
    assert -sum(p.delta for p in taken) == sum(parts.values())
    assert all(p.kind is LedgerKind.TAKEN and p.effective_date.year in (today.year, *parts) for p in taken)
    back = reversal_entries(request, taken, today=today + timedelta(days=cancel_after))
    assert sum(p.delta for p in taken + back) == 0
    assert len({p.key for p in taken + back}) == len(taken) * 2
    assert all(r.effective_date >= t.effective_date for t, r in zip(taken, back, strict=True))
