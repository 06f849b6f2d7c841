"""What a leave type grants: the yearly allocation (prorated by hire date) or the monthly accruals.

Rules decided here:
- Proration is by days: someone hired during the year gets ``allowance × days from the hire date to
  Dec 31 inclusive / days in the year`` (365 or 366), rounded to the type's ``accrual_rounding``.
  Hired on or before Jan 1 (or no hire date): the full allowance, unrounded.
- Rounding goes to the nearest multiple of ``accrual_rounding``, halves up (10.25 → 10.5 with 0.5);
  a rounding of 0 means no step, only the ledger's 0.01 precision.
- Monthly accrual is posted on the 1st of each month (the hire date for the month of hire) and is
  computed from cumulative totals: the entitlement through month k is ``round(allowance × k / 12)``
  and month k posts the difference with month k-1, so the rounding remainder is carried, never lost.
  Through December of a full year the total is exactly the allowance, and no cumulative total
  exceeds it (13.3 by halves never reaches 13.5 in November), so no month is ever negative. In the month of hire the
  month counts for the share of its days from the hire date (hired Jul 16 → 16/31 of July).
- A month whose difference is 0 posts nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.domain.enums import Accrual, LedgerKind
from shared.domain.leave import ZERO, LeavePolicy
from shared.domain.ledger import LedgerPosting, quantize_days, round_to_step

MONTHS = 12


@dataclass(frozen=True)
class AccrualMonth:
    """One month of accrual: the entitlement accumulated through it and what the month adds."""

    month: int
    cumulative: Decimal
    delta: Decimal
    effective_date: date


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def allocation_key(leave_type_id: int, employee_id: int, year: int) -> str:
    return f"allocation:{leave_type_id}:{employee_id}:{year}"


def accrual_key(leave_type_id: int, employee_id: int, year: int, month: int) -> str:
    return f"accrual:{leave_type_id}:{employee_id}:{year:04d}-{month:02d}"


def prorated_allowance(allowance: Decimal, year: int, hire_date: date | None, rounding: Decimal) -> Decimal:
    """The part of a yearly allowance earned in ``year`` by someone hired on ``hire_date`` (by days)."""
    if hire_date is None or hire_date <= date(year, 1, 1):
        return quantize_days(allowance)
    if hire_date.year > year:
        return ZERO
    remaining = (date(year, 12, 31) - hire_date).days + 1
    return round_to_step(allowance * remaining / days_in_year(year), rounding)


def allocation_entry(
    policy: LeavePolicy, employee_id: int, year: int, *, hire_date: date | None = None
) -> LedgerPosting | None:
    """The yearly allocation, effective Jan 1 (or the hire date); None for a type that is not yearly,
    someone hired after the year, or an allowance prorated to nothing."""
    if policy.accrual != Accrual.YEARLY:
        return None
    amount = prorated_allowance(policy.yearly_allowance, year, hire_date, policy.accrual_rounding)
    if amount <= 0:
        return None
    start = date(year, 1, 1)
    effective = hire_date if hire_date is not None and hire_date > start else start
    note = f"Allowance {year}" if effective == start else f"Allowance {year}, prorated from {effective.isoformat()}"
    return LedgerPosting(
        employee_id=employee_id,
        leave_type_id=policy.id,
        kind=LedgerKind.ALLOCATION,
        delta=amount,
        effective_date=effective,
        key=allocation_key(policy.id, employee_id, year),
        note=note,
    )


def _months_earned(year: int, month: int, hire_date: date | None) -> Decimal:
    """Months of accrual earned from Jan 1 (or the hire date) through the end of ``month``."""
    if hire_date is None or hire_date <= date(year, 1, 1):
        return Decimal(month)
    if hire_date.year > year or month < hire_date.month:
        return ZERO
    length = calendar.monthrange(year, hire_date.month)[1]
    first = Decimal(length - hire_date.day + 1) / length
    return first + (month - hire_date.month)


def accrued_through(policy: LeavePolicy, year: int, month: int, hire_date: date | None = None) -> Decimal:
    """Monthly entitlement accumulated from January through ``month`` (rounded; the allowance in December)."""
    if month <= 0:
        return ZERO
    earned = _months_earned(year, month, hire_date)
    if earned == MONTHS:
        return quantize_days(policy.yearly_allowance)
    rounded = round_to_step(policy.yearly_allowance * earned / MONTHS, policy.accrual_rounding)
    # Rounding up must not overtake an allowance that is not a multiple of the step (December would go negative).
    return min(rounded, quantize_days(policy.yearly_allowance))


def accrual_schedule(policy: LeavePolicy, year: int, hire_date: date | None = None) -> list[AccrualMonth]:
    """The twelve months of a year with their cumulative entitlement and monthly difference."""
    rows: list[AccrualMonth] = []
    previous = ZERO
    for month in range(1, MONTHS + 1):
        cumulative = accrued_through(policy, year, month, hire_date)
        effective = date(year, month, 1)
        if hire_date is not None and hire_date.year == year and hire_date.month == month:
            effective = hire_date
        rows.append(AccrualMonth(month, cumulative, cumulative - previous, effective))
        previous = cumulative
    return rows


def _accrual_posting(policy: LeavePolicy, employee_id: int, year: int, row: AccrualMonth) -> LedgerPosting | None:
    if row.delta == 0:
        return None
    return LedgerPosting(
        employee_id=employee_id,
        leave_type_id=policy.id,
        kind=LedgerKind.ACCRUAL,
        delta=row.delta,
        effective_date=row.effective_date,
        key=accrual_key(policy.id, employee_id, year, row.month),
        note=f"Accrual {year:04d}-{row.month:02d}",
    )


def monthly_accrual_entry(
    policy: LeavePolicy, employee_id: int, year: int, month: int, *, hire_date: date | None = None
) -> LedgerPosting | None:
    """The accrual of one month; None for a type that is not monthly or a month that adds nothing."""
    if policy.accrual != Accrual.MONTHLY:
        return None
    return _accrual_posting(policy, employee_id, year, accrual_schedule(policy, year, hire_date)[month - 1])


def monthly_accrual_entries(
    policy: LeavePolicy, employee_id: int, year: int, *, hire_date: date | None = None, through: date | None = None
) -> list[LedgerPosting]:
    """The year's accruals effective on or before ``through`` (all twelve months when None).

    Posting them all again is safe: each month has its own key, so a missed month is caught up.
    """
    if policy.accrual != Accrual.MONTHLY:
        return []
    found = [_accrual_posting(policy, employee_id, year, row) for row in accrual_schedule(policy, year, hire_date)]
    return [p for p in found if p is not None and (through is None or p.effective_date <= through)]


def entitlement_entries(
    policy: LeavePolicy, employee_id: int, year: int, *, hire_date: date | None = None, through: date | None = None
) -> list[LedgerPosting]:
    """Whatever the type grants in ``year`` up to ``through``: its allocation or its monthly accruals."""
    if policy.accrual == Accrual.MONTHLY:
        return monthly_accrual_entries(policy, employee_id, year, hire_date=hire_date, through=through)
    posting = allocation_entry(policy, employee_id, year, hire_date=hire_date)
    if posting is None or (through is not None and posting.effective_date > through):
        return []
    return [posting]
