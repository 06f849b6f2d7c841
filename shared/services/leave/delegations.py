"""Delegation: while a manager is away their approvals go to a delegate (bot ``/delegate``, the API).

Setting or ending one writes the row, its audit entry and both people's notices in one transaction, and
moves the requests already waiting on the delegator to the delegate (or back when it ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import LeaveStatus, Role
from shared.errors import N_, Conflict, Forbidden, Invalid, NotFound
from shared.model import Delegation, Employee, LeaveRequest
from shared.notify.leave_messages import translator_for
from shared.notify.outbox import enqueue_message
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.leave.decisions import reroute_pending
from shared.services.lookups import get_employee

APPROVERS = frozenset({Role.MANAGER, Role.HR, Role.ADMIN})
MAX_DAYS = 366


@dataclass(frozen=True)
class DelegationView:
    row: Delegation
    delegator_name: str
    delegate_name: str


async def _view(session: AsyncSession, row: Delegation) -> DelegationView:
    delegator = await get_employee(session, row.delegator_id)
    delegate = await get_employee(session, row.delegate_id)
    return DelegationView(row, delegator.full_name, delegate.full_name)


def _may_manage(actor: Actor, delegator_id: int) -> None:
    if actor.is_hr or actor.employee_id == delegator_id:
        return
    raise Forbidden(N_("You can only set a delegate for yourself."))


async def set_delegation(
    session: AsyncSession,
    *,
    actor: Actor,
    delegator_id: int,
    delegate_id: int,
    start: date,
    end: date,
    reason: str | None = None,
    today: date,
    now: datetime,
) -> DelegationView:
    """Delegate ``delegator``'s approvals to ``delegate`` from ``start`` to ``end`` (both included)."""
    _may_manage(actor, delegator_id)
    await lock_rows(session, Employee, [delegator_id])  # one delegator's periods are checked one at a time
    delegator = await get_employee(session, delegator_id)
    delegate = await session.get(Employee, delegate_id)
    if delegate is None:
        raise NotFound(N_("Employee {id} does not exist."), id=delegate_id)
    if delegator.role not in APPROVERS:
        raise Invalid(N_("{name} approves nothing, so there is nothing to delegate."), name=delegator.full_name)
    if delegate.id == delegator.id:
        raise Invalid(N_("You cannot delegate to yourself."))
    if not delegate.active or delegate.telegram_user_id is None:
        raise Invalid(N_("{name} cannot be reached in Telegram and cannot be a delegate."), name=delegate.full_name)
    if end < start:
        raise Invalid(N_("The end date must not be before the start date."))
    if end < today:
        raise Invalid(N_("This period is already over."))
    if (end - start).days >= MAX_DAYS:
        raise Invalid(N_("A delegation lasts at most a year."))
    clash = await session.scalar(
        select(Delegation).where(
            Delegation.delegator_id == delegator.id,
            Delegation.revoked_at.is_(None),
            Delegation.start_date <= end,
            Delegation.end_date >= start,
        )
    )
    if clash is not None:
        raise Conflict(
            N_("{name} already has a delegate from {start} to {end}; end it first."),
            name=delegator.full_name, start=clash.start_date, end=clash.end_date,
        )  # fmt: skip
    row = Delegation(
        delegator_id=delegator.id,
        delegate_id=delegate.id,
        start_date=start,
        end_date=end,
        reason=(reason or "").strip()[:200],
        created_by=actor.label,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    audit(session, actor, "create", "delegation", row.id, new=snapshot(row))
    _tell_both(session, delegator, delegate, row, ended=False)
    if start <= today:
        await reroute_pending(session, today=today, actor=actor, approver_id=delegator.id, now=now)
    return DelegationView(row, delegator.full_name, delegate.full_name)


async def end_delegation(
    session: AsyncSession, *, actor: Actor, delegation_id: int, today: date, now: datetime
) -> DelegationView:
    """End a delegation now; requests waiting on the delegate for the delegator go back."""
    row = await session.get(Delegation, delegation_id)
    if row is None:
        raise NotFound(N_("Delegation {id} does not exist."), id=delegation_id)
    _may_manage(actor, row.delegator_id)
    await lock_rows(session, Employee, [row.delegator_id])
    await session.refresh(row)
    if row.revoked_at is not None:
        return await _view(session, row)
    before = snapshot(row)
    row.revoked_at = now
    await session.flush()
    audit(session, actor, "end", "delegation", row.id, old=before, new=snapshot(row))
    delegator = await get_employee(session, row.delegator_id)
    delegate = await get_employee(session, row.delegate_id)
    _tell_both(session, delegator, delegate, row, ended=True)
    await reroute_pending(session, today=today, actor=actor, approver_id=delegate.id, now=now)
    return DelegationView(row, delegator.full_name, delegate.full_name)


async def list_delegations(
    session: AsyncSession, *, employee_id: int | None = None, current_on: date | None = None
) -> list[DelegationView]:
    """Delegations (of or to ``employee_id``), newest first; ``current_on``: only those not ended by then."""
    query = select(Delegation).order_by(Delegation.start_date.desc(), Delegation.id.desc())
    if employee_id is not None:
        query = query.where((Delegation.delegator_id == employee_id) | (Delegation.delegate_id == employee_id))
    if current_on is not None:
        query = query.where(Delegation.revoked_at.is_(None), Delegation.end_date >= current_on)
    return [await _view(session, r) for r in await session.scalars(query.limit(200))]


async def get_delegation(session: AsyncSession, *, delegation_id: int) -> DelegationView:
    row = await session.get(Delegation, delegation_id)
    if row is None:
        raise NotFound(N_("Delegation {id} does not exist."), id=delegation_id)
    return await _view(session, row)


def _tell_both(session: AsyncSession, delegator: Employee, delegate: Employee, row: Delegation, *, ended: bool) -> None:
    for person, other, mine in ((delegator, delegate, True), (delegate, delegator, False)):
        if not person.telegram_user_id:
            continue
        t = translator_for(person.locale)
        start, end = t.format_date(row.start_date, "medium"), t.format_date(row.end_date, "medium")
        name = escape(other.full_name)
        if ended:
            text = (
                t("Your delegation to {name} has ended; approvals come to you again.", name=name)
                if mine
                else t("{name}'s delegation to you has ended.", name=name)
            )
        elif mine:
            text = t("🤝 From {start} to {end} your approvals go to {name}.", start=start, end=end, name=name)
        else:
            text = t("🤝 From {start} to {end} you decide the approvals of {name}.", start=start, end=end, name=name)
        enqueue_message(session, chat_id=person.telegram_user_id, text=text)


async def delegate_candidates(session: AsyncSession, *, employee_id: int, limit: int = 24) -> list[Employee]:
    """Whom a person may pick as delegate in the bot: active people reachable in Telegram who approve
    (managers, HR, admins) or report to them directly, by name."""
    rows = await session.scalars(
        select(Employee)
        .where(
            Employee.active.is_(True),
            Employee.telegram_user_id.is_not(None),
            Employee.id != employee_id,
            (Employee.role.in_(tuple(APPROVERS))) | (Employee.manager_id == employee_id),
        )
        .order_by(Employee.full_name, Employee.id)
        .limit(limit)
    )
    return list(rows)


async def own_leave_ahead(session: AsyncSession, *, employee_id: int, today: date) -> list[LeaveRequest]:
    """The person's pending or approved leave that has not ended (a delegation may cover it)."""
    rows = await session.scalars(
        select(LeaveRequest)
        .where(
            LeaveRequest.employee_id == employee_id,
            LeaveRequest.status.in_((LeaveStatus.PENDING, LeaveStatus.APPROVED)),
            LeaveRequest.end_date >= today,
            LeaveRequest.minutes.is_(None),
        )
        .order_by(LeaveRequest.start_date)
        .limit(3)
    )
    return list(rows)
