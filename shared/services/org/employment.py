"""What changes with someone's employment, in the same transaction as the change.

- **Hired** (created, or a hire date set or moved): the prorated entitlement of every yearly type for
  this year at once, and the monthly accruals due so far (the Jan 1 and monthly jobs would only catch
  them up later). A moved hire date posts the difference to what this year's allocation gave.
- **Leaving** (a leaving date set, or deactivated: then the leaving date becomes today unless an
  earlier one is set): pending requests ending after the leaving date are cancelled with a notice; the
  days after it are no longer processed nor reported (their computed rows are removed).
- Anything that changes what past days were (shift, work week, zone, holiday calendar, hire and
  leaving dates) re-processes the person's days within the lookback window (``refresh_days``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.enums import Accrual, LeaveStatus, LedgerKind
from shared.domain.ledger import LedgerPosting
from shared.domain.ledger_accrual import allocation_entry, allocation_key, entitlement_entries
from shared.model import Employee, LeaveLedgerEntry, LeaveRequest, LeaveType
from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.attendance.refresh import refresh_days
from shared.services.leave.context import policy_of
from shared.services.leave.postings import post_entries
from shared.services.leave.requests import cancel_leave

# Columns whose change alters what the person's past days were.
ATTENDANCE_FIELDS = ("shift_id", "work_week", "timezone", "holiday_calendar_id", "hire_date", "leaving_date")


def company_today(now: datetime) -> date:
    return today_in(get_settings().company_timezone, now)


async def grant_entitlements(session: AsyncSession, *, employees: Sequence[Employee], today: date, actor: Actor) -> int:
    """This year's entitlement of every active type for (newly) hired employees; returns entries posted."""
    hired = [e for e in employees if e.hire_date is None or e.hire_date <= date(today.year, 12, 31)]
    if not hired:
        return 0
    types = list(await session.scalars(select(LeaveType).where(LeaveType.active.is_(True)).order_by(LeaveType.id)))
    given: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for start in range(0, len(hired), 1000):
        ids = [e.id for e in hired[start : start + 1000]]
        rows = await session.execute(
            select(LeaveLedgerEntry.employee_id, LeaveLedgerEntry.leave_type_id, LeaveLedgerEntry.delta).where(
                LeaveLedgerEntry.employee_id.in_(ids),
                LeaveLedgerEntry.kind == LedgerKind.ALLOCATION,
                LeaveLedgerEntry.key.like(f"allocation:%:{today.year}%"),
            )
        )
        for employee_id, type_id, delta in rows.all():
            given[employee_id, type_id] += Decimal(delta)
    postings: list[LedgerPosting] = []
    for leave_type in types:
        policy = policy_of(leave_type)
        for employee in hired:
            if policy.accrual is Accrual.MONTHLY:
                postings += entitlement_entries(
                    policy, employee.id, today.year, hire_date=employee.hire_date, through=today
                )
                continue
            due = allocation_entry(policy, employee.id, today.year, hire_date=employee.hire_date)
            postings += _allocation_correction(
                employee, leave_type.id, today.year, due, given.get((employee.id, leave_type.id))
            )
    return await post_entries(session, postings, actor)


def _allocation_correction(
    employee: Employee, leave_type_id: int, year: int, due: LedgerPosting | None, given: Decimal | None
) -> list[LedgerPosting]:
    """The allocation, or for a moved hire date the difference to this year's allocations so far."""
    if given is None:
        return [due] if due is not None else []
    difference = (due.delta if due is not None else Decimal(0)) - given
    if difference == 0:
        return []
    hired = employee.hire_date.isoformat() if employee.hire_date else "none"
    return [
        LedgerPosting(
            employee_id=employee.id,
            leave_type_id=leave_type_id,
            kind=LedgerKind.ALLOCATION,
            delta=difference,
            effective_date=max(employee.hire_date or date(year, 1, 1), date(year, 1, 1)),
            key=f"{allocation_key(leave_type_id, employee.id, year)}:hired:{hired}",
            note=f"Allowance {year} corrected for the hire date {hired}",
        )
    ]


async def cancel_after_leaving(
    session: AsyncSession, *, employee: Employee, leaving_date: date, actor: Actor, today: date, now: datetime
) -> int:
    """Cancel the person's pending requests that end after their leaving date (each with its notice)."""
    pending = await session.scalars(
        select(LeaveRequest.id).where(
            LeaveRequest.employee_id == employee.id,
            LeaveRequest.status == LeaveStatus.PENDING,
            LeaveRequest.end_date > leaving_date,
        )
    )
    count = 0
    for request_id in list(pending):
        await cancel_leave(
            session, actor=actor, request_id=request_id, today=today, now=now,
            reason=f"Leaving date {leaving_date.isoformat()}",
        )  # fmt: skip
        count += 1
    return count


async def employment_changed(
    session: AsyncSession, *, employee: Employee, before: dict[str, Any], actor: Actor, now: datetime
) -> None:
    """Apply the effects of a change of employee columns (``before``: their earlier values)."""
    today = company_today(now)
    changed = {f for f in ATTENDANCE_FIELDS if before.get(f) != getattr(employee, f)}
    if "hire_date" in changed or before.get("id") is None:
        await grant_entitlements(session, employees=[employee], today=today, actor=actor)
    old_leaving, new_leaving = before.get("leaving_date"), employee.leaving_date
    if new_leaving is not None and new_leaving != old_leaving:
        await cancel_after_leaving(
            session, employee=employee, leaving_date=new_leaving, actor=actor, today=today, now=now
        )
    if not changed or before.get("id") is None:
        return
    lookback = timedelta(days=get_settings().attendance_lookback_days)
    first = today - lookback
    for field in ("hire_date", "leaving_date"):
        for value in (before.get(field), getattr(employee, field)):
            if isinstance(value, date):
                first = min(first, value)
    await refresh_days(
        session, employee_ids=[employee.id], date_from=first, date_to=today, now=now,
        actor=actor, why=f"employee:{employee.id}:" + ",".join(sorted(changed)),
    )  # fmt: skip


async def calendar_days_changed(
    session: AsyncSession, *, calendar_id: int, days: Iterable[date], actor: Actor, now: datetime
) -> None:
    """A holiday added, moved or removed: re-process those days for everyone on the calendar."""
    days = sorted(set(days))
    if not days:
        return
    ids = list(await session.scalars(select(Employee.id).where(Employee.holiday_calendar_id == calendar_id)))
    await refresh_days(
        session, employee_ids=ids, date_from=days[0], date_to=days[-1], now=now, actor=actor,
        why=f"holiday_calendar:{calendar_id}",
    )  # fmt: skip


async def shift_changed(session: AsyncSession, *, shift_id: int, actor: Actor, now: datetime) -> None:
    """A shift's times or rules changed: re-process the lookback window of everyone working it."""
    ids = list(await session.scalars(select(Employee.id).where(Employee.shift_id == shift_id)))
    today = company_today(now)
    await refresh_days(
        session, employee_ids=ids, date_from=today - timedelta(days=get_settings().attendance_lookback_days),
        date_to=today, now=now, actor=actor, why=f"shift:{shift_id}",
    )  # fmt: skip
