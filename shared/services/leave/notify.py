"""Helpers the leave use cases share to tell people: who is HR, how a request reads, editing old messages."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import OutboxStatus, Role, TokenRole
from shared.domain.leave_state import Actor as RuleActor
from shared.model import Employee, LeaveRequest, LeaveType, OutboxMessage
from shared.notify.leave_messages import LeaveView
from shared.notify.outbox import enqueue_edit
from shared.services.actor import Actor

NO_EMPLOYEE = -1  # an API token or a job: never the requester, never the named approver


def rule_actor(actor: Actor) -> RuleActor:
    """The rules' view of an actor: an employee id and a role (tokens act as HR, or as their employee)."""
    if actor.role is not None:
        return RuleActor(actor.employee_id or NO_EMPLOYEE, actor.role)
    if actor.token_role in (TokenRole.ADMIN, TokenRole.HR):
        return RuleActor(
            actor.employee_id or NO_EMPLOYEE, Role.ADMIN if actor.token_role is TokenRole.ADMIN else Role.HR
        )
    return RuleActor(actor.employee_id or NO_EMPLOYEE, Role.MANAGER)


def leave_view(request: LeaveRequest, employee: Employee, leave_type: LeaveType) -> LeaveView:
    return LeaveView(
        id=request.id,
        employee_name=employee.full_name,
        type_name=leave_type.name,
        start_date=request.start_date,
        end_date=request.end_date,
        start_half=request.start_half,
        end_half=request.end_half,
        working_days=Decimal(request.working_days),
        reason=request.reason,
        status=request.status,
        type_names=leave_type.name_translations,
    )


async def edit_approval_messages(
    session: AsyncSession, request: LeaveRequest, text_for: Callable[[str | None], str]
) -> int:
    """Replace every approval message of ``request`` (approver, re-routed approvers, HR escalations) with
    ``text_for(locale)`` and no buttons, so a second press has nothing to press."""
    refs = (
        await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.ref)
            .where(
                OutboxMessage.ref.like(f"leave:{request.id}:%"),
                OutboxMessage.status != OutboxStatus.DEAD,
            )
            .distinct()
        )
    ).all()
    if not refs:
        return 0
    locales = {
        e.telegram_user_id: e.locale
        for e in await session.scalars(select(Employee).where(Employee.telegram_user_id.in_({c for c, _ in refs})))
    }
    for chat_id, ref in refs:
        if ref is None:
            continue
        enqueue_edit(session, chat_id=chat_id, edit_ref=ref, text=text_for(locales.get(chat_id)))
    return len(refs)
