"""Asking for leave and cancelling it: the use cases the bot, the API and HR all call.

Each writes the state, its audit row and the outbox notifications in the caller's one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.employment import has_access
from shared.domain.enums import HalfDay, LeaveStatus
from shared.domain.hourly import HourRange
from shared.domain.leave import LeaveSpan, RuleViolated, Violation
from shared.domain.leave_policy import (
    check_leaving_date,
    check_request,
    check_year_balances,
    is_unlimited,
    violation_error,
)
from shared.domain.leave_state import can_cancel, error_for, initial_status
from shared.domain.leave_year import days_by_year
from shared.errors import N_, Forbidden, NotFound
from shared.model import Department, Employee, LeaveRequest, LeaveType
from shared.notify import leave_messages as msg
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.attendance.refresh import refresh_days
from shared.services.audit import audit, snapshot
from shared.services.leave.chains import assign
from shared.services.leave.context import (
    blackouts_for,
    department_load,
    own_requests,
    policy_of,
    record_of,
    team_requests,
    work_calendar,
)
from shared.services.leave.hours import hourly_type_ids, is_hourly, quote_hours
from shared.services.leave.idempotency import same_request, scoped_key
from shared.services.leave.notify import edit_approval_messages, leave_view, rule_actor, send_for_decision
from shared.services.leave.years import post_reversals, post_taken, year_balances
from shared.services.lookups import get_employee, get_leave_type, hr_people
from shared.services.reach import notify_person, reachable

log = logging.getLogger(__name__)


@dataclass
class LeaveQuote:
    """What a request would be, before it is made: days, balance, approver and every broken rule.

    ``balance``, ``reserved`` and ``balance_after`` speak of leave year ``year`` (the request's last
    leave year); ``years`` has each year the request touches.
    """

    working_days: Decimal
    balance: Decimal
    reserved: Decimal
    balance_after: Decimal
    approver_id: int | None
    approver_name: str | None
    auto_approved: bool
    level: int | None = None  # the approval chain level the request starts at (None: no chain)
    hours: HourRange | None = None  # an hourly request's range (``working_days`` then counts hours)
    violations: list[Violation] = field(default_factory=list)
    year: int | None = None
    years: list[YearQuote] = field(default_factory=list)
    paid: bool = True
    unlimited: bool = False  # the type counts no balance: say so instead of a balance after

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class YearQuote:
    year: int
    working_days: Decimal
    balance: Decimal
    reserved: Decimal

    @property
    def balance_after(self) -> Decimal:
        return self.balance - self.reserved - self.working_days


async def quote_leave(
    session: AsyncSession,
    *,
    employee_id: int,
    leave_type_id: int,
    start: date,
    end: date,
    start_half: HalfDay | None = None,
    end_half: HalfDay | None = None,
    today: date,
    has_attachment: bool | None = None,
    request_id: int | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
) -> LeaveQuote:
    """Check a prospective request against every rule without writing anything (an hourly type: the time
    range on one day instead of half days; its balance counts hours)."""
    employee = await get_employee(session, employee_id)
    leave_type = await get_leave_type(session, leave_type_id)
    policy = policy_of(leave_type)
    span = LeaveSpan(start, end, start_half, end_half)
    lo, hi = min(start, end), max(start, end)
    calendar = await work_calendar(session, employee, lo, hi)
    existing = await own_requests(session, employee.id)
    hourly = None
    if is_hourly(leave_type):
        hourly = await quote_hours(
            session, employee=employee, leave_type=leave_type, start=start, end=end, start_time=start_time,
            end_time=end_time, halves=start_half is not None or end_half is not None, request_id=request_id,
        )  # fmt: skip
        by_hours = await hourly_type_ids(session)
        existing = [r for r in existing if r.leave_type_id not in by_hours]  # hourly bookings: checked by range
    balances = await year_balances(
        session, employee=employee, leave_type=leave_type, span=span, today=today, exclude_request_id=request_id,
        hours=hourly.hours if hourly else None,
    )  # fmt: skip
    team = [record_of(r) for r in await team_requests(session, employee, lo, hi, department_only=True)]
    violations = check_request(
        span,
        policy=policy,
        calendar=calendar,
        today=today,
        employee_id=employee.id,
        department_id=employee.department_id,
        department=await department_load(session, employee.department_id, lo, hi),
        existing=existing,
        team_leave=team,
        blackouts=await blackouts_for(session, employee.department_id, lo, hi),
        balances=None if hourly else balances,
        has_attachment=has_attachment,
        request_id=request_id,
    )
    leaving = check_leaving_date(span, employee.leaving_date)
    if leaving is not None:
        violations.insert(0, leaving)
    try:
        parts = days_by_year(span, calendar)
    except RuleViolated:  # an invalid span is already among the violations
        parts = {}
    if hourly is not None:
        parts = {start.year: hourly.hours} if parts else {}
        violations.extend(hourly.violations)
        if not hourly.violations and parts:
            short = check_year_balances(policy, parts, balances, today)
            violations.extend([short] if short is not None else [])
    years = [
        YearQuote(b.year, sum((d for y, d in parts.items() if max(y, today.year) == b.year), Decimal(0)), b.balance,
                  b.reserved)
        for b in balances
    ]  # fmt: skip
    shown = years[-1] if years else YearQuote(today.year, Decimal(0), Decimal(0), Decimal(0))
    days = sum(parts.values(), Decimal(0))
    assigned = await assign(session, employee=employee, leave_type_id=leave_type.id, days=days, day=today)
    approver_id = assigned.approver_id if assigned else None
    approver = await session.get(Employee, approver_id) if approver_id else None
    return LeaveQuote(
        working_days=days,
        balance=shown.balance,
        reserved=shown.reserved,
        balance_after=shown.balance_after,
        approver_id=approver_id,
        approver_name=approver.full_name if approver else None,
        auto_approved=not leave_type.approval_required,
        level=assigned.level if assigned else None,
        hours=hourly.booked if hourly else None,
        violations=violations,
        year=shown.year,
        years=years,
        paid=leave_type.paid,
        unlimited=is_unlimited(
            yearly_allowance=leave_type.yearly_allowance, negative_allowed=leave_type.negative_allowed
        ),
    )


def _may_request_for(actor: Actor, employee: Employee) -> None:
    if actor.employee_id == employee.id or actor.is_hr:
        return
    raise Forbidden(N_("You can only request leave for yourself."))


async def request_leave(
    session: AsyncSession,
    *,
    actor: Actor,
    employee_id: int,
    leave_type_id: int,
    start: date,
    end: date,
    start_half: HalfDay | None = None,
    end_half: HalfDay | None = None,
    reason: str | None = None,
    attachment_file_id: str | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
    today: date,
    now: datetime,
    idempotency_key: str | None = None,
) -> LeaveRequest:
    """Create a request after every rule passed; route it, or approve it at once when the type needs no approval.

    The employee's row (and their department's) is locked first, so concurrent requests are checked one
    after the other against balances, overlaps and the department's share. With an ``idempotency_key``
    (scoped to the actor) a repeated call returns the request the first one made, if it asked the same.
    """
    employee = await get_employee(session, employee_id)
    _may_request_for(actor, employee)
    await lock_rows(session, Department, [employee.department_id])
    await lock_rows(session, Employee, [employee.id])
    key = scoped_key(actor, idempotency_key)
    if key is not None:
        earlier = await session.scalar(select(LeaveRequest).where(LeaveRequest.idempotency_key == key))
        if earlier is not None:
            return same_request(earlier, employee.id, leave_type_id, start, end, start_half, end_half)
    if actor.employee_id == employee.id and not has_access(employee.active, employee.leaving_date, today):
        raise Forbidden(N_("{name} is deactivated and cannot take leave."), name=employee.full_name)
    if not employee.active and employee.leaving_date is None:  # deactivated before leaving dates existed
        raise Forbidden(N_("{name} is deactivated and cannot take leave."), name=employee.full_name)
    leave_type = await get_leave_type(session, leave_type_id)
    quote = await quote_leave(
        session,
        employee_id=employee.id,
        leave_type_id=leave_type.id,
        start=start,
        end=end,
        start_half=start_half,
        end_half=end_half,
        today=today,
        has_attachment=bool(attachment_file_id),
        start_time=start_time,
        end_time=end_time,
    )
    if quote.violations:
        raise violation_error(quote.violations[0])
    reason = (reason or "").strip()[:2000] or None
    request = LeaveRequest(
        employee_id=employee.id,
        leave_type_id=leave_type.id,
        start_date=start,
        end_date=end,
        start_half=start_half,
        end_half=end_half,
        working_days=quote.working_days,
        reason=reason,
        status=initial_status(policy_of(leave_type)),
        approver_id=quote.approver_id,
        attachment_file_id=attachment_file_id,
        created_by=actor.label,
        idempotency_key=key,
        stage=quote.level,
        stage_since=now,
    )
    if quote.hours is not None:
        request.start_at, request.end_at, request.minutes = quote.hours.start, quote.hours.end, quote.hours.minutes
    session.add(request)
    await session.flush()
    if request.status is LeaveStatus.APPROVED:
        request.decided_at = now
        request.decided_by = "auto"
        await post_taken(session, request, employee, actor, today)
    audit(session, actor, "create", "leave_request", request.id, new=snapshot(request))
    if request.status is LeaveStatus.APPROVED:
        await refresh_days(
            session, employee_ids=[employee.id], date_from=start, date_to=end, now=now, actor=actor,
            why=f"leave_request:{request.id}:approved",
        )  # fmt: skip
    await _announce_new(session, request, employee, leave_type, actor, quote, now)
    return request


async def _announce_new(
    session: AsyncSession,
    request: LeaveRequest,
    employee: Employee,
    leave_type: LeaveType,
    actor: Actor,
    quote: LeaveQuote,
    now: datetime,
) -> None:
    view = leave_view(request, employee, leave_type)
    on_behalf = actor.employee_id != employee.id
    if request.status is LeaveStatus.APPROVED:
        if on_behalf:
            notify_person(session, employee, text=msg.auto_approved_for_employee(employee.locale, view))
        return
    approvers = (
        [await session.get(Employee, request.approver_id)]
        if request.approver_id
        else await hr_people(session, exclude={employee.id})  # nobody could be reached: HR at once
    )
    if on_behalf:
        decider = quote.approver_name if request.approver_id else None
        notify_person(session, employee, text=msg.requested_on_behalf(employee.locale, view, actor.label, decider))
    if not any(a is not None and reachable(a) for a in approvers):
        log.warning("leave request %s reaches nobody: no approver or HR has Telegram or e-mail", request.id)
    overlaps = [
        (name, r.start_date, r.end_date)
        for r, name in await _team_overlaps(session, employee, request.start_date, request.end_date)
    ]
    for approver in approvers:
        if approver is not None:
            after = None if quote.unlimited else quote.balance_after
            await send_for_decision(session, request, approver, view, overlaps=overlaps, balance_after=after, now=now)


async def _team_overlaps(
    session: AsyncSession, employee: Employee, start: date, end: date
) -> list[tuple[LeaveRequest, str]]:
    requests = await team_requests(session, employee, start, end)
    names = (
        {
            e.id: e.full_name
            for e in await session.scalars(select(Employee).where(Employee.id.in_({r.employee_id for r in requests})))
        }
        if requests
        else {}
    )
    return [(r, names.get(r.employee_id, "?")) for r in requests]


async def cancel_leave(
    session: AsyncSession, *, actor: Actor, request_id: int, today: date, now: datetime, reason: str | None = None
) -> LeaveRequest:
    """Cancel a pending request, or an approved one before it ends (the taken days come back)."""
    owner = await session.scalar(select(LeaveRequest.employee_id).where(LeaveRequest.id == request_id))
    if owner is None:
        raise NotFound(N_("Leave request {id} does not exist."), id=request_id)
    await lock_rows(session, Employee, [owner])
    request = await session.scalar(select(LeaveRequest).where(LeaveRequest.id == request_id).with_for_update())
    if request is None:
        raise NotFound(N_("Leave request {id} does not exist."), id=request_id)
    violation = can_cancel(rule_actor(actor), record_of(request), today)
    if violation is not None:
        raise error_for(violation)
    before = snapshot(request)
    was = request.status
    request.status = LeaveStatus.CANCELLED
    request.cancelled_at = now
    request.cancelled_by = actor.label
    if reason:
        request.decision_comment = reason.strip()[:2000]
    if was is LeaveStatus.APPROVED:
        await post_reversals(session, request, actor, today)
    await session.flush()
    audit(session, actor, "cancel", "leave_request", request.id, old=before, new=snapshot(request))
    if was is LeaveStatus.APPROVED:
        await refresh_days(
            session, employee_ids=[request.employee_id], date_from=request.start_date, date_to=request.end_date,
            now=now, actor=actor, why=f"leave_request:{request.id}:cancelled",
        )  # fmt: skip
    employee = await get_employee(session, request.employee_id)
    leave_type = await get_leave_type(session, request.leave_type_id)
    view = leave_view(request, employee, leave_type)
    by = await _actor_name(session, actor)
    if was is LeaveStatus.PENDING:
        await edit_approval_messages(session, request, lambda locale: msg.cancelled_notice(locale, view, by))
    elif request.approver_id and request.approver_id != actor.employee_id:
        approver = await session.get(Employee, request.approver_id)
        if approver:
            notify_person(session, approver, text=msg.cancelled_notice(approver.locale, view, by))
    if actor.employee_id != employee.id:
        notify_person(session, employee, text=msg.cancelled_notice(employee.locale, view, by))
    if was is LeaveStatus.APPROVED and get_settings().hr_notify_decisions:  # approved days were planned around
        told = {employee.id, actor.employee_id or -1, request.approver_id or -1}
        for person in await hr_people(session, exclude=told):
            notify_person(session, person, text=msg.cancelled_notice(person.locale, view, by))
    return request


async def _actor_name(session: AsyncSession, actor: Actor) -> str:
    if actor.employee_id:
        person = await session.get(Employee, actor.employee_id)
        if person:
            return person.full_name
    return actor.label.split(":", 1)[-1]
