"""Balances and the ledger jobs: yearly allocation, monthly accrual, carry-over, expiry, HR adjustments.

Postings carry an idempotency key, and are inserted with ON CONFLICT DO NOTHING on it: a job that runs
twice (or on two schedulers at once) posts each entry exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Accrual, LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.domain.leave import LeavePolicy, Violation
from shared.domain.leave_policy import is_unlimited, violation_error
from shared.domain.leave_year import year_balance
from shared.domain.ledger import LedgerPosting, adjustment_entry, balance
from shared.domain.ledger_accrual import allocation_entry, monthly_accrual_entry
from shared.domain.ledger_carry import carry_over_entries, expiry_entry, projected_balance_at_year_end
from shared.domain.names import localized_name
from shared.errors import N_, Forbidden
from shared.model import Employee, LeaveLedgerEntry, LeaveRequest, LeaveType
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor, ensure_not_self
from shared.services.audit import audit
from shared.services.leave.context import ledger_postings, policy_of, posting_of
from shared.services.leave.postings import post_entries
from shared.services.leave.years import request_parts
from shared.services.lookups import get_employee, get_leave_type


@dataclass(frozen=True)
class BalanceLine:
    leave_type_id: int
    code: str
    name: str
    paid: bool
    balance: Decimal
    reserved: Decimal
    available: Decimal
    year_end: Decimal
    year: int = 0
    next_year_available: Decimal = Decimal(0)
    unit: LeaveUnit = LeaveUnit.DAYS  # hours: every figure of the line counts hours
    unlimited: bool = False  # no allowance and may go below zero: no balance to speak of
    name_translations: dict[str, str] | None = None

    @property
    def next_year(self) -> int:
        return self.year + 1

    def name_for(self, locale: str) -> str:
        return localized_name(self.name, self.name_translations, locale)


async def _active(
    session: AsyncSession, accruals: Sequence[Accrual] | None = None
) -> tuple[list[Employee], list[LeaveType]]:
    employees = list(await session.scalars(select(Employee).where(Employee.active.is_(True)).order_by(Employee.id)))
    query = select(LeaveType).where(LeaveType.active.is_(True))
    if accruals is not None:
        query = query.where(LeaveType.accrual.in_(accruals))
    return employees, list(await session.scalars(query.order_by(LeaveType.id)))


async def balances(session: AsyncSession, *, employee_id: int, as_of: date) -> list[BalanceLine]:
    """Every active type's balance for one employee in the leave year of ``as_of``: posted, reserved by
    pending requests of that year, projected to Dec 31; and what next year holds for a request (projected
    from the capped carry-over and next year's entitlement, minus next year's pending requests)."""
    employee = await get_employee(session, employee_id)
    types = list(await session.scalars(select(LeaveType).where(LeaveType.active.is_(True)).order_by(LeaveType.id)))
    entries = [
        posting_of(r)
        for r in await session.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.employee_id == employee_id))
    ]
    pending = await session.scalars(
        select(LeaveRequest).where(LeaveRequest.employee_id == employee_id, LeaveRequest.status == LeaveStatus.PENDING)
    )
    this_year: dict[int, Decimal] = defaultdict(Decimal)
    next_year: dict[int, Decimal] = defaultdict(Decimal)
    for request in pending:
        parts = await request_parts(session, employee, request) or {request.start_date.year: Decimal(0)}
        for year, days in parts.items():
            (this_year if year <= as_of.year else next_year)[request.leave_type_id] += Decimal(days)
    lines = []
    following = as_of.year + 1
    for row in types:
        own = [e for e in entries if e.leave_type_id == row.id]
        policy = policy_of(row)
        posted = balance(own, as_of)
        year_end = projected_balance_at_year_end(own, policy, employee_id, as_of, hire_date=employee.hire_date)
        ahead = year_balance(
            own, policy, employee_id, following, today=as_of, part_start=date(following, 1, 1),
            part_end=date(following, 12, 31), hire_date=employee.hire_date, reserved_this_year=this_year[row.id],
        )  # fmt: skip
        reserved = this_year[row.id]
        lines.append(
            BalanceLine(
                row.id,
                row.code,
                row.name,
                row.paid,
                posted,
                reserved,
                posted - reserved,
                year_end - reserved,
                as_of.year,
                ahead - next_year[row.id],
                row.unit,
                is_unlimited(yearly_allowance=row.yearly_allowance, negative_allowed=row.negative_allowed),
                row.name_translations,
            )
        )
    return lines


async def allocate_year(session: AsyncSession, *, year: int, actor: Actor) -> int:
    """Post the yearly allowance (prorated by hire date) of every yearly-accrual type to every active employee."""
    employees, types = await _active(session, [Accrual.YEARLY])
    postings = []
    for leave_type in types:
        policy = policy_of(leave_type)
        for employee in employees:
            posting = allocation_entry(policy, employee.id, year, hire_date=employee.hire_date)
            if posting is not None:
                postings.append(posting)
    inserted = await post_entries(session, postings, actor)
    audit(session, actor, "allocate_year", "leave_ledger", None, new={"year": year, "posted": inserted})
    return inserted


async def accrue_month(session: AsyncSession, *, year: int, month: int, actor: Actor) -> int:
    """Post one month of every monthly-accrual type (allowance / 12, rounded so the year sums exactly)."""
    employees, types = await _active(session, [Accrual.MONTHLY])
    postings = []
    for leave_type in types:
        policy = policy_of(leave_type)
        for employee in employees:
            posting = monthly_accrual_entry(policy, employee.id, year, month, hire_date=employee.hire_date)
            if posting is not None:
                postings.append(posting)
    inserted = await post_entries(session, postings, actor)
    audit(session, actor, "accrue_month", "leave_ledger", None, new={"year": year, "month": month, "posted": inserted})
    return inserted


async def _entries_by_owner(session: AsyncSession, type_ids: list[int]) -> dict[tuple[int, int], list[LedgerPosting]]:
    grouped: dict[tuple[int, int], list[LedgerPosting]] = defaultdict(list)
    if not type_ids:
        return grouped
    for row in await session.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.leave_type_id.in_(type_ids))):
        grouped[(row.employee_id, row.leave_type_id)].append(posting_of(row))
    return grouped


async def carry_over(session: AsyncSession, *, into_year: int, actor: Actor) -> int:
    """Close last year's balances and carry the capped part into ``into_year`` (Jan 1)."""
    employees, types = await _active(session)
    grouped = await _entries_by_owner(session, [t.id for t in types])
    postings: list[LedgerPosting] = []
    for leave_type in types:
        policy = policy_of(leave_type)
        for employee in employees:
            postings.extend(
                carry_over_entries(policy, employee.id, grouped.get((employee.id, leave_type.id), []), into_year)
            )
    inserted = await post_entries(session, postings, actor)
    audit(session, actor, "carry_over", "leave_ledger", None, new={"into_year": into_year, "posted": inserted})
    return inserted


