"""Requests nobody decides in time: escalated once to the next level (or HR), then expired with a notice.

The type's ``expire_after_days`` counts the requester's working days at the current level. Each request
is handled under the same locks as a decision, so a decision and the job never both act on it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.approval import Overdue, overdue_action, working_days_waited
from shared.domain.enums import LeaveStatus
from shared.model import Employee, LeaveRequest, LeaveType
from shared.notify import leave_messages as msg
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.attendance.processing import zone
from shared.services.audit import audit, snapshot
from shared.services.leave.chains import ESCALATED, EXPIRED, approved_by, assign, record_step
from shared.services.leave.context import work_calendar
from shared.services.leave.notify import chain_view, edit_approval_messages, send_for_decision
from shared.services.lookups import get_employee, get_leave_type, hr_people
from shared.services.reach import notify_person

log = logging.getLogger(__name__)


@dataclass
class ExpiryStats:
    checked: int = 0
    escalated: int = 0
    expired: int = 0


async def escalate_or_expire(session: AsyncSession, *, today: date, now: datetime, actor: Actor) -> ExpiryStats:
    """Every pending request of a type with an expiry: escalate or expire it when it waited too long."""
    stats = ExpiryStats()
    candidates = (
        await session.execute(
            select(LeaveRequest.id, LeaveRequest.employee_id)
            .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
            .where(LeaveRequest.status == LeaveStatus.PENDING, LeaveType.expire_after_days.is_not(None))
            .order_by(LeaveRequest.id)
        )
    ).all()
    for request_id, owner in candidates:
        stats.checked += 1
        await lock_rows(session, Employee, [owner])
        request = await session.scalar(select(LeaveRequest).where(LeaveRequest.id == request_id).with_for_update())
        if request is None or request.status is not LeaveStatus.PENDING:
            continue  # decided meanwhile
        action = await _due(session, request, today)
        if action is Overdue.ESCALATE:
            await _escalate(session, request, actor, today, now)
            stats.escalated += 1
        elif action is Overdue.EXPIRE:
            await _expire(session, request, actor, now)
            stats.expired += 1
    return stats


async def _due(session: AsyncSession, request: LeaveRequest, today: date) -> Overdue | None:
    leave_type = await get_leave_type(session, request.leave_type_id)
    employee = await get_employee(session, request.employee_id)
    since_at = request.stage_since or request.created_at
    since = since_at.astimezone(zone(employee.timezone or get_settings().company_timezone)).date()
    if since >= today:
        return None
    calendar = await work_calendar(session, employee, since, today)
    waited = working_days_waited(since, today, calendar.is_working_day)
    return overdue_action(waited, leave_type.expire_after_days, escalated=request.escalated)


async def _escalate(session: AsyncSession, request: LeaveRequest, actor: Actor, today: date, now: datetime) -> None:
    """To the next level of the chain, or to HR; the one who held it is told."""
    employee = await get_employee(session, request.employee_id)
    leave_type = await get_leave_type(session, request.leave_type_id)
    before = snapshot(request)
    held_by = request.approver_id
    nxt = None
    new_id: int | None
    if request.stage is not None:
        done = await approved_by(session, request.id)
        nxt = await assign(
            session, employee=employee, leave_type_id=leave_type.id, days=Decimal(request.working_days),
            day=today, after=request.stage, done_by=done | ({held_by} if held_by else set()),
        )  # fmt: skip
    if nxt is not None and nxt.approver_id is not None:
        new_id, new_stage = nxt.approver_id, nxt.level
    else:
        hr = [p for p in await hr_people(session, exclude={employee.id, held_by or -1}) if p.active]
        new_id, new_stage = (hr[0].id if hr else held_by), request.stage
    record_step(session, request=request, outcome=ESCALATED, decided_by_id=None, decided_by=actor.label,
                comment=None, now=now)  # fmt: skip
    request.approver_id, request.stage, request.stage_since, request.escalated = new_id, new_stage, now, True
    await session.flush()
    audit(session, actor, "escalate", "leave_request", request.id, old=before, new=snapshot(request))
    view = await chain_view(session, request, employee, leave_type)
    limit = leave_type.expire_after_days or 0
    await edit_approval_messages(session, request, lambda locale: msg.escalated_to(locale, view, limit))
    new = await session.get(Employee, new_id) if new_id else None
    if new is not None:
        await send_for_decision(session, request, new, view, now=now)
    else:
        log.warning("leave request %s escalated but nobody can decide it", request.id)


async def _expire(session: AsyncSession, request: LeaveRequest, actor: Actor, now: datetime) -> None:
    """Nobody decided after the escalation either: the request expires; the employee and the approvers are told."""
    employee = await get_employee(session, request.employee_id)
    leave_type = await get_leave_type(session, request.leave_type_id)
    before = snapshot(request)
    record_step(session, request=request, outcome=EXPIRED, decided_by_id=None, decided_by=actor.label,
                comment=None, now=now)  # fmt: skip
    request.status, request.decided_at = LeaveStatus.EXPIRED, now
    await session.flush()
    audit(session, actor, "expire", "leave_request", request.id, old=before, new=snapshot(request))
    view = await chain_view(session, request, employee, leave_type)
    await edit_approval_messages(session, request, lambda locale: msg.expired_notice(locale, view))
    notify_person(session, employee, text=msg.expired_notice(employee.locale, view))
