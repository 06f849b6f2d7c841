"""Overtime and time off in lieu (TOIL): what counts as overtime on a day, and what approving it credits.

Rules decided here:

* **On a working day with a shift**, overtime is the time worked before the shift's scheduled start (first
  check-in earlier than the start) plus the time after its scheduled end (last check-out later than the end),
  in whole minutes. It is recorded only when the sum exceeds the threshold (like the late grace, the
  threshold is a tolerance, not a deduction: 45 minutes with a 30-minute threshold are 45 minutes). A day
  without a check-out has none. Half-leave days count against the whole shift. Full-leave days have none.
* **On a day off** (weekend, holiday) every worked minute is overtime, without a threshold: nothing was
  scheduled. Without a shift, a working day has no overtime (nothing to be beyond).
* A threshold of ``None`` turns overtime off (0 everywhere).
* **Credit**: approved minutes × rate ÷ the minutes of a leave day, in days at the ledger's precision
  (0.01). The credit is a ``toil`` posting keyed ``toil:<decision>``; taking it back posts a ``reversal``
  of exactly the credited amount keyed ``toil-reversal:<decision>``, never an edit.
* **Weeks** start on Monday (ISO); a weekly summary covers Monday..Sunday.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shared.domain.enums import LedgerKind
from shared.domain.ledger import LedgerPosting, quantize_days


def beyond_shift_minutes(
    first_in: dt.datetime | None,
    last_out: dt.datetime | None,
    start: dt.datetime,
    end: dt.datetime,
    threshold: int | None,
) -> int:
    """Minutes worked before ``start`` and after ``end`` when their sum exceeds ``threshold`` (else 0)."""
    if threshold is None or first_in is None or last_out is None or last_out <= first_in:
        return 0
    before = max(0, int((min(start, last_out) - first_in).total_seconds()) // 60)
    after = max(0, int((last_out - max(end, first_in)).total_seconds()) // 60)
    total = before + after
    return total if total > threshold else 0


def day_off_minutes(worked_minutes: int, has_checkout: bool, threshold: int | None) -> int:
    """Overtime of a day off: every worked minute, once the day has a check-out (0 when overtime is off)."""
    if threshold is None or not has_checkout:
        return 0
    return max(0, worked_minutes)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.isoweekday() - 1)


def toil_days(minutes: int, *, rate: Decimal, day_minutes: int) -> Decimal:
    """Days of time off in lieu for ``minutes`` of approved overtime at ``rate``."""
    if minutes <= 0 or rate <= 0:
        return Decimal("0.00")
    if day_minutes <= 0:
        raise ValueError("a leave day must have a positive number of minutes")
    return quantize_days(Decimal(minutes) * rate / Decimal(day_minutes))


def toil_key(decision_id: int) -> str:
    return f"toil:{decision_id}"


def toil_reversal_key(decision_id: int) -> str:
    return f"toil-reversal:{decision_id}"


def toil_entry(
    *, decision_id: int, employee_id: int, leave_type_id: int, day: dt.date, minutes: int, days: Decimal, on: dt.date
) -> LedgerPosting | None:
    """The credit of an approved overtime day; None when it earns nothing."""
    if days <= 0:
        return None
    return LedgerPosting(
        employee_id=employee_id,
        leave_type_id=leave_type_id,
        kind=LedgerKind.TOIL,
        delta=quantize_days(days),
        effective_date=on,
        key=toil_key(decision_id),
        note=f"Overtime {day.isoformat()}: {minutes} min",
    )


def toil_reversal(credit: LedgerPosting, *, decision_id: int, on: dt.date) -> LedgerPosting:
    """Taking back a credit: exactly its amount, negated."""
    return LedgerPosting(
        employee_id=credit.employee_id,
        leave_type_id=credit.leave_type_id,
        kind=LedgerKind.REVERSAL,
        delta=-credit.delta,
        effective_date=on,
        key=toil_reversal_key(decision_id),
        note=f"Overtime taken back ({credit.note or decision_id})",
    )