async def expire_carry_over(session: AsyncSession, *, today: date, actor: Actor) -> int:
    """Expire what is left of this year's carried-over days once the type's expiry date has passed."""
    employees, types = await _active(session)
    types = [t for t in types if t.carry_over_expiry_months]
    grouped = await _entries_by_owner(session, [t.id for t in types])
    postings = []
    for leave_type in types:
        policy: LeavePolicy = policy_of(leave_type)
        for employee in employees:
            posting = expiry_entry(
                policy, employee.id, grouped.get((employee.id, leave_type.id), []), today.year, today=today
            )
            if posting is not None:
                postings.append(posting)
    inserted = await post_entries(session, postings, actor)
    if inserted:
        audit(session, actor, "expire_carry_over", "leave_ledger", None, new={"year": today.year, "posted": inserted})
    return inserted


async def adjust_balance(
    session: AsyncSession, *, actor: Actor, employee_id: int, leave_type_id: int, delta: Decimal, note: str, on: date
) -> LeaveLedgerEntry:
    """An HR correction with a note; never edits an existing entry. A type that does not allow a negative
    balance refuses a correction that would take it below zero on any day of its year from ``on`` (409)."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can adjust balances."))
    ensure_not_self(actor, employee_id, N_("You cannot adjust your own balance; ask another HR person."))
    await get_employee(session, employee_id)
    await lock_rows(session, Employee, [employee_id])
    leave_type = await get_leave_type(session, leave_type_id)
    posting = adjustment_entry(employee_id=employee_id, leave_type_id=leave_type_id, delta=delta, on=on, note=note)
    if posting.delta < 0 and not leave_type.negative_allowed:
        entries = await ledger_postings(session, employee_id, leave_type_id)
        year_end = date(on.year, 12, 31)  # later years' entries are not all posted yet (carry-over, allowance)
        later = {e.effective_date for e in entries if on < e.effective_date <= year_end}
        lowest = min(balance(entries, d) for d in {on, *later})
        if lowest + posting.delta < 0:
            raise violation_error(
                Violation(
                    "insufficient_balance",
                    N_("This correction would take the balance below zero ({balance} left)."),
                    None,
                    {"balance": lowest},
                )
            )
    row = LeaveLedgerEntry(
        employee_id=employee_id,
        leave_type_id=leave_type_id,
        kind=posting.kind,
        delta=posting.delta,
        effective_date=posting.effective_date,
        note=posting.note,
        actor=actor.label,
    )
    session.add(row)
    await session.flush()
    audit(
        session,
        actor,
        "adjust",
        "leave_ledger",
        row.id,
        new={
            "employee_id": employee_id,
            "leave_type_id": leave_type_id,
            "delta": str(posting.delta),
            "note": posting.note,
        },
    )
    return row
