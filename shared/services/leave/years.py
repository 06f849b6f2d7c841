"""Leave years against the ledger: the balances a request is checked against, and posting what it takes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import LeaveStatus
from shared.domain.leave import LeaveRecord, LeaveSpan, RuleViolated, day_portions
from shared.domain.leave_year import (
    YearBalance,
    days_by_year,
    reserved_by_year,
    reversal_entries,
    taken_entries,
    year_balance,
)
from shared.model import Employee, LeaveRequest, LeaveType
from shared.services.actor import Actor
from shared.services.leave.context import ledger_postings, policy_of, record_of, span_of, work_calendar
from shared.services.leave.postings import post_entries


async def parts_of(session: AsyncSession, employee: Employee, span: LeaveSpan) -> dict[int, Decimal]:
    """The span's working days per year with the employee's work week and holidays (empty if invalid)."""
    calendar = await work_calendar(session, employee, span.start_date, span.end_date)
    try:
        return days_by_year(span, calendar)
    except RuleViolated:
        return {}


async def request_parts(session: AsyncSession, employee: Employee, request: LeaveRequest) -> dict[int, Decimal]:
    """What a stored request takes per year: its working days, or its hours for an hourly request."""
    if request.minutes is not None:
        return {request.start_date.year: Decimal(request.working_days)}
    return await parts_of(session, employee, span_of(request))


async def year_balances(
    session: AsyncSession,
    *,
    employee: Employee,
    leave_type: LeaveType,
    span: LeaveSpan,
    today: date,
    exclude_request_id: int | None = None,
    hours: Decimal | None = None,
) -> list[YearBalance]:
    """The balance of each leave year the span touches, with what pending requests of the type reserve
    (``hours``: an hourly request of that many hours on the span's one day)."""
    calendar = await work_calendar(session, employee, span.start_date, span.end_date)
    try:
        portions = day_portions(span, calendar)
    except RuleViolated:
        return []
    parts = days_by_year(span, calendar)
    if hours is not None and parts:
        parts = {span.start_date.year: hours}
    dates = sorted(portions)
    if not dates:
        return []
    pending_rows = await session.scalars(
        select(LeaveRequest).where(
            LeaveRequest.employee_id == employee.id,
            LeaveRequest.leave_type_id == leave_type.id,
            LeaveRequest.status == LeaveStatus.PENDING,
        )
    )
    pending: list[tuple[LeaveRecord, dict[int, Decimal]]] = []
    for row in pending_rows:
        if row.id != exclude_request_id:
            pending.append((record_of(row), await request_parts(session, employee, row)))
    reserved = reserved_by_year(pending, leave_type.id)
    this_year = sum((d for y, d in reserved.items() if y <= today.year), Decimal(0))
    # what this request itself takes this year is gone too before anything carries over into next year
    own_this_year = sum((d for y, d in parts.items() if y <= today.year), Decimal(0))
    entries = await ledger_postings(session, employee.id, leave_type.id)
    policy = policy_of(leave_type)
    found = []
    for year in sorted({max(y, today.year) for y in parts}):
        days = [d for d in dates if max(d.year, today.year) == year]
        held = year_balance(
            entries, policy, employee.id, year, today=today, part_start=days[0], part_end=days[-1],
            hire_date=employee.hire_date, reserved_this_year=this_year + own_this_year,
        )  # fmt: skip
        found.append(YearBalance(year, held, this_year if year == today.year else reserved.get(year, Decimal(0))))
    return found


async def post_taken(
    session: AsyncSession, request: LeaveRequest, employee: Employee, actor: Actor, today: date
) -> int:
    """Post the ``taken`` entries of an approved request, one per leave year."""
    parts = await request_parts(session, employee, request)
    if not parts:
        parts = {request.start_date.year: Decimal(request.working_days)}
    return await post_entries(session, taken_entries(record_of(request), parts, today=today), actor)


async def post_reversals(session: AsyncSession, request: LeaveRequest, actor: Actor, today: date) -> int:
    """Give back exactly what an approved request took, to the years it took it from."""
    entries = await ledger_postings(session, request.employee_id, request.leave_type_id)
    return await post_entries(session, reversal_entries(record_of(request), entries, today=today), actor)
