"""Year end: capped carry-over, expiry of what is left after leave taken, and the year-end projection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.domain.enums import Accrual, LedgerKind
from shared.domain.leave import LeavePolicy
from shared.domain.ledger import LedgerPosting, balance
from shared.domain.ledger_carry import (
    carried_over,
    carry_over_entries,
    carry_over_expiry_date,
    expiry_entry,
    projected_balance_at_year_end,
)

EMP, TYPE = 7, 3
K = LedgerKind


def entry(kind: LedgerKind, delta: str, on: date, key: str | None = None) -> LedgerPosting:
    return LedgerPosting(EMP, TYPE, kind, Decimal(delta), on, key)


def policy(cap: str | None = "5", expiry: int | None = 3, accrual: Accrual = Accrual.YEARLY, allowance: str = "20"):
    return LeavePolicy(
        id=TYPE,
        yearly_allowance=Decimal(allowance),
        accrual=accrual,
        carry_over_cap=None if cap is None else Decimal(cap),
        carry_over_expiry_months=expiry,
    )


def closing_at(amount: str) -> list[LedgerPosting]:
    return [entry(K.ALLOCATION, "20", date(2025, 1, 1)), entry(K.TAKEN, str(Decimal(amount) - 20), date(2025, 6, 1))]


@pytest.mark.parametrize(
    ("closing", "cap", "deltas"),
    [
        ("8", "5", ["-8", "5"]),
        ("3", "5", ["-3", "3"]),
        ("5", "5", ["-5", "5"]),
        ("5.5", "5", ["-5.5", "5"]),
        ("8", None, ["-8", "8"]),
        ("8", "0", ["-8"]),
        ("0", "5", []),
        ("-2", "5", []),
    ],
    ids=[
        "a balance over the cap carries only the cap",
        "a balance under the cap carries in full",
        "a balance exactly at the cap carries in full",
        "half a day over the cap is forfeited",
        "no cap carries everything",
        "a cap of zero carries nothing",
        "an empty balance posts nothing",
        "a negative balance is a debt that carries as it is",
    ],
)
def test_carry_over(closing: str, cap: str | None, deltas: list[str]) -> None:
    postings = carry_over_entries(policy(cap), EMP, closing_at(closing), into_year=2026)
    assert [p.delta for p in postings] == [Decimal(x) for x in deltas]
    assert all(p.kind == K.CARRY_OVER and p.effective_date == date(2026, 1, 1) for p in postings)
    assert balance(closing_at(closing) + postings, date(2026, 1, 1)) == min(
        Decimal(closing), Decimal(closing) if cap is None or Decimal(closing) < 0 else Decimal(cap)
    )


def test_carry_over_keys_name_the_year_carried_into() -> None:
    postings = carry_over_entries(policy(), EMP, closing_at("8"), into_year=2026)
    assert [p.key for p in postings] == ["carry:3:7:2026:close", "carry:3:7:2026"]


def test_running_the_carry_over_again_gives_the_same_postings() -> None:
    entries = closing_at("8")
    first = carry_over_entries(policy(), EMP, entries, into_year=2026)
    again = carry_over_entries(policy(), EMP, entries + first, into_year=2026)
    assert first == again


def test_carried_over_reads_the_carried_amount_back() -> None:
    entries = closing_at("8") + carry_over_entries(policy(), EMP, closing_at("8"), into_year=2026)
    assert carried_over(policy(), EMP, entries, 2026) == Decimal(5)
    assert carried_over(policy(), EMP, entries, 2027) == Decimal(0)


@pytest.mark.parametrize(
    ("months", "expected"),
    [(3, date(2026, 4, 1)), (0, date(2026, 1, 1)), (12, date(2027, 1, 1)), (15, date(2027, 4, 1)), (None, None)],
    ids=[
        "three months expire on april 1",
        "zero months expire at once",
        "twelve months expire a year later",
        "fifteen months expire in april of the next year",
        "no expiry months never expire",
    ],
)
def test_carry_over_expiry_date(months: int | None, expected: date | None) -> None:
    assert carry_over_expiry_date(policy(expiry=months), 2026) == expected


CARRIED = [
    *closing_at("8"),
    entry(K.CARRY_OVER, "-8", date(2026, 1, 1), "carry:3:7:2026:close"),
    entry(K.CARRY_OVER, "5", date(2026, 1, 1), "carry:3:7:2026"),
    entry(K.ALLOCATION, "20", date(2026, 1, 1), "allocation:3:7:2026"),
]


@pytest.mark.parametrize(
    ("movements", "expired"),
    [
        ([], "5"),
        ([entry(K.TAKEN, "-2", date(2026, 2, 10))], "3"),
        ([entry(K.TAKEN, "-5", date(2026, 3, 2))], None),
        ([entry(K.TAKEN, "-7", date(2026, 3, 2))], None),
        ([entry(K.TAKEN, "-2", date(2026, 2, 10)), entry(K.REVERSAL, "2", date(2026, 3, 1))], "5"),
        ([entry(K.TAKEN, "-2", date(2026, 2, 10)), entry(K.REVERSAL, "2", date(2026, 4, 2))], "3"),
        ([entry(K.TAKEN, "-3", date(2026, 3, 31))], "2"),
        ([entry(K.TAKEN, "-3", date(2026, 4, 1))], "5"),
        ([entry(K.TAKEN, "-0.5", date(2026, 1, 1))], "4.5"),
        ([entry(K.ADJUSTMENT, "-1", date(2026, 2, 1))], "5"),
        ([entry(K.ADJUSTMENT, "-23", date(2026, 2, 1))], "2"),
    ],
    ids=[
        "unused carried days all expire",
        "leave taken before the expiry uses carried days first",
        "leave using all carried days leaves nothing to expire",
        "leave beyond the carried days leaves nothing to expire",
        "a cancelled leave gives the carried days back before the expiry",
        "a leave cancelled after the expiry still counted as used",
        "leave taken on the last valid day counts",
        "leave taken on the expiry day does not count",
        "half a day taken on january 1 counts",
        "an hr adjustment does not use carried days",
        "the expiry never takes the balance below zero",
    ],
)
def test_expiry(movements: list[LedgerPosting], expired: str | None) -> None:
    posting = expiry_entry(policy(), EMP, CARRIED + movements, 2026, today=date(2026, 4, 1))
    if expired is None:
        assert posting is None
    else:
        assert (posting.kind, posting.delta, posting.effective_date, posting.key) == (
            K.EXPIRY,
            -Decimal(expired),
            date(2026, 4, 1),
            "expiry:3:7:2026",
        )


@pytest.mark.parametrize(
    ("chosen", "today"),
    [(policy(), date(2026, 3, 31)), (policy(expiry=None), date(2026, 12, 31))],
    ids=["nothing expires before the expiry date", "carried days without expiry months never expire"],
)
def test_no_expiry(chosen: LeavePolicy, today: date) -> None:
    assert expiry_entry(chosen, EMP, CARRIED, 2026, today=today) is None


def test_nothing_expires_when_nothing_was_carried() -> None:
    assert expiry_entry(policy(), EMP, closing_at("8"), 2026, today=date(2026, 6, 1)) is None


def test_zero_expiry_months_expire_everything_on_january_first() -> None:
    posting = expiry_entry(policy(expiry=0), EMP, CARRIED, 2026, today=date(2026, 1, 1))
    assert (posting.delta, posting.effective_date) == (Decimal(-5), date(2026, 1, 1))


def test_the_balance_after_carry_and_expiry_is_the_new_allowance_plus_what_was_used() -> None:
    taken = entry(K.TAKEN, "-2", date(2026, 2, 10))
    expiry = expiry_entry(policy(), EMP, [*CARRIED, taken], 2026, today=date(2026, 4, 1))
    assert balance([*CARRIED, taken, expiry], date(2026, 4, 1)) == Decimal(20)


# --- projection for /balance ------------------------------------------------------------------------

MONTHLY = policy(cap=None, expiry=None, accrual=Accrual.MONTHLY, allowance="24")


def accrual(month: int) -> LedgerPosting:
    return entry(K.ACCRUAL, "2", date(2026, month, 1), f"accrual:3:7:2026-{month:02d}")


@pytest.mark.parametrize(
    ("chosen", "entries", "today", "hire", "expected"),
    [
        (MONTHLY, [accrual(1), accrual(2), entry(K.TAKEN, "-1", date(2026, 2, 5))], date(2026, 2, 10), None, "23"),
        (MONTHLY, [accrual(1)], date(2026, 2, 1), None, "24"),
        (MONTHLY, [accrual(m) for m in range(1, 13)], date(2026, 12, 15), None, "24"),
        (MONTHLY, [], date(2026, 7, 10), date(2026, 7, 1), "12"),
        (MONTHLY, [accrual(1), entry(K.ADJUSTMENT, "1", date(2026, 12, 1))], date(2026, 1, 5), None, "25"),
        (MONTHLY, [accrual(1), entry(K.ADJUSTMENT, "1", date(2027, 1, 1))], date(2026, 1, 5), None, "24"),
        (policy(), [*CARRIED, entry(K.TAKEN, "-2", date(2026, 2, 3))], date(2026, 2, 15), None, "20"),
        (policy(), CARRIED[:2], date(2026, 1, 2), None, "20"),
        (
            policy(),
            [*CARRIED, entry(K.EXPIRY, "-5", date(2026, 4, 1), "expiry:3:7:2026")],
            date(2026, 5, 1),
            None,
            "20",
        ),
        (policy(expiry=None), CARRIED, date(2026, 5, 1), None, "25"),
    ],
    ids=[
        "a monthly type adds the months still to come",
        "a month whose accrual is not posted yet is still projected",
        "in december everything is already posted",
        "someone hired on july 1 projects half the allowance",
        "an entry dated later this year is counted",
        "an entry dated next year is not",
        "an expiry still to come is subtracted",
        "a carry over and an allocation not posted yet are projected",
        "an expiry already posted is not subtracted twice",
        "carried days that never expire stay in the projection",
    ],
)
def test_projected_balance_at_year_end(
    chosen: LeavePolicy, entries: list[LedgerPosting], today: date, hire: date | None, expected: str
) -> None:
    assert projected_balance_at_year_end(entries, chosen, EMP, today, hire_date=hire) == Decimal(expected)
