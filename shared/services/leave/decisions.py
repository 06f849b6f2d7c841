"""Deciding on leave: approve or reject, idempotently, and re-routing requests whose approver is away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.enums import LeaveStatus
from shared.domain.leave_policy import check_balance, violation_error
from shared.domain.leave_state import can_decide, error_for
from shared.domain.ledger import balance, taken_entry
from shared.domain.routing import reroute_approver
from shared.errors import N_, Invalid, NotFound
from shared.model import Employee, LeaveRequest
from shared.notify import leave_messages as msg
from shared.notify.outbox import enqueue_edit, enqueue_message
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.leave.balances import post_entries
from shared.services.leave.context import (
    ledger_postings,
    on_leave_ids,
    org_employee_of,
    policy_of,
    record_of,
    routing_org,
)
from shared.services.leave.notify import edit_approval_messages, leave_view, rule_actor
from shared.services.lookups import get_employee, get_leave_type, hr_people


@dataclass(frozen=True)
class DecisionOutcome:
    """The request after the call; ``changed`` is False when it had already been decided (nothing written)."""

    request: LeaveRequest
    changed: bool
    decided_by: str | None
    decided_at: datetime | None


async def decide_leave(
    session: AsyncSession,
    *,
    actor: Actor,
    request_id: int,
    approve: bool,
    comment: str | None = None,
    today: date,
    now: datetime,
) -> DecisionOutcome:
    """Approve or reject a pending request.

    The row is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite write transactions are
    serialised by BEGIN IMMEDIATE), so of two concurrent deciders one decides and the other finds the
    request decided and gets the existing outcome; the version column guards any other writer.
    """
    request = await session.scalar(select(LeaveRequest).where(LeaveRequest.id == request_id).with_for_update())
    if request is None:
        raise NotFound(N_("Leave request {id} does not exist."), id=request_id)
    if request.status is not LeaveStatus.PENDING:
        return DecisionOutcome(
            request, False, request.decided_by or request.cancelled_by, request.decided_at or request.cancelled_at
        )
    violation = can_decide(rule_actor(actor), record_of(request))
    if violation is not None:
        raise error_for(violation)
    comment = (comment or "").strip()[:2000] or None
    if not approve and not comment:
        raise Invalid(N_("Please say why the request is rejected."))
    leave_type = await get_leave_type(session, request.leave_type_id)
    if approve:
        postings = await ledger_postings(session, request.employee_id, request.leave_type_id)
        shortfall = check_balance(
            policy_of(leave_type),
            requested=request.working_days,
            balance=balance(postings, max(today, request.start_date)),
            reserved=Decimal(0),
        )
        if shortfall is not None:
            raise violation_error(shortfall)
    before = snapshot(request)
    decider = await _decider_name(session, actor)
    request.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
    request.decided_by_id = actor.employee_id
    request.decided_by = decider
    request.decided_at = now
    request.decision_comment = comment
    await session.flush()
    if approve:
        await post_entries(session, [taken_entry(record_of(request), on=today)], actor)
    audit(
        session,
        actor,
        "approve" if approve else "reject",
        "leave_request",
        request.id,
        old=before,
        new=snapshot(request),
    )
    await _announce_decision(session, request, decider, comment, now, actor)
    return DecisionOutcome(request, True, decider, now)


async def _decider_name(session: AsyncSession, actor: Actor) -> str:
    if actor.employee_id:
        person = await session.get(Employee, actor.employee_id)
        if person:
            return person.full_name
    return actor.label.split(":", 1)[-1]


async def _announce_decision(
    session: AsyncSession, request: LeaveRequest, decider: str, comment: str | None, now: datetime, actor: Actor
) -> None:
    employee = await get_employee(session, request.employee_id)
    leave_type = await get_leave_type(session, request.leave_type_id)
    view = leave_view(request, employee, leave_type)
    settings = get_settings()
    await edit_approval_messages(
        session, request, lambda locale: msg.decided_for_approver(locale, view, decider, now, settings.company_timezone)
    )
    if employee.telegram_user_id:
        enqueue_message(
            session,
            chat_id=employee.telegram_user_id,
            text=msg.decided_for_employee(employee.locale, view, decider, comment),
        )
    if settings.hr_notify_decisions:
        for person in await hr_people(session, exclude={employee.id, actor.employee_id or -1}):
            if person.telegram_user_id:
                enqueue_message(
                    session, chat_id=person.telegram_user_id, text=msg.decided_for_hr(person.locale, view, decider)
                )


async def pending_for(session: AsyncSession, *, approver_id: int, include_unrouted: bool = False) -> list[LeaveRequest]:
    """What waits on one approver (HR also sees requests nobody could be routed to)."""
    condition = LeaveRequest.approver_id == approver_id
    if include_unrouted:
        condition = condition | LeaveRequest.approver_id.is_(None)
    rows = await session.scalars(
        select(LeaveRequest)
        .where(LeaveRequest.status == LeaveStatus.PENDING, condition)
        .order_by(LeaveRequest.start_date, LeaveRequest.id)
    )
    return list(rows)


async def reroute_pending(session: AsyncSession, *, today: date, actor: Actor) -> int:
    """Give every pending request whose approver is away (or no longer entitled) the approver routing picks today."""
    moved = 0
    for request in await session.scalars(select(LeaveRequest).where(LeaveRequest.status == LeaveStatus.PENDING)):
        employee = await get_employee(session, request.employee_id)
        org = await routing_org(session, employee)
        if request.approver_id and request.approver_id not in org.employees:
            current = await session.get(Employee, request.approver_id)
            if current is not None:
                org = type(org).of([*org.employees.values(), org_employee_of(current)], org.departments.values())
        away = await on_leave_ids(session, org.employees, today)
        new_id = reroute_approver(request.approver_id, org_employee_of(employee), org, away, today)
        if new_id == request.approver_id or new_id is None:
            continue
        old_id, request.approver_id = request.approver_id, new_id
        await session.flush()
        audit(
            session,
            actor,
            "reroute",
            "leave_request",
            request.id,
            old={"approver_id": old_id},
            new={"approver_id": new_id},
        )
        await _announce_reroute(session, request, employee, old_id, new_id)
        moved += 1
    return moved


async def _announce_reroute(
    session: AsyncSession, request: LeaveRequest, employee: Employee, old_id: int | None, new_id: int
) -> None:
    leave_type = await get_leave_type(session, request.leave_type_id)
    view = leave_view(request, employee, leave_type)
    new = await session.get(Employee, new_id)
    old = await session.get(Employee, old_id) if old_id else None
    if old is not None and old.telegram_user_id and new is not None:
        enqueue_edit(
            session,
            chat_id=old.telegram_user_id,
            edit_ref=msg.approver_ref(request.id, old.id),
            text=msg.rerouted_notice(old.locale, view, new.full_name),
        )
    if new is not None and new.telegram_user_id:
        text, keyboard = msg.approval_request(new.locale, view, [], None)
        enqueue_message(
            session, chat_id=new.telegram_user_id, text=text, buttons=keyboard, ref=msg.approver_ref(request.id, new.id)
        )
