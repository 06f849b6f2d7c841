"""Balances and the ledger jobs: yearly allocation, monthly accrual, carry-over, expiry, HR adjustments.

Postings carry an idempotency key, and are inserted with ON CONFLICT DO NOTHING on it: a job that runs
twice (or on two schedulers at once) posts each entry exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Accrual, LeaveStatus
from shared.domain.leave import LeavePolicy
from shared.domain.ledger import LedgerPosting, adjustment_entry, balance
from shared.domain.ledger_accrual import allocation_entry, monthly_accrual_entry
from shared.domain.ledger_carry import carry_over_entries, expiry_entry, projected_balance_at_year_end
from shared.errors import N_, Forbidden
from shared.model import Employee, LeaveLedgerEntry, LeaveRequest, LeaveType
from shared.services.actor import Actor, ensure_not_self
from shared.services.audit import audit
from shared.services.leave.context import policy_of, posting_of
from shared.services.lookups import get_employee, get_leave_type


async def post_entries(session: AsyncSession, postings: Iterable[LedgerPosting], actor: Actor) -> int:
    """Insert postings, skipping any whose key is already in the ledger; returns how many were new."""
    rows = [
        {
            "employee_id": p.employee_id,
            "leave_type_id": p.leave_type_id,
            "kind": p.kind,
            "delta": p.delta,
            "effective_date": p.effective_date,
            "request_id": p.request_id,
            "note": p.note,
            "key": p.key,
            "actor": actor.label,
        }
        for p in postings
    ]
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "postgresql"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        statement = insert(LeaveLedgerEntry).values(chunk).on_conflict_do_nothing(index_elements=["key"])
        result = await session.execute(statement)
        inserted += max(0, result.rowcount or 0)  # type: ignore[attr-defined]
    return inserted


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


async def _active(
    session: AsyncSession, accruals: Sequence[Accrual] | None = None
) -> tuple[list[Employee], list[LeaveType]]:
    employees = list(await session.scalars(select(Employee).where(Employee.active.is_(True)).order_by(Employee.id)))
    query = select(LeaveType).where(LeaveType.active.is_(True))
    if accruals is not None:
        query = query.where(LeaveType.accrual.in_(accruals))
    return employees, list(await session.scalars(query.order_by(LeaveType.id)))


async def balances(session: AsyncSession, *, employee_id: int, as_of: date) -> list[BalanceLine]:
    """Every active type's balance for one employee: posted, reserved by pending requests, projected to Dec 31."""
    employee = await get_employee(session, employee_id)
    types = list(await session.scalars(select(LeaveType).where(LeaveType.active.is_(True)).order_by(LeaveType.id)))
    entries = [
        posting_of(r)
        for r in await session.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.employee_id == employee_id))
    ]
    pending = await session.execute(
        select(LeaveRequest.leave_type_id, LeaveRequest.working_days).where(
            LeaveRequest.employee_id == employee_id, LeaveRequest.status == LeaveStatus.PENDING
        )
    )
    reserved: dict[int, Decimal] = defaultdict(Decimal)
    for type_id, days in pending.all():
        reserved[type_id] += Decimal(days)
    lines = []
    for row in types:
        own = [e for e in entries if e.leave_type_id == row.id]
        posted = balance(own, as_of)
        year_end = projected_balance_at_year_end(own, policy_of(row), employee_id, as_of, hire_date=employee.hire_date)
        lines.append(
            BalanceLine(
                row.id,
                row.code,
                row.name,
                row.paid,
                posted,
                reserved[row.id],
                posted - reserved[row.id],
                year_end - reserved[row.id],
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
    """An HR correction with a note; never edits an existing entry."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can adjust balances."))
    ensure_not_self(actor, employee_id, N_("You cannot adjust your own balance; ask another HR person."))
    await get_employee(session, employee_id)
    await get_leave_type(session, leave_type_id)
    posting = adjustment_entry(employee_id=employee_id, leave_type_id=leave_type_id, delta=delta, on=on, note=note)
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
