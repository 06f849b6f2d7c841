"""The leave balance as an append-only ledger: postings to insert, and the balance they add up to.

Nothing is ever edited in place: approving posts a ``taken`` entry, cancelling an approved request
posts a ``reversal`` of exactly the taken amount, HR corrects with an ``adjustment`` carrying a note.
Each periodic posting has a stable ``key`` (the table's unique column) so a job may run twice safely.

Rules decided here:
- ``taken`` is effective on the day of the approval and ``reversal`` on the day of the cancellation
  (passed in as ``on``), so the balance as of today already counts every approved leave, future ones
  included, and ``available = balance - reserved(pending)`` needs no look-ahead.
- Amounts are quantized to 0.01 day, the precision of the ledger's ``delta`` column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from shared.domain.enums import LeaveStatus, LedgerKind
from shared.domain.leave import ZERO, LeaveRecord, Step, Violation
from shared.errors import N_

CENT = Decimal("0.01")


class Entry(Protocol):
    """What the balance needs of a ledger row (a ``LedgerPosting`` or a row read back)."""

    @property
    def delta(self) -> Decimal: ...

    @property
    def effective_date(self) -> date: ...


@dataclass(frozen=True)
class LedgerPosting:
    """One ledger row, to insert or as read back (mirrors ``leave_ledger`` minus id, actor and timestamps)."""

    employee_id: int
    leave_type_id: int
    kind: LedgerKind
    delta: Decimal
    effective_date: date
    key: str | None = None
    request_id: int | None = None
    note: str | None = None


LedgerEntry = LedgerPosting  # a row read back has the same shape as a row to write


def quantize_days(value: Decimal) -> Decimal:
    """``value`` at the ledger's precision (0.01 day, halves rounded up)."""
    return value.quantize(CENT, ROUND_HALF_UP)


def round_to_step(value: Decimal, step: Decimal) -> Decimal:
    """``value`` to the nearest multiple of ``step`` (halves up); a step of 0 only quantizes to 0.01."""
    if step <= 0:
        return quantize_days(value)
    return quantize_days((value / step).quantize(Decimal(1), ROUND_HALF_UP) * step)


def balance(entries: Iterable[Entry], as_of: date) -> Decimal:
    """Sum of the deltas effective on or before ``as_of``."""
    return sum((e.delta for e in entries if e.effective_date <= as_of), ZERO)


def reserved(pending_requests: Iterable[LeaveRecord]) -> Decimal:
    """Working days held by pending requests (other statuses are ignored; filter by type before)."""
    return sum((r.working_days for r in pending_requests if r.status == LeaveStatus.PENDING), ZERO)


def available(entries: Iterable[Entry], pending_requests: Iterable[LeaveRecord], as_of: date) -> Decimal:
    """What can still be requested: the balance minus what pending requests hold."""
    return balance(entries, as_of) - reserved(pending_requests)


def taken_key(request_id: int) -> str:
    return f"taken:{request_id}"


def reversal_key(request_id: int) -> str:
    return f"reversal:{request_id}"


def taken_entry(request: LeaveRecord, *, on: date) -> LedgerPosting:
    """The ``taken`` posting of an approved request: minus its working days, effective on the approval day."""
    if request.id is None:
        raise ValueError("a request must be stored before its leave is taken")
    if request.working_days <= 0:
        raise ValueError(f"request {request.id} has no working days to take")
    return LedgerPosting(
        employee_id=request.employee_id,
        leave_type_id=request.leave_type_id,
        kind=LedgerKind.TAKEN,
        delta=-quantize_days(request.working_days),
        effective_date=on,
        key=taken_key(request.id),
        request_id=request.id,
        note=f"Leave {request.start_date.isoformat()} to {request.end_date.isoformat()}",
    )


def reversal_entry(request: LeaveRecord, entries: Iterable[LedgerPosting], *, on: date) -> LedgerPosting | None:
    """The ``reversal`` of a cancelled approved request: exactly what its ``taken`` entry took.

    The amount comes from the ledger, not from recounting the dates (holidays may have changed since).
    None when nothing was taken for this request.
    """
    if request.id is None:
        return None
    taken = [
        e
        for e in entries
        if e.kind == LedgerKind.TAKEN and (e.key == taken_key(request.id) or e.request_id == request.id)
    ]
    amount = -sum((e.delta for e in taken), ZERO)
    if amount <= 0:
        return None
    return LedgerPosting(
        employee_id=request.employee_id,
        leave_type_id=request.leave_type_id,
        kind=LedgerKind.REVERSAL,
        delta=amount,
        effective_date=on,
        key=reversal_key(request.id),
        request_id=request.id,
        note=f"Cancelled leave {request.start_date.isoformat()} to {request.end_date.isoformat()}",
    )


def adjustment_entry(
    *, employee_id: int, leave_type_id: int, delta: Decimal, on: date, note: str, key: str | None = None
) -> LedgerPosting:
    """An HR correction; it needs a non-zero amount and a note saying why. ``key`` is NULL unless given."""
    if not note or not note.strip():
        raise Violation("adjustment_note_missing", N_("An adjustment needs a note saying why."), Step.REASON).as_error()
    amount = quantize_days(delta)
    if amount == 0:
        raise Violation("adjustment_zero", N_("An adjustment must change the balance.")).as_error()
    return LedgerPosting(
        employee_id=employee_id,
        leave_type_id=leave_type_id,
        kind=LedgerKind.ADJUSTMENT,
        delta=amount,
        effective_date=on,
        key=key,
        note=note.strip(),
    )
