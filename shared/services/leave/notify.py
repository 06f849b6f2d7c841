"""Helpers the leave use cases share to tell people: who is HR, how a request reads, editing old messages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.approval import applicable_levels
from shared.domain.enums import OutboxStatus, Role, TokenRole
from shared.domain.leave_state import Actor as RuleActor
from shared.model import Employee, LeaveRequest, LeaveType, OutboxMessage
from shared.notify.leave_messages import LeaveView, approval_request, approver_ref, translator_for
from shared.notify.outbox import enqueue_edit, enqueue_file, enqueue_message
from shared.services.actor import Actor
from shared.services.leave.chains import chain_levels

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
    hours = None
    if request.start_at is not None and request.end_at is not None:
        hours = (request.start_at, request.end_at, employee.timezone or get_settings().company_timezone)
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
        level=request.stage,
        hours=hours,
    )


async def chain_view(
    session: AsyncSession, request: LeaveRequest, employee: Employee, leave_type: LeaveType
) -> LeaveView:
    """``leave_view`` with "level n of total" when the request waits at a level of a chain."""
    view = leave_view(request, employee, leave_type)
    if request.stage is None:
        return view
    levels = await chain_levels(session, leave_type_id=leave_type.id, department_id=employee.department_id)
    applying = applicable_levels(levels, Decimal(request.working_days))
    if request.stage not in applying:
        return view
    return dataclasses.replace(view, level_number=(applying.index(request.stage) + 1, len(applying)))


async def send_for_decision(
    session: AsyncSession,
    request: LeaveRequest,
    approver: Employee,
    view: LeaveView,
    *,
    overlaps: Sequence[tuple[str, date, date]] = (),
    balance_after: Decimal | None = None,
) -> None:
    """The approval message with its buttons to ``approver``, then the attached document (a sick note)."""
    if not approver.telegram_user_id:
        return
    if view.level_number is None and request.stage is not None:
        employee = await session.get(Employee, request.employee_id)
        leave_type = await session.get(LeaveType, request.leave_type_id)
        if employee is not None and leave_type is not None:
            view = await chain_view(session, request, employee, leave_type)
    text, keyboard = approval_request(approver.locale, view, overlaps, balance_after)
    enqueue_message(
        session,
        chat_id=approver.telegram_user_id,
        text=text,
        buttons=keyboard,
        ref=approver_ref(request.id, approver.id),
    )
    if request.attachment_file_id:
        caption = translator_for(approver.locale)(
            "Document attached to the request of {name}", name=escape(view.employee_name)
        )
        enqueue_file(session, chat_id=approver.telegram_user_id, file_id=request.attachment_file_id, caption=caption)


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
