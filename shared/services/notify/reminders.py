"""Reminders the scheduler sends: a forgotten check-out, requests waiting on an approver, escalation to HR.

Each reminder is an outbox row with a ``ref`` that says what it is about; a reminder whose ref is already in
the outbox is not written again, so a job that runs twice (or from the CLI after the schedule) sends once:

* ``checkout:{employee}:{shift day}`` — to the employee, once per shift day.
* ``remind:approver:{approver}:{date}`` — to the approver, once a day.
* ``leave:{request}:escalation:{hr}`` — to each HR person, once per request (the ``leave:{id}:`` prefix lets
  the decision edit the message and remove its buttons, like the approver's own message).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Direction, LeaveStatus
from shared.domain.punches import PunchFact, drop_duplicates, resolve_directions
from shared.domain.shift_window import ShiftRule, day_range, shift_window
from shared.model import Employee, LeaveRequest, LeaveType, OutboxMessage, Punch, utcnow
from shared.notify.job_messages import checkout_reminder, nobody
from shared.notify.leave_messages import escalation_for_hr, reminder_for_approver
from shared.notify.outbox import enqueue_message
from shared.services.attendance.processing import shift_rules, zone
from shared.services.leave.notify import ask_to_decide, leave_view
from shared.services.lookups import hr_people
from shared.services.reach import notify_person, reachable

log = logging.getLogger(__name__)


async def _existing_refs(session: AsyncSession, refs: Iterable[str]) -> set[str]:
    wanted = list(set(refs))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        query = select(OutboxMessage.ref).where(OutboxMessage.ref.in_(wanted[start : start + 500]))
        found.update(r for r in await session.scalars(query) if r)
    return found


@dataclass
class CheckoutStats:
    due: int = 0
    """Employees whose shift ended at least the reminder delay ago (and whose check-out window is open)."""
    checked_in: int = 0
    """Of those, still checked in."""
    reminded: int = 0
    already_reminded: int = 0


@dataclass(frozen=True)
class _Due:
    employee: Employee
    day: date
    shift: ShiftRule
    tz: str
    end: datetime
    lower: datetime
    upper: datetime


def _due_shifts(employee: Employee, shift: ShiftRule, tz: str, now: datetime, after: timedelta) -> list[_Due]:
    zone_info = zone(tz)
    today = now.astimezone(zone_info).date()
    found = []
    for day in (today - timedelta(days=1), today):  # a night shift that started yesterday ends today
        window = shift_window(day, shift, zone_info)
        if window.end_utc + after <= now < window.latest_utc:
            lower, upper = day_range(day, shift, zone_info)
            found.append(_Due(employee, day, shift, tz, window.end_utc, lower, upper))
    return found


async def remind_checkouts(
    session: AsyncSession, *, now: datetime, company_timezone: str, after_minutes: int
) -> CheckoutStats:
    """Tell employees who are still checked in ``after_minutes`` after their shift ended to check out.

    "Checked in" is the last punch of the shift day being an IN (directions resolved as the nightly
    processing does). Only employees with a shift and a linked Telegram account are considered.
    """
    stats = CheckoutStats()
    shifts = await shift_rules(session)
    people = await session.scalars(
        select(Employee).where(
            Employee.active.is_(True), Employee.telegram_user_id.is_not(None), Employee.shift_id.is_not(None)
        )
    )
    due: list[_Due] = []
    for person in people:
        if person.shift_id in shifts:
            tz = person.timezone or company_timezone
            due.extend(_due_shifts(person, shifts[person.shift_id], tz, now, timedelta(minutes=after_minutes)))
    stats.due = len(due)
    if not due:
        return stats
    rows = await session.execute(
        select(Punch.employee_id, Punch.instant, Punch.direction, Punch.source).where(
            Punch.employee_id.in_({d.employee.id for d in due}),
            Punch.instant >= min(d.lower for d in due),
            Punch.instant < max(d.upper for d in due),
        )
    )
    punches: dict[int | None, list[PunchFact]] = defaultdict(list)
    for employee_id, instant, direction, source in rows.all():
        punches[employee_id].append(PunchFact(instant, direction, source))
    open_shifts: list[tuple[_Due, datetime]] = []
    for item in due:
        day = drop_duplicates(p for p in punches[item.employee.id] if item.lower <= p.instant < item.upper)
        directions = resolve_directions(day)
        if directions and directions[-1] is Direction.IN:
            open_shifts.append((item, day[-1].instant))
    stats.checked_in = len(open_shifts)
    sent = await _existing_refs(session, (f"checkout:{d.employee.id}:{d.day}" for d, _ in open_shifts))
    for item, checked_in in open_shifts:
        ref = f"checkout:{item.employee.id}:{item.day}"
        if ref in sent:
            stats.already_reminded += 1
            continue
        assert item.employee.telegram_user_id is not None
        text = checkout_reminder(item.employee.locale, checked_in=checked_in, shift_end=item.end, tz=item.tz)
        enqueue_message(session, chat_id=item.employee.telegram_user_id, text=text, ref=ref)
        stats.reminded += 1
    return stats


async def _pending(session: AsyncSession) -> list[tuple[LeaveRequest, Employee, LeaveType]]:
    rows = await session.execute(
        select(LeaveRequest, Employee, LeaveType)
        .join(Employee, Employee.id == LeaveRequest.employee_id)
        .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
        .where(LeaveRequest.status == LeaveStatus.PENDING)
        .order_by(LeaveRequest.start_date, LeaveRequest.id)
    )
    return [(r, e, t) for r, e, t in rows.all()]


@dataclass
class ApproverStats:
    approvers: int = 0
    requests: int = 0
    reminded: int = 0
    already_reminded: int = 0
    unreachable: int = 0
    """Approvers no channel reaches (no Telegram, no e-mail) or deactivated."""


async def remind_approvers(session: AsyncSession, *, today: date) -> ApproverStats:
    """One message a day to every approver with pending requests, listing them."""
    stats = ApproverStats()
    waiting: dict[int, list[tuple[LeaveRequest, Employee, LeaveType]]] = defaultdict(list)
    for request, employee, leave_type in await _pending(session):
        if request.approver_id is not None:
            waiting[request.approver_id].append((request, employee, leave_type))
    stats.approvers, stats.requests = len(waiting), sum(len(v) for v in waiting.values())
    if not waiting:
        return stats
    approvers = {a.id: a for a in await session.scalars(select(Employee).where(Employee.id.in_(list(waiting))))}
    sent = await _existing_refs(session, (f"remind:approver:{a}:{today}" for a in waiting))
    for approver_id, items in waiting.items():
        approver = approvers.get(approver_id)
        ref = f"remind:approver:{approver_id}:{today}"
        if approver is None or not approver.active or not reachable(approver):
            stats.unreachable += 1
        elif ref in sent:
            stats.already_reminded += 1
        else:
            views = [leave_view(r, e, t) for r, e, t in items]
            text = reminder_for_approver(approver.locale, views)
            notify_person(session, approver, text=text, ref=ref)
            stats.reminded += 1
    return stats


@dataclass
class EscalationStats:
    overdue: int = 0
    escalated: int = 0
    messages: int = 0
    already_escalated: int = 0


async def escalate_to_hr(
    session: AsyncSession, *, today: date, after_days: int, company_timezone: str, now: datetime | None = None
) -> EscalationStats:
    """Show HR (with decision buttons) every request pending for ``after_days`` days or more, once."""
    stats = EscalationStats()
    tz = zone(company_timezone)
    overdue = []
    for request, employee, leave_type in await _pending(session):
        waited = (today - request.created_at.astimezone(tz).date()).days
        if waited >= after_days:
            overdue.append((request, employee, leave_type, waited))
    stats.overdue = len(overdue)
    if not overdue:
        return stats
    hr = [p for p in await hr_people(session) if reachable(p)]
    refs = (f"leave:{r.id}:escalation:{p.id}" for r, *_ in overdue for p in hr)
    sent = await _existing_refs(session, refs)
    ids = {r.approver_id for r, *_ in overdue if r.approver_id}
    names = dict((await session.execute(select(Employee.id, Employee.full_name).where(Employee.id.in_(ids)))).all())
    for request, employee, leave_type, waited in overdue:
        view = leave_view(request, employee, leave_type)
        wrote = False
        for person in hr:
            ref = f"leave:{request.id}:escalation:{person.id}"
            if person.id in (request.employee_id, request.approver_id):
                continue  # the requester must not decide; the approver already gets the daily reminder
            if ref in sent:
                stats.already_escalated += 1
                continue
            approver = names.get(request.approver_id) if request.approver_id else None
            text, keyboard = escalation_for_hr(person.locale, view, approver or nobody(person.locale), waited)
            await ask_to_decide(session, request_id=request.id, approver=person, text=text, buttons=keyboard, ref=ref,
                                now=now or utcnow())  # fmt: skip
            stats.messages += 1
            wrote = True
        stats.escalated += wrote
    return stats
