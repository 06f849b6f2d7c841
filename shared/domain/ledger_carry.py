"""Year end: carrying a balance into the next year (capped), its expiry, and the projection /balance shows.

The ledger is one running total per employee and type, so carrying over means closing the old
balance and opening the carried part, both effective Jan 1 of the new year:
``carry:{type}:{employee}:{year}:close`` (minus the closing balance) and ``carry:{type}:{employee}:{year}``
(plus the carried amount, at most ``carry_over_cap``; None = unlimited, 0 = nothing). ``year`` in
these keys is the year the days are carried INTO, as in ``expiry:{type}:{employee}:{year}``.

Rules decided here:
- A closing balance of zero or less posts nothing: a negative balance (types that allow it) is a
  debt that carries over in full and never expires.
- Carried days expire ``carry_over_expiry_months`` after Jan 1 (3 → usable through Mar 31; the expiry
  entry is effective Apr 1). None = they never expire.
- Leave taken consumes carried-over days first: ``taken`` and ``reversal`` entries effective from
  Jan 1 to the day before the expiry reduce what can expire; HR adjustments do not. The expiry also
  never takes the balance below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from shared.domain.enums import LedgerKind
from shared.domain.leave import ZERO, LeavePolicy
from shared.domain.ledger import LedgerPosting, balance
from shared.domain.ledger_accrual import entitlement_entries

_CONSUMING = frozenset({LedgerKind.TAKEN, LedgerKind.REVERSAL})


def carry_over_key(leave_type_id: int, employee_id: int, year: int) -> str:
    return f"carry:{leave_type_id}:{employee_id}:{year}"


def carry_close_key(leave_type_id: int, employee_id: int, year: int) -> str:
    return f"carry:{leave_type_id}:{employee_id}:{year}:close"


def expiry_key(leave_type_id: int, employee_id: int, year: int) -> str:
    return f"expiry:{leave_type_id}:{employee_id}:{year}"


def carry_over_entries(
    policy: LeavePolicy, employee_id: int, entries: Iterable[LedgerPosting], into_year: int
) -> list[LedgerPosting]:
    """Close the balance of Dec 31 of the previous year and open the capped part on Jan 1 of ``into_year``.

    ``entries`` are this employee's entries of this type; entries dated Jan 1 or later do not change
    the closing balance, so running the job again gives the same postings (and the same keys).
    """
    closing = balance(entries, date(into_year - 1, 12, 31))
    if closing <= 0:
        return []
    carried = closing if policy.carry_over_cap is None else min(closing, max(policy.carry_over_cap, ZERO))
    opening = date(into_year, 1, 1)
    postings = [
        LedgerPosting(
            employee_id=employee_id,
            leave_type_id=policy.id,
            kind=LedgerKind.CARRY_OVER,
            delta=-closing,
            effective_date=opening,
            key=carry_close_key(policy.id, employee_id, into_year),
            note=f"Closing balance of {into_year - 1}",
        )
    ]
    if carried > 0:
        cap = "no cap" if policy.carry_over_cap is None else f"cap {policy.carry_over_cap}"
        postings.append(
            LedgerPosting(
                employee_id=employee_id,
                leave_type_id=policy.id,
                kind=LedgerKind.CARRY_OVER,
                delta=carried,
                effective_date=opening,
                key=carry_over_key(policy.id, employee_id, into_year),
                note=f"Carried over from {into_year - 1} ({cap}, {closing} at year end)",
            )
        )
    return postings


def carry_over_expiry_date(policy: LeavePolicy, year: int) -> date | None:
    """The day the days carried into ``year`` are gone (the expiry entry's date); None if they never expire."""
    months = policy.carry_over_expiry_months
    if months is None:
        return None
    months = max(months, 0)
    return date(year + months // 12, 1 + months % 12, 1)


def carried_over(policy: LeavePolicy, employee_id: int, entries: Iterable[LedgerPosting], year: int) -> Decimal:
    """Days carried into ``year`` (the positive carry-over entry), 0 when none."""
    key = carry_over_key(policy.id, employee_id, year)
    return sum((e.delta for e in entries if e.key == key), ZERO)


def expiring_days(policy: LeavePolicy, employee_id: int, entries: Iterable[LedgerPosting], year: int) -> Decimal:
    """What is left of the days carried into ``year``, counting leave taken so far before the expiry date."""
    expires = carry_over_expiry_date(policy, year)
    if expires is None:
        return ZERO
    entries = list(entries)
    carried = carried_over(policy, employee_id, entries, year)
    if carried <= 0:
        return ZERO
    start = date(year, 1, 1)
    used = -sum((e.delta for e in entries if e.kind in _CONSUMING and start <= e.effective_date < expires), ZERO)
    left = carried - max(used, ZERO)
    left = min(left, balance(entries, expires - timedelta(days=1)))
    return max(left, ZERO)


def expiry_entry(
    policy: LeavePolicy, employee_id: int, entries: Iterable[LedgerPosting], year: int, *, today: date
) -> LedgerPosting | None:
    """The expiry of the unused carried-over days of ``year``; None before the expiry date or when none are left."""
    expires = carry_over_expiry_date(policy, year)
    if expires is None or today < expires:
        return None
    return _expiry_posting(policy, employee_id, entries, year, expires)


def _expiry_posting(
    policy: LeavePolicy, employee_id: int, entries: Iterable[LedgerPosting], year: int, expires: date
) -> LedgerPosting | None:
    left = expiring_days(policy, employee_id, entries, year)
    if left <= 0:
        return None
    return LedgerPosting(
        employee_id=employee_id,
        leave_type_id=policy.id,
        kind=LedgerKind.EXPIRY,
        delta=-left,
        effective_date=expires,
        key=expiry_key(policy.id, employee_id, year),
        note=f"Unused days carried over from {year - 1} expired",
    )


def projected_balance_at_year_end(
    entries: Iterable[LedgerPosting],
    policy: LeavePolicy,
    employee_id: int,
    today: date,
    *,
    hire_date: date | None = None,
) -> Decimal:
    """The balance on Dec 31 of ``today``'s year if nothing more is requested.

    Adds what is due this year but not posted yet, by key (the carry-over into this year, the
    allocation or the monthly accruals still to come) and subtracts a carry-over expiry still to come
    this year. ``entries`` are this employee's entries of this type. Pending requests are not
    subtracted: show them next to it with ``reserved``.
    """
    entries = list(entries)
    year = today.year
    year_end = date(year, 12, 31)
    posted = {e.key for e in entries if e.key}
    due = carry_over_entries(policy, employee_id, entries, year)
    due += entitlement_entries(policy, employee_id, year, hire_date=hire_date)
    upcoming = [p for p in due if p.key not in posted]
    projected = balance(entries, year_end) + sum((p.delta for p in upcoming), ZERO)
    expires = carry_over_expiry_date(policy, year)
    if expires is not None and expires <= year_end and expiry_key(policy.id, employee_id, year) not in posted:
        expiry = _expiry_posting(policy, employee_id, entries + upcoming, year, expires)
        if expiry is not None:
            projected += expiry.delta
    return projected
