"""What a leave type grants: rounding, proration by hire date, yearly allocation, monthly accruals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enums import Accrual, LedgerKind
from shared.domain.leave import LeavePolicy
from shared.domain.ledger import round_to_step
from shared.domain.ledger_accrual import (
    accrual_schedule,
    accrued_through,
    allocation_entry,
    entitlement_entries,
    monthly_accrual_entries,
    monthly_accrual_entry,
    prorated_allowance,
)


def monthly(allowance: str, rounding: str = "0.5") -> LeavePolicy:
    return LeavePolicy(
        id=3, yearly_allowance=Decimal(allowance), accrual=Accrual.MONTHLY, accrual_rounding=Decimal(rounding)
    )


def yearly(allowance: str, rounding: str = "0.5") -> LeavePolicy:
    return LeavePolicy(
        id=3, yearly_allowance=Decimal(allowance), accrual=Accrual.YEARLY, accrual_rounding=Decimal(rounding)
    )


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        ("10.24", "0.5", "10.00"),
        ("10.25", "0.5", "10.50"),
        ("10.74", "0.5", "10.50"),
        ("10.125", "0.25", "10.25"),
        ("10.12", "0.25", "10.00"),
        ("1.6666", "0", "1.67"),
        ("0.004", "0", "0.00"),
        ("7.4", "1", "7.00"),
    ],
    ids=[
        "just under a quarter rounds down to the half",
        "a quarter rounds up to the half",
        "just under three quarters rounds down to the half",
        "an eighth rounds up to the quarter",
        "just under an eighth rounds down to the quarter",
        "no rounding keeps the ledger's two decimals",
        "no rounding drops what is under a hundredth",
        "a whole day step rounds to whole days",
    ],
)
def test_round_to_step(value: str, step: str, expected: str) -> None:
    assert round_to_step(Decimal(value), Decimal(step)) == Decimal(expected)


@pytest.mark.parametrize(
    ("allowance", "year", "hire", "rounding", "expected"),
    [
        ("20", 2025, None, "0.5", "20"),
        ("20", 2025, date(2019, 5, 17), "0.5", "20"),
        ("20", 2025, date(2025, 1, 1), "0.5", "20"),
        ("20", 2025, date(2025, 7, 1), "0.5", "10"),
        ("20", 2025, date(2025, 7, 1), "0", "10.08"),
        ("20", 2024, date(2024, 7, 1), "0", "10.05"),
        ("20", 2024, date(2024, 3, 1), "0.5", "16.5"),
        ("20", 2025, date(2025, 3, 1), "0.5", "17"),
        ("25", 2025, date(2025, 7, 1), "0.25", "12.5"),
        ("20", 2025, date(2025, 12, 31), "0.5", "0"),
        ("20", 2025, date(2025, 12, 31), "0", "0.05"),
        ("13.5", 2025, date(2025, 4, 15), "0.5", "9.5"),
        ("20", 2025, date(2026, 1, 1), "0.5", "0"),
        ("13.3", 2025, None, "0.5", "13.3"),
    ],
    ids=[
        "no hire date gives the full allowance",
        "hired years ago gives the full allowance",
        "hired on january 1 gives the full allowance",
        "hired on july 1 gives about half rounded to the half day",
        "hired on july 1 without rounding gives 184 of 365 days",
        "hired on july 1 of a leap year gives 184 of 366 days",
        "hired on march 1 of a leap year counts february 29 in the year",
        "hired on march 1 of a common year rounds up to 17",
        "hired on july 1 with quarter day rounding",
        "hired on december 31 rounds to nothing",
        "hired on december 31 without rounding keeps one day's share",
        "a fractional allowance is prorated and rounded",
        "hired after the year gets nothing",
        "a full year allowance is never rounded",
    ],
)
def test_prorated_allowance(allowance: str, year: int, hire: date | None, rounding: str, expected: str) -> None:
    assert prorated_allowance(Decimal(allowance), year, hire, Decimal(rounding)) == Decimal(expected)


def test_an_allocation_is_effective_on_january_first_with_its_key() -> None:
    posting = allocation_entry(yearly("20"), employee_id=7, year=2025)
    assert (posting.kind, posting.delta, posting.effective_date) == (
        LedgerKind.ALLOCATION,
        Decimal(20),
        date(2025, 1, 1),
    )
    assert posting.key == "allocation:3:7:2025"


def test_a_prorated_allocation_is_effective_on_the_hire_date() -> None:
    posting = allocation_entry(yearly("20"), employee_id=7, year=2025, hire_date=date(2025, 7, 1))
    assert (posting.delta, posting.effective_date) == (Decimal(10), date(2025, 7, 1))
    assert "prorated" in posting.note


@pytest.mark.parametrize(
    ("policy", "hire"),
    [
        (monthly("20"), None),
        (LeavePolicy(id=3, yearly_allowance=Decimal(20), accrual=Accrual.NONE), None),
        (yearly("20"), date(2025, 12, 31)),
        (yearly("20"), date(2026, 2, 1)),
    ],
    ids=[
        "a monthly type has no yearly allocation",
        "a type without accrual has no allocation",
        "an allocation prorated to nothing is not posted",
        "someone hired after the year has no allocation",
    ],
)
def test_no_allocation(policy: LeavePolicy, hire: date | None) -> None:
    assert allocation_entry(policy, employee_id=7, year=2025, hire_date=hire) is None


ALLOWANCES = ["20", "21", "25", "13.5", "13.3", "1", "1.37"]
ROUNDINGS = ["0.5", "0.25", "0"]


@pytest.mark.parametrize("rounding", ROUNDINGS, ids=lambda r: f"rounding {r}")
@pytest.mark.parametrize("allowance", ALLOWANCES, ids=lambda a: f"allowance {a}")
def test_twelve_monthly_accruals_sum_exactly_to_the_allowance(allowance: str, rounding: str) -> None:
    postings = monthly_accrual_entries(monthly(allowance, rounding), employee_id=7, year=2025)
    assert sum(p.delta for p in postings) == Decimal(allowance)
    assert all(p.delta > 0 for p in postings)


@pytest.mark.parametrize(
    ("allowance", "rounding", "deltas"),
    [
        ("20", "0.5", "1.5 2 1.5 1.5 2 1.5 1.5 2 1.5 1.5 2 1.5"),
        ("20", "0", "1.67 1.66 1.67 1.67 1.66 1.67 1.67 1.66 1.67 1.67 1.66 1.67"),
        ("21", "0.25", "1.75 1.75 1.75 1.75 1.75 1.75 1.75 1.75 1.75 1.75 1.75 1.75"),
        ("25", "0.5", "2 2 2.5 2 2 2 2 2 2.5 2 2 2"),
        ("13.5", "0.25", "1.25 1 1.25 1 1.25 1 1.25 1 1.25 1 1.25 1"),
    ],
    ids=[
        "twenty by halves carries the remainder every third month",
        "twenty without rounding alternates hundredths",
        "twenty one by quarters is exact every month",
        "twenty five by halves rounds the quarter up twice a year",
        "thirteen and a half by quarters alternates",
    ],
)
def test_monthly_accrual_amounts(allowance: str, rounding: str, deltas: str) -> None:
    rows = accrual_schedule(monthly(allowance, rounding), 2025)
    assert [row.delta for row in rows] == [Decimal(x) for x in deltas.split()]


def test_an_accrual_is_keyed_by_year_and_month_and_posted_on_the_first() -> None:
    posting = monthly_accrual_entry(monthly("20"), employee_id=7, year=2025, month=3)
    assert (posting.key, posting.effective_date, posting.kind) == (
        "accrual:3:7:2025-03",
        date(2025, 3, 1),
        LedgerKind.ACCRUAL,
    )


@pytest.mark.parametrize(
    ("hire", "total", "first"),
    [
        (date(2025, 1, 1), "20", date(2025, 1, 1)),
        (date(2025, 7, 1), "10", date(2025, 7, 1)),
        (date(2025, 7, 16), "9", date(2025, 7, 16)),
        (date(2025, 12, 31), "0", None),
        (date(2024, 2, 29), "20", date(2025, 1, 1)),
    ],
    ids=[
        "hired on january 1 accrues the whole allowance",
        "hired on july 1 accrues six months",
        "hired mid july accrues the share of july from the hire date",
        "hired on december 31 accrues nothing after rounding",
        "hired on a leap day the year before accrues the whole year",
    ],
)
def test_monthly_accrual_for_a_hire(hire: date, total: str, first: date | None) -> None:
    postings = monthly_accrual_entries(monthly("20"), employee_id=7, year=2025, hire_date=hire)
    assert sum(p.delta for p in postings) == Decimal(total)
    assert (postings[0].effective_date if postings else None) == first


def test_accruals_through_a_date_stop_at_that_month() -> None:
    postings = monthly_accrual_entries(monthly("20"), employee_id=7, year=2025, through=date(2025, 3, 31))
    assert [p.key for p in postings] == ["accrual:3:7:2025-01", "accrual:3:7:2025-02", "accrual:3:7:2025-03"]
    assert sum(p.delta for p in postings) == accrued_through(monthly("20"), 2025, 3) == Decimal(5)


def test_a_month_that_adds_nothing_posts_nothing() -> None:
    policy = monthly("1")
    assert monthly_accrual_entry(policy, employee_id=7, year=2025, month=1) is None
    assert len(monthly_accrual_entries(policy, employee_id=7, year=2025)) == 2


def test_a_yearly_type_has_no_monthly_accruals() -> None:
    assert monthly_accrual_entries(yearly("20"), employee_id=7, year=2025) == []
    assert monthly_accrual_entry(yearly("20"), employee_id=7, year=2025, month=1) is None


@pytest.mark.parametrize(
    ("policy", "through", "keys"),
    [
        (yearly("20"), None, ["allocation:3:7:2025"]),
        (yearly("20"), date(2024, 12, 31), []),
        (monthly("24"), date(2025, 2, 1), ["accrual:3:7:2025-01", "accrual:3:7:2025-02"]),
    ],
    ids=[
        "a yearly type is entitled to its allocation",
        "nothing is entitled before the year starts",
        "a monthly type is entitled to the months so far",
    ],
)
def test_entitlement_entries(policy: LeavePolicy, through: date | None, keys: list[str]) -> None:
    assert [p.key for p in entitlement_entries(policy, employee_id=7, year=2025, through=through)] == keys


@given(
    allowance=st.decimals(min_value=0, max_value=60, places=2),
    rounding=st.sampled_from([Decimal("0.5"), Decimal("0.25"), Decimal(0), Decimal(1)]),
    year=st.integers(2000, 2100),
)
def test_monthly_accruals_over_a_year_sum_to_the_allowance(allowance: Decimal, rounding: Decimal, year: int) -> None:
    rows = accrual_schedule(monthly(str(allowance), str(rounding)), year)
    assert sum(row.delta for row in rows) == allowance
    assert all(row.delta >= 0 for row in rows)


@given(
    allowance=st.decimals(min_value=0, max_value=60, places=2),
    hire=st.dates(date(2024, 1, 1), date(2024, 12, 31)),
)
def test_a_hire_during_the_year_never_accrues_more_than_the_allowance(allowance: Decimal, hire: date) -> None:
    rows = accrual_schedule(monthly(str(allowance)), 2024, hire)
    assert 0 <= sum(row.delta for row in rows) <= allowance + Decimal("0.25")
    assert all(row.delta >= 0 for row in rows)
