"""Leave years: which year's balance a request is charged to, and what that balance is.

The ledger is one running total per employee and type; the year end closes it (``ledger_carry``). A
request is checked against, and charged to, the balance of the year its days fall in.

Rules decided here:
- The leave year is the calendar year. A request's working days are split by year
  (:func:`days_by_year`); each part is checked against its own year and posted as its own ``taken``
  entry (``taken:{id}`` for the first year, ``taken:{id}:{year}`` for a later one).
- A part in the current year is dated today (the approval day, as before). A part in next year is
  dated Jan 1 of next year: it lowers neither this year's closing balance nor what carries over. A
  backdated part in a past year is dated today: that year has been closed by the carry-over, so its
  days come off the running balance now (payroll may have used the closed year).
- A reversal is dated the later of today and the date of the entry it reverses, so cancelling next
  year's leave in December gives the days back to next year, not to this one.
- Leave can be requested up to Dec 31 of next year.
- The balance for this year's part is the posted balance as of the later of today and the part's start,
  leaving out entries dated in later years (next year's leave).
- The balance for next year's part is projected: this year's projected year-end balance (what is still
  due this year included, pending requests of this year set aside) carried over as the cap allows, and
  not at all when the carried days expire before the part starts; plus next year's entitlement through
  the part's end (the allocation, or the accruals through that month); plus whatever is already posted
  in next year (next year's approved leave, adjustments).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.domain.enums import LedgerKind
from shared.domain.leave import ZERO, LeavePolicy, LeaveRecord, LeaveSpan, Step, Violation, WorkCalendar, day_portions
from shared.domain.ledger import LedgerPosting, balance, quantize_days, reversal_key, taken_key
from shared.domain.ledger_accrual import entitlement_entries
from shared.domain.ledger_carry import carry_over_expiry_date, projected_balance_at_year_end
from shared.errors import N_

YEARS_AHEAD = 1


@dataclass(frozen=True)
class YearBalance:
    """What one leave year holds for a request: the balance before pending requests, and what they reserve."""

    year: int
    balance: Decimal
    reserved: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.balance - self.reserved


def days_by_year(span: LeaveSpan, calendar: WorkCalendar) -> dict[int, Decimal]:
    """The request's working days per calendar year, earliest year first (empty when all are days off)."""
    found: dict[int, Decimal] = defaultdict(Decimal)
    for day, portion in sorted(day_portions(span, calendar).items()):
        found[day.year] += portion
    return dict(found)


def check_years_ahead(span: LeaveSpan, today: date) -> Violation | None:
    """Leave may be requested up to the end of next year."""
    if span.end_date.year <= today.year + YEARS_AHEAD:
        return None
    limit = date(today.year + YEARS_AHEAD, 12, 31)
    return Violation("too_far_ahead", N_("Leave can be requested up to {date}."), Step.DATES, {"date": limit})


def charge_date(year: int, today: date) -> date:
    """The effective date of a ``taken`` entry for the days of ``year`` (see the module rules)."""
    if year > today.year:
        return date(year, 1, 1)
    return today


def _taken_key(request_id: int, year: int, first_year: int) -> str:
    return taken_key(request_id) if year == first_year else f"{taken_key(request_id)}:{year}"


def taken_entries(request: LeaveRecord, parts: dict[int, Decimal], *, today: date) -> list[LedgerPosting]:
    """The ``taken`` postings of an approved request: one per leave year its days fall in."""
    if request.id is None:
        raise ValueError("a request must be stored before its leave is taken")
    if not parts or sum(parts.values(), ZERO) <= 0:
        raise ValueError(f"request {request.id} has no working days to take")
    first = min(parts)
    return [
        LedgerPosting(
            employee_id=request.employee_id,
            leave_type_id=request.leave_type_id,
            kind=LedgerKind.TAKEN,
            delta=-quantize_days(days),
            effective_date=charge_date(year, today),
            key=_taken_key(request.id, year, first),
            request_id=request.id,
            note=f"Leave {request.start_date.isoformat()} to {request.end_date.isoformat()} ({year})",
        )
        for year, days in sorted(parts.items())
        if days > 0
    ]


def reversal_entries(request: LeaveRecord, entries: Iterable[LedgerPosting], *, today: date) -> list[LedgerPosting]:
    """One ``reversal`` per ``taken`` entry of a cancelled request, of exactly its amount (from the ledger)."""
    if request.id is None:
        return []
    prefix = taken_key(request.id)
    found = []
    for entry in entries:
        if entry.kind != LedgerKind.TAKEN or entry.delta >= 0:
            continue
        if entry.request_id != request.id and not (entry.key or "").startswith(prefix):
            continue
        suffix = (entry.key or prefix)[len(prefix) :]
        found.append(
            LedgerPosting(
                employee_id=request.employee_id,
                leave_type_id=request.leave_type_id,
                kind=LedgerKind.REVERSAL,
                delta=-entry.delta,
                effective_date=max(today, entry.effective_date),
                key=reversal_key(request.id) + suffix,
                request_id=request.id,
                note=f"Cancelled leave {request.start_date.isoformat()} to {request.end_date.isoformat()}",
            )
        )
    return found


def year_balance(
    entries: Sequence[LedgerPosting],
    policy: LeavePolicy,
    employee_id: int,
    year: int,
    *,
    today: date,
    part_start: date,
    part_end: date,
    hire_date: date | None = None,
    reserved_this_year: Decimal = ZERO,
) -> Decimal:
    """The balance the days of ``year`` (from ``part_start`` to ``part_end``) are checked against.

    Years before this one are charged to this year's running balance; see the module rules.
    """
    if year <= today.year:
        as_of = min(max(today, part_start), date(today.year, 12, 31))
        return balance(entries, as_of)
    this_year_end = projected_balance_at_year_end(entries, policy, employee_id, today, hire_date=hire_date)
    closing = this_year_end - reserved_this_year
    carried = ZERO
    expires = carry_over_expiry_date(policy, year)
    if closing < 0:
        carried = closing  # a debt carries in full and never expires
    elif expires is None or part_start < expires:
        carried = closing if policy.carry_over_cap is None else min(closing, max(policy.carry_over_cap, ZERO))
    posted = {e.key for e in entries if e.key}
    due = entitlement_entries(policy, employee_id, year, hire_date=hire_date, through=part_end)
    entitlement = sum((p.delta for p in due if p.key not in posted), ZERO)
    posted_next = sum((e.delta for e in entries if e.effective_date.year == year), ZERO)
    return carried + entitlement + posted_next


def reserved_by_year(
    pending: Iterable[tuple[LeaveRecord, dict[int, Decimal]]], leave_type_id: int
) -> dict[int, Decimal]:
    """Days held by pending requests of one type, per year (each request with its :func:`days_by_year`)."""
    found: dict[int, Decimal] = defaultdict(Decimal)
    for request, parts in pending:
        if request.leave_type_id != leave_type_id:
            continue
        for year, days in parts.items():
            found[year] += days
    return dict(found)
