"""Deciding on leave: approve or reject, idempotently, and re-routing requests whose approver is away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.enums import Channel, LeaveStatus
from shared.domain.leave_policy import check_year_balances, violation_error
from shared.domain.leave_state import can_decide, error_for
from shared.domain.leave_year import YearBalance
from shared.domain.routing import reroute_approver
from shared.errors import N_, Invalid, NotFound
from shared.model import Employee, LeaveRequest, LeaveType, utcnow
from shared.notify import leave_messages as msg
from shared.notify.outbox import enqueue_edit
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.attendance.refresh import refresh_days
from shared.services.audit import audit, snapshot
from shared.services.leave.context import on_leave_ids, org_employee_of, policy_of, record_of, span_of
from shared.services.leave.notify import ask_to_decide, edit_approval_messages, leave_view, rule_actor
from shared.services.leave.routing import routing_org
from shared.services.leave.years import parts_of, post_taken, year_balances
from shared.services.lookups import get_employee, get_leave_type, hr_people
from shared.services.reach import channels_of, notify_person


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
    owner = await session.scalar(select(LeaveRequest.employee_id).where(LeaveRequest.id == request_id))
    if owner is None:
        raise NotFound(N_("Leave request {id} does not exist."), id=request_id)
    await lock_rows(session, Employee, [owner])  # approvals of one person's requests check the balance in turn
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
    employee = await get_employee(session, request.employee_id)
    if approve:
        await _check_balance_on_approval(session, request, employee, leave_type, today)
    before = snapshot(request)
    decider = await _decider_name(session, actor)
    request.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
    request.decided_by_id = actor.employee_id
    request.decided_by = decider
    request.decided_at = now
    request.decision_comment = comment
    await session.flush()
    if approve:
        await post_taken(session, request, employee, actor, today)
    audit(
        session,
        actor,
        "approve" if approve else "reject",
        "leave_request",
        request.id,
        old=before,
        new=snapshot(request),
    )
    if approve:
        await refresh_days(
            session, employee_ids=[employee.id], date_from=request.start_date, date_to=request.end_date, now=now,
            actor=actor, why=f"leave_request:{request.id}:approved",
        )  # fmt: skip
    await _announce_decision(session, request, decider, comment, now, actor)
    return DecisionOutcome(request, True, decider, now)


async def _check_balance_on_approval(
    session: AsyncSession, request: LeaveRequest, employee: Employee, leave_type: LeaveType, today: date
) -> None:
    """Each leave year's part against that year's balance (other pending requests are not set aside)."""
    span = span_of(request)
    balances = await year_balances(
        session, employee=employee, leave_type=leave_type, span=span, today=today, exclude_request_id=request.id
    )
    parts = await parts_of(session, employee, span) or {request.start_date.year: Decimal(request.working_days)}
    free = [YearBalance(b.year, b.balance) for b in balances]
    shortfall = check_year_balances(policy_of(leave_type), parts, free, today)
    if shortfall is not None:
        raise violation_error(shortfall)


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
    notify_person(session, employee, text=msg.decided_for_employee(employee.locale, view, decider, comment))
    if settings.hr_notify_decisions:
        for person in await hr_people(session, exclude={employee.id, actor.employee_id or -1}):
            notify_person(session, person, text=msg.decided_for_hr(person.locale, view, decider))


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


async def reroute_pending(session: AsyncSession, *, today: date, actor: Actor, now: datetime | None = None) -> int:
    """Give every pending request whose approver is away (or no longer entitled) the approver routing picks today."""
    moved = 0
    for request in await session.scalars(select(LeaveRequest).where(LeaveRequest.status == LeaveStatus.PENDING)):
        employee = await get_employee(session, request.employee_id)
        org = await routing_org(session, employee, also={request.approver_id} if request.approver_id else None)
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
        await _announce_reroute(session, request, employee, old_id, new_id, now or utcnow())
        moved += 1
    return moved


async def _announce_reroute(
    session: AsyncSession, request: LeaveRequest, employee: Employee, old_id: int | None, new_id: int, now: datetime
) -> None:
    leave_type = await get_leave_type(session, request.leave_type_id)
    view = leave_view(request, employee, leave_type)
    new = await session.get(Employee, new_id)
    old = await session.get(Employee, old_id) if old_id else None
    if old is not None and new is not None:
        notice = msg.rerouted_notice(old.locale, view, new.full_name)
        if old.telegram_user_id:
            enqueue_edit(
                session, chat_id=old.telegram_user_id, edit_ref=msg.approver_ref(request.id, old.id), text=notice
            )
        if Channel.EMAIL in channels_of(old):  # a mail cannot be edited: say it in a new one (its links stop working)
            notify_person(session, old, text=notice, channels=(Channel.EMAIL,))
    if new is not None:
        text, keyboard = msg.approval_request(new.locale, view, [], None)
        await ask_to_decide(session, request_id=request.id, approver=new, text=text, buttons=keyboard,
                            ref=msg.approver_ref(request.id, new.id), now=now)  # fmt: skip
