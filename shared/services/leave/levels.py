"""A request moving through its approval chain: passing a level on, a press on a level already passed,
and who should hold a waiting request now (away approvers, delegations)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.approval import delegate_of
from shared.domain.routing import reroute_approver
from shared.model import Employee, LeaveRequest, LeaveStep, LeaveType
from shared.notify import leave_messages as msg
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.leave.chains import APPROVED, Assignment, approved_by, assign, delegations_on, record_step
from shared.services.leave.context import on_leave_ids, org_employee_of
from shared.services.leave.notify import chain_view, edit_approval_messages, send_for_decision
from shared.services.leave.outcome import DecisionOutcome
from shared.services.leave.routing import routing_org
from shared.services.reach import notify_person


async def level_already_decided(session: AsyncSession, request: LeaveRequest, level: int) -> DecisionOutcome:
    """The outcome of a press on ``level`` when the request has moved past it: who approved that level."""
    step = await session.scalar(
        select(LeaveStep)
        .where(LeaveStep.request_id == request.id, LeaveStep.level == level, LeaveStep.outcome == APPROVED)
        .order_by(LeaveStep.id.desc())
        .limit(1)
    )
    return DecisionOutcome(request, False, step.decided_by if step else None, step.at if step else None)


async def pass_on(
    session: AsyncSession,
    *,
    request: LeaveRequest,
    employee: Employee,
    leave_type: LeaveType,
    actor: Actor,
    decider: str,
    comment: str | None,
    to: Assignment,
    now: datetime,
) -> DecisionOutcome:
    """Approve the current level and hand the request to the next level's approver (all told)."""
    before = snapshot(request)
    record_step(
        session, request=request, outcome=APPROVED, decided_by_id=actor.employee_id, decided_by=decider,
        comment=comment, now=now,
    )  # fmt: skip
    request.approver_id, request.stage = to.approver_id, to.level
    request.stage_since, request.escalated = now, False
    await session.flush()
    audit(session, actor, "approve_level", "leave_request", request.id, old=before, new=snapshot(request))
    nxt = await session.get(Employee, to.approver_id) if to.approver_id else None
    next_name = nxt.full_name if nxt else "?"
    view = await chain_view(session, request, employee, leave_type)
    await edit_approval_messages(
        session, request, lambda locale: msg.level_passed_for_approver(locale, view, decider, next_name)
    )
    if nxt is not None:
        await send_for_decision(session, request, nxt, view, now=now)
    notify_person(session, employee, text=msg.level_passed_for_employee(employee.locale, view, decider, next_name))
    return DecisionOutcome(request, True, decider, now, passed_to=next_name)


async def current_holder(session: AsyncSession, request: LeaveRequest, employee: Employee, today: date) -> int | None:
    """Who should hold the waiting request today: its level re-resolved (chain), or routing kept while the
    approver is available; either way handed to a delegate while a delegation holds."""
    if request.stage is not None:
        if request.escalated:
            return request.approver_id  # escalated for waiting too long: it stays where the expiry job sent it
        done = await approved_by(session, request.id)
        assigned = await assign(
            session, employee=employee, leave_type_id=request.leave_type_id, days=Decimal(request.working_days),
            day=today, after=request.stage - 1 if request.stage > 0 else None, done_by=done,
        )  # fmt: skip
        if assigned is None or assigned.level != request.stage:
            return request.approver_id  # nobody at this level today: it stays (expiry escalates it)
        return assigned.approver_id
    org = await routing_org(session, employee, also={request.approver_id} if request.approver_id else None)
    away = await on_leave_ids(session, org.employees, today)
    chosen = reroute_approver(request.approver_id, org_employee_of(employee), org, away, today)
    if chosen is None:
        return None
    delegations = await delegations_on(session, today)
    if any(d.delegate_id == request.approver_id and d.delegator_id == chosen for d in delegations):
        return request.approver_id  # already with the delegate
    delegate = delegate_of(chosen, delegations, today)
    if delegate is not None and delegate != employee.id and delegate not in away:
        return delegate
    return chosen
