"""Balance as the sum of an append-only ledger: taken, reversal, adjustment, reserved and available."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enums import LeaveStatus, LedgerKind
from shared.domain.leave import LeaveRecord, RuleViolated, Step
from shared.domain.ledger import (
    LedgerPosting,
    adjustment_entry,
    available,
    balance,
    reserved,
    reversal_entry,
    taken_entry,
)

EMP, TYPE = 7, 3


def entry(kind: LedgerKind, delta: str, on: date, key: str | None = None, request_id: int | None = None):
    return LedgerPosting(EMP, TYPE, kind, Decimal(delta), on, key, request_id)


def request(id: int = 41, days: str = "3", status: LeaveStatus = LeaveStatus.APPROVED) -> LeaveRecord:
    return LeaveRecord(id, EMP, TYPE, date(2025, 8, 4), date(2025, 8, 6), None, None, Decimal(days), status)


LEDGER = [
    entry(LedgerKind.ALLOCATION, "20", date(2025, 1, 1), "allocation:3:7:2025"),
    entry(LedgerKind.TAKEN, "-3", date(2025, 3, 10), "taken:1", 1),
    entry(LedgerKind.ADJUSTMENT, "1.5", date(2025, 6, 1)),
    entry(LedgerKind.TAKEN, "-0.5", date(2025, 6, 1), "taken:2", 2),
    entry(LedgerKind.ALLOCATION, "20", date(2026, 1, 1), "allocation:3:7:2026"),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 12, 31), "0"),
        (date(2025, 1, 1), "20"),
        (date(2025, 3, 9), "20"),
        (date(2025, 3, 10), "17"),
        (date(2025, 6, 1), "18"),
        (date(2025, 12, 31), "18"),
        (date(2026, 1, 1), "38"),
    ],
    ids=[
        "nothing before the first entry",
        "an entry counts on its effective date",
        "the day before a taken entry it is not counted",
        "a taken entry counts on its effective date",
        "entries of the same day all count",
        "the year end balance ignores next year's allocation",
        "next year's allocation counts from january 1",
    ],
)
def test_balance_as_of(as_of: date, expected: str) -> None:
    assert balance(LEDGER, as_of) == Decimal(expected)


def test_reserved_counts_only_pending_requests() -> None:
    requests = [
        request(1, "2", LeaveStatus.PENDING),
        request(2, "0.5", LeaveStatus.PENDING),
        request(3, "5", LeaveStatus.APPROVED),
        request(4, "1", LeaveStatus.REJECTED),
        request(5, "1", LeaveStatus.CANCELLED),
    ]
    assert reserved(requests) == Decimal("2.5")


def test_available_is_the_balance_minus_pending_requests() -> None:
    pending = [request(9, "4", LeaveStatus.PENDING)]
    assert available(LEDGER, pending, date(2025, 12, 31)) == Decimal(14)


def test_available_may_be_negative_when_pending_exceeds_the_balance() -> None:
    pending = [request(9, "25", LeaveStatus.PENDING)]
    assert available(LEDGER, pending, date(2025, 12, 31)) == Decimal(-7)


def test_approving_posts_minus_the_working_days_on_the_approval_day() -> None:
    posting = taken_entry(request(days="2.5"), on=date(2025, 7, 1))
    assert posting == LedgerPosting(
        EMP, TYPE, LedgerKind.TAKEN, Decimal("-2.50"), date(2025, 7, 1), "taken:41", 41, posting.note
    )
    assert "2025-08-04" in posting.note


@pytest.mark.parametrize(
    "bad",
    [request(days="0"), LeaveRecord(None, EMP, TYPE, date(2025, 1, 6), date(2025, 1, 6), working_days=Decimal(1))],
    ids=["a request without working days cannot be taken", "an unsaved request cannot be taken"],
)
def test_taken_entry_refuses(bad: LeaveRecord) -> None:
    with pytest.raises(ValueError):
        taken_entry(bad, on=date(2025, 7, 1))


def test_cancelling_reverses_exactly_what_was_taken() -> None:
    taken = entry(LedgerKind.TAKEN, "-2.5", date(2025, 7, 1), "taken:41", 41)
    posting = reversal_entry(request(days="3"), [*LEDGER, taken], on=date(2025, 7, 20))
    assert (posting.kind, posting.delta, posting.key, posting.request_id) == (
        LedgerKind.REVERSAL,
        Decimal("2.5"),
        "reversal:41",
        41,
    )
    assert posting.effective_date == date(2025, 7, 20)


def test_a_taken_entry_found_by_request_id_is_reversed_too() -> None:
    taken = entry(LedgerKind.TAKEN, "-1", date(2025, 7, 1), None, 41)
    assert reversal_entry(request(), [taken], on=date(2025, 7, 2)).delta == Decimal(1)


def test_nothing_is_reversed_when_nothing_was_taken() -> None:
    assert reversal_entry(request(), LEDGER, on=date(2025, 7, 2)) is None


def test_an_adjustment_keeps_its_note_and_has_no_key() -> None:
    posting = adjustment_entry(
        employee_id=EMP, leave_type_id=TYPE, delta=Decimal("-1.5"), on=date(2025, 5, 5), note=" Correction "
    )
    assert (posting.kind, posting.delta, posting.note, posting.key) == (
        LedgerKind.ADJUSTMENT,
        Decimal("-1.5"),
        "Correction",
        None,
    )


@pytest.mark.parametrize(
    ("delta", "note", "code"),
    [("2", "", "adjustment_note_missing"), ("2", "   ", "adjustment_note_missing"), ("0", "typo", "adjustment_zero")],
    ids=["an adjustment without a note is refused", "a blank note is refused", "a zero adjustment is refused"],
)
def test_adjustment_refusals(delta: str, note: str, code: str) -> None:
    with pytest.raises(RuleViolated) as caught:
        adjustment_entry(employee_id=EMP, leave_type_id=TYPE, delta=Decimal(delta), on=date(2025, 5, 5), note=note)
    assert caught.value.code == code


def test_a_missing_note_points_at_the_reason() -> None:
    with pytest.raises(RuleViolated) as caught:
        adjustment_entry(employee_id=EMP, leave_type_id=TYPE, delta=Decimal(1), on=date(2025, 5, 5), note="")
    assert caught.value.violation.field == Step.REASON


# --- properties -------------------------------------------------------------------------------------

days = st.decimals(min_value=-40, max_value=40, places=2)
dates = st.dates(date(2024, 1, 1), date(2026, 12, 31))
postings = st.lists(st.builds(entry, st.sampled_from(list(LedgerKind)), days.map(str), dates), max_size=30)


@given(postings, dates)
def test_balance_equals_the_sum_of_the_entries_up_to_the_date(entries: list[LedgerPosting], as_of: date) -> None:
    assert balance(entries, as_of) == sum((e.delta for e in entries if e.effective_date <= as_of), Decimal(0))
    assert balance(entries, date.max) == sum((e.delta for e in entries), Decimal(0))


@given(
    postings,
    st.decimals(min_value="0.5", max_value=60, places=1).filter(lambda x: x * 2 % 1 == 0),
    dates,
    st.integers(0, 400),
    st.integers(0, 400),
)
def test_approve_then_cancel_returns_the_balance_exactly(
    entries: list[LedgerPosting], working: Decimal, approved_on: date, gap: int, after: int
) -> None:
    leave = request(days=str(working))
    taken = taken_entry(leave, on=approved_on)
    cancelled_on = approved_on + timedelta(days=gap)
    reversal = reversal_entry(leave, [*entries, taken], on=cancelled_on)
    as_of = cancelled_on + timedelta(days=after)
    assert balance([*entries, taken, reversal], as_of) == balance(entries, as_of)
    assert balance([*entries, taken, reversal], approved_on) == balance(entries, approved_on) - working * (gap > 0)
