"""The lateness policy: N late arrivals within a period trigger a notice and, optionally, a deduction.

Rules decided here:

* A **late day** is a final attendance day with ``late_minutes > 0`` (already beyond the grace).
* A **crossing** is ``count`` late days not yet counted by an earlier notice, all in one period: the same
  calendar month (``month``), or within 30 days of the first of them (``rolling30``: the last is at most
  29 days after the first). Days are taken in date order, greedily: the earliest uncounted day that can
  start a crossing does. Each crossing counts its days once and for all, so a day is in at most one notice.
* A crossing's **key** is the period and its last late day (``month:2026-11-20``); the table is unique on
  (employee, key), so two evaluations at once record one notice.
* **Re-evaluation never doubles**: days already in a notice (active *or* waived) are not counted again, so
  running the evaluation again (or re-processing the days) finds no new crossing unless new late days came.
  A day that stops being late later (a correction) keeps its notice; HR may waive it.
* **Deduction**: ``deduct_days`` from the configured leave type, a ``lateness`` posting keyed
  ``lateness:<notice>`` whose note lists the late days. **Waiver** posts a ``reversal`` of exactly the
  deducted amount keyed ``lateness-waiver:<notice>``: the balance is restored exactly, nothing is edited.
* A policy with ``count`` 0 is off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from shared.domain.enums import LatenessPeriod, LedgerKind
from shared.domain.ledger import LedgerPosting, quantize_days

ROLLING_DAYS = 30


@dataclass(frozen=True)
class LatenessPolicy:
    count: int
    period: LatenessPeriod = LatenessPeriod.MONTH
    deduct_days: Decimal = Decimal(0)
    leave_type_id: int | None = None

    @property
    def active(self) -> bool:
        return self.count > 0

    @property
    def deducts(self) -> bool:
        return self.deduct_days > 0 and self.leave_type_id is not None


@dataclass(frozen=True)
class Crossing:
    """One threshold crossing: its key and the late days it counts (sorted)."""

    key: str
    days: tuple[dt.date, ...]

    @property
    def last_day(self) -> dt.date:
        return self.days[-1]


def _same_period(first: dt.date, day: dt.date, period: LatenessPeriod) -> bool:
    if period is LatenessPeriod.MONTH:
        return (first.year, first.month) == (day.year, day.month)
    return (day - first).days < ROLLING_DAYS


def crossings(late_days: Iterable[dt.date], counted: Collection[dt.date], policy: LatenessPolicy) -> list[Crossing]:
    """The new crossings among ``late_days``, leaving out the days already ``counted`` by earlier notices."""
    if not policy.active:
        return []
    fresh = sorted(set(late_days) - set(counted))
    found: list[Crossing] = []
    start = 0
    while start + policy.count <= len(fresh):
        group = fresh[start : start + policy.count]
        if _same_period(group[0], group[-1], policy.period):
            found.append(Crossing(f"{policy.period.value}:{group[-1].isoformat()}", tuple(group)))
            start += policy.count
        else:
            start += 1
    return found


def lateness_key(notice_id: int) -> str:
    return f"lateness:{notice_id}"


def waiver_key(notice_id: int) -> str:
    return f"lateness-waiver:{notice_id}"


def days_note(days: Iterable[dt.date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(days))


def deduction_entry(
    *, notice_id: int, employee_id: int, policy: LatenessPolicy, days: Iterable[dt.date], on: dt.date
) -> LedgerPosting | None:
    """The deduction of a crossing (None when the policy deducts nothing)."""
    if not policy.deducts or policy.leave_type_id is None:
        return None
    return LedgerPosting(
        employee_id=employee_id,
        leave_type_id=policy.leave_type_id,
        kind=LedgerKind.LATENESS,
        delta=-quantize_days(policy.deduct_days),
        effective_date=on,
        key=lateness_key(notice_id),
        note=f"Late arrivals: {days_note(days)}",
    )


def waiver_entry(deduction: LedgerPosting, *, notice_id: int, on: dt.date) -> LedgerPosting | None:
    """The reversal of a waived notice's deduction: exactly what was deducted; None when nothing was."""
    if deduction.delta >= 0:
        return None
    return LedgerPosting(
        employee_id=deduction.employee_id,
        leave_type_id=deduction.leave_type_id,
        kind=LedgerKind.REVERSAL,
        delta=-deduction.delta,
        effective_date=on,
        key=waiver_key(notice_id),
        note=f"Lateness deduction waived ({deduction.note or notice_id})",
    )
