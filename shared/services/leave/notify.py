"""Helpers the leave use cases share to tell people: how a request reads, asking for a decision on every channel,
updating the approval messages once the request is decided."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.approval import applicable_levels
from shared.domain.enums import Channel, OutboxStatus, Role, TokenRole
from shared.domain.leave_state import Actor as RuleActor
from shared.i18n import translator
from shared.model import Employee, LeaveRequest, LeaveType, OutboxMessage
from shared.notify.leave_messages import LeaveView, approval_request, approver_ref, document_ref, translator_for
from shared.notify.mail import email_payload, render_mail
from shared.notify.outbox import Keyboard, enqueue_edit, enqueue_email, enqueue_file
from shared.services.actor import Actor
from shared.services.leave.chains import chain_levels
from shared.services.leave.mail_links import approval_links
from shared.services.reach import channels_of, locale_of, notify_person

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
        type_names=leave_type.name_translations,
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
    now: datetime,
) -> None:
    """The approval message on each of the approver's channels (with "level n of m" on a chain), then in
    Telegram the attached document (a sick note)."""
    if view.level_number is None and request.stage is not None:
        employee = await session.get(Employee, request.employee_id)
        leave_type = await session.get(LeaveType, request.leave_type_id)
        if employee is not None and leave_type is not None:
            view = await chain_view(session, request, employee, leave_type)
    text, keyboard = approval_request(approver.locale, view, overlaps, balance_after)
    await ask_to_decide(session, request_id=request.id, approver=approver, text=text, buttons=keyboard,
                        ref=approver_ref(request.id, approver.id), now=now)  # fmt: skip
    if request.attachment_file_id and approver.telegram_user_id:
        caption = translator_for(approver.locale)(
            "Document attached to the request of {name}", name=escape(view.employee_name)
        )
        enqueue_file(session, chat_id=approver.telegram_user_id, file_id=request.attachment_file_id, caption=caption,
                     ref=document_ref(request.id, approver.id))  # fmt: skip


async def edit_approval_messages(
    session: AsyncSession, request: LeaveRequest, text_for: Callable[[str | None], str]
) -> int:
    """Replace every approval message of ``request`` (approver, re-routed approvers, HR escalations) with
    ``text_for(locale)`` and no buttons, so a second press has nothing to press. An e-mail cannot be edited:
    whoever was asked by e-mail gets the new text as a new e-mail (their links no longer act)."""
    mailed = await _mailed_approvers(session, request)
    refs = (
        await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.ref)
            .where(
                OutboxMessage.ref.like(f"leave:{request.id}:%"),
                OutboxMessage.status != OutboxStatus.DEAD,
                OutboxMessage.channel == Channel.TELEGRAM,
            )
            .distinct()
        )
    ).all()
    for person, mailed_ref in mailed:
        text = text_for(person.locale)
        subject, plain, html = render_mail(translator(locale_of(person)), text=text)
        payload = email_payload(subject=subject, text=plain, html=html)
        assert person.email is not None
        enqueue_email(session, to=person.email, payload=payload, ref=f"{mailed_ref}:update", employee_id=person.id)
    if not refs:
        return len(mailed)
    locales = {
        e.telegram_user_id: e.locale
        for e in await session.scalars(select(Employee).where(Employee.telegram_user_id.in_({c for c, _ in refs})))
    }
    for chat_id, ref in refs:
        if ref is None or chat_id is None:
            continue
        enqueue_edit(session, chat_id=chat_id, edit_ref=ref, text=text_for(locales.get(chat_id)))
    return len(refs) + len(mailed)


async def _mailed_approvers(session: AsyncSession, request: LeaveRequest) -> list[tuple[Employee, str]]:
    """Whoever was asked to decide ``request`` by e-mail (and the ref of that e-mail), once per ref."""
    rows = (
        await session.execute(
            select(OutboxMessage.employee_id, OutboxMessage.ref)
            .where(
                OutboxMessage.ref.like(f"leave:{request.id}:%"),
                OutboxMessage.ref.not_like("%:update"),
                OutboxMessage.channel == Channel.EMAIL,
                OutboxMessage.status != OutboxStatus.DEAD,
            )
            .distinct()
        )
    ).all()
    found = []
    for employee_id, ref in rows:
        person = await session.get(Employee, employee_id) if employee_id is not None else None
        if person is not None and person.email and ref is not None:
            found.append((person, ref))
    return found


async def ask_to_decide(
    session: AsyncSession,
    *,
    request_id: int,
    approver: Employee,
    text: str,
    buttons: Keyboard,
    ref: str,
    now: datetime,
) -> None:
    """An approval message on each of the approver's channels: buttons in Telegram, signed links by e-mail."""
    channels = channels_of(approver)
    links, intro = None, None
    if Channel.EMAIL in channels:
        links, intro = await approval_links(session, request_id=request_id, approver=approver, now=now)
    notify_person(session, approver, text=text, buttons=buttons, ref=ref, links=links, links_intro=intro,
                  channels=channels)  # fmt: skip
