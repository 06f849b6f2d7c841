"""Rows → rule inputs: everything the leave rules need about an employee, loaded in a few queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import LeaveStatus
from shared.domain.leave import LeavePolicy, LeaveRecord, LeaveSpan, WorkCalendar
from shared.domain.leave_policy import Blackout, DepartmentLoad
from shared.domain.ledger import LedgerPosting
from shared.domain.routing import OrgEmployee
from shared.model import (
    Department,
    Employee,
    Holiday,
    LeaveBlackout,
    LeaveLedgerEntry,
    LeaveRequest,
    LeaveType,
)
from shared.services.reach import reachable

ACTIVE = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


def policy_of(row: LeaveType) -> LeavePolicy:
    return LeavePolicy(
        id=row.id,
        code=row.code,
        name=row.name,
        paid=row.paid,
        yearly_allowance=Decimal(row.yearly_allowance),
        accrual=row.accrual,
        accrual_rounding=Decimal(row.accrual_rounding),
        carry_over_cap=None if row.carry_over_cap is None else Decimal(row.carry_over_cap),
        carry_over_expiry_months=row.carry_over_expiry_months,
        min_notice_days=row.min_notice_days,
        max_consecutive_days=row.max_consecutive_days,
        half_days_allowed=row.half_days_allowed,
        negative_allowed=row.negative_allowed,
        approval_required=row.approval_required,
        attachment_required=row.attachment_required,
        backdate_days=row.backdate_days,
        active=row.active,
    )


def record_of(row: LeaveRequest) -> LeaveRecord:
    return LeaveRecord(
        id=row.id,
        employee_id=row.employee_id,
        leave_type_id=row.leave_type_id,
        start_date=row.start_date,
        end_date=row.end_date,
        start_half=row.start_half,
        end_half=row.end_half,
        working_days=Decimal(row.working_days),
        status=row.status,
        approver_id=row.approver_id,
        attachment_file_id=row.attachment_file_id,
    )


def posting_of(row: LeaveLedgerEntry) -> LedgerPosting:
    return LedgerPosting(
        employee_id=row.employee_id,
        leave_type_id=row.leave_type_id,
        kind=row.kind,
        delta=Decimal(row.delta),
        effective_date=row.effective_date,
        key=row.key,
        request_id=row.request_id,
        note=row.note,
    )


def org_employee_of(row: Employee) -> OrgEmployee:
    return OrgEmployee(
        id=row.id,
        role=row.role,
        manager_id=row.manager_id,
        department_id=row.department_id,
        active=row.active,
        hire_date=row.hire_date,
        leaving_date=row.leaving_date,
        reachable=reachable(row),
    )


async def holidays_between(session: AsyncSession, calendar_id: int | None, start: date, end: date) -> frozenset[date]:
    if calendar_id is None:
        return frozenset()
    days = await session.scalars(
        select(Holiday.date).where(Holiday.calendar_id == calendar_id, Holiday.date.between(start, end))
    )
    return frozenset(days)


async def work_calendar(session: AsyncSession, employee: Employee, start: date, end: date) -> WorkCalendar:
    holidays = await holidays_between(session, employee.holiday_calendar_id, start, end)
    return WorkCalendar(work_week=employee.work_week or "12345", holidays=holidays)


async def own_requests(session: AsyncSession, employee_id: int) -> list[LeaveRecord]:
    """The employee's pending and approved requests (all types): overlap and reservations."""
    rows = await session.scalars(
        select(LeaveRequest).where(LeaveRequest.employee_id == employee_id, LeaveRequest.status.in_(ACTIVE))
    )
    return [record_of(r) for r in rows]


async def ledger_postings(
    session: AsyncSession, employee_id: int, leave_type_id: int | None = None
) -> list[LedgerPosting]:
    query = select(LeaveLedgerEntry).where(LeaveLedgerEntry.employee_id == employee_id)
    if leave_type_id is not None:
        query = query.where(LeaveLedgerEntry.leave_type_id == leave_type_id)
    return [posting_of(r) for r in await session.scalars(query.order_by(LeaveLedgerEntry.id))]


async def blackouts_for(session: AsyncSession, department_id: int | None, start: date, end: date) -> list[Blackout]:
    rows = await session.scalars(
        select(LeaveBlackout).where(
            or_(LeaveBlackout.department_id.is_(None), LeaveBlackout.department_id == department_id),
            LeaveBlackout.start_date <= end,
            LeaveBlackout.end_date >= start,
        )
    )
    return [Blackout(r.id, r.department_id, r.start_date, r.end_date, r.reason) for r in rows]


async def department_load(
    session: AsyncSession, department_id: int | None, start: date | None = None, end: date | None = None
) -> DepartmentLoad | None:
    """The department's maximum share away and head count (people employed during [start, end])."""
    if department_id is None:
        return None
    department = await session.get(Department, department_id)
    if department is None:
        return None
    counted = select(func.count(Employee.id)).where(Employee.department_id == department_id, Employee.active.is_(True))
    if start is not None and end is not None:
        counted = counted.where(
            or_(Employee.hire_date.is_(None), Employee.hire_date <= end),
            or_(Employee.leaving_date.is_(None), Employee.leaving_date >= start),
        )
    headcount = await session.scalar(counted)
    share = None if department.max_absent_share is None else Decimal(department.max_absent_share)
    return DepartmentLoad(department.id, share, int(headcount or 0))


async def team_requests(
    session: AsyncSession,
    employee: Employee,
    start: date,
    end: date,
    statuses: Sequence[LeaveStatus] = ACTIVE,
    *,
    department_only: bool = False,
) -> list[LeaveRequest]:
    """Other people's requests in the employee's department (or under the same manager) overlapping the dates.

    ``department_only`` keeps the department's own people (the share away counts only them).
    """
    team = []
    if employee.department_id is not None:
        team.append(Employee.department_id == employee.department_id)
    if employee.manager_id is not None and not department_only:
        team.append(Employee.manager_id == employee.manager_id)
    if not team:
        return []
    rows = await session.scalars(
        select(LeaveRequest)
        .join(Employee, Employee.id == LeaveRequest.employee_id)
        .where(
            or_(*team),
            LeaveRequest.employee_id != employee.id,
            LeaveRequest.status.in_(statuses),
            LeaveRequest.start_date <= end,
            LeaveRequest.end_date >= start,
        )
        .order_by(LeaveRequest.start_date)
    )
    return list(rows)


async def on_leave_ids(session: AsyncSession, employee_ids: Iterable[int], day: date) -> set[int]:
    """Who among ``employee_ids`` is on approved leave on ``day``."""
    ids = [i for i in set(employee_ids) if i is not None]
    if not ids:
        return set()
    rows = await session.scalars(
        select(LeaveRequest.employee_id).where(
            LeaveRequest.employee_id.in_(ids),
            LeaveRequest.status == LeaveStatus.APPROVED,
            and_(LeaveRequest.start_date <= day, LeaveRequest.end_date >= day),
        )
    )
    return set(rows)


def span_of(request: LeaveRequest | LeaveRecord) -> LeaveSpan:
    return LeaveSpan(request.start_date, request.end_date, request.start_half, request.end_half)


@dataclass(frozen=True)
class EmployeeCard:
    """What a notification says about a person."""

    id: int
    name: str
    telegram_user_id: int | None
    locale: str | None


def card_of(row: Employee) -> EmployeeCard:
    return EmployeeCard(row.id, row.full_name, row.telegram_user_id, row.locale)
