"""Read-only queries behind the leave views of the API: requests with their names, the ledger, "today".

Writes live in ``leave_requests`` / ``leave_decisions`` / ``leave_balances``; nothing here changes a row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.domain.names import localized_name
from shared.errors import N_, NotFound
from shared.model import Employee, LeaveLedgerEntry, LeaveRequest, LeaveStep, LeaveType
from shared.services.attendance.processing import today_in
from shared.services.pagination import MAX_LIMIT, Page, paginate


@dataclass(frozen=True)
class Scope:
    """Which requests a reader may see: everything (``None`` ids), or the requests of ``employee_ids``
    plus those waiting on ``approver_id``."""

    employee_ids: Collection[int] | None = None
    approver_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.employee_ids is None

    def allows(self, request: LeaveRequest) -> bool:
        if self.employee_ids is None:
            return True
        return request.employee_id in self.employee_ids or (
            self.approver_id is not None and request.approver_id == self.approver_id
        )


EVERYTHING = Scope()


@dataclass(frozen=True)
class LeaveRow:
    """A request with the names a list shows next to it."""

    request: LeaveRequest
    employee_code: str
    employee_name: str
    leave_type_code: str
    leave_type_name: str
    steps: tuple[LeaveStep, ...] = ()
    """What happened at each level so far (approval chain history), oldest first."""
    unit: LeaveUnit = LeaveUnit.DAYS
    type_names: Mapping[str, str] | None = None  # the type's name per locale (shared.domain.names)

    def type_name_for(self, locale: str) -> str:
        """The leave type's name in ``locale`` (the name as typed where it has no translation)."""
        return localized_name(self.leave_type_name, self.type_names, locale)


def _leave_row(
    row: Row[LeaveRequest, str, str, str, str, LeaveUnit, dict[str, Any] | None], steps: Sequence[LeaveStep] = ()
) -> LeaveRow:
    request, employee_code, employee_name, type_code, type_name, unit, type_names = row
    return LeaveRow(request, employee_code, employee_name, type_code, type_name, tuple(steps), unit, type_names)


async def _steps_of(session: AsyncSession, request_ids: Collection[int]) -> dict[int, list[LeaveStep]]:
    found: dict[int, list[LeaveStep]] = defaultdict(list)
    if request_ids:
        rows = await session.scalars(
            select(LeaveStep).where(LeaveStep.request_id.in_(sorted(request_ids))).order_by(LeaveStep.id)
        )
        for step in rows:
            found[step.request_id].append(step)
    return found


def _named() -> Select[LeaveRequest, str, str, str, str, LeaveUnit, dict[str, Any] | None]:
    return (
        select(
            LeaveRequest,
            Employee.code,
            Employee.full_name,
            LeaveType.code,
            LeaveType.name,
            LeaveType.unit,
            LeaveType.name_translations,
        )
        .join(Employee, Employee.id == LeaveRequest.employee_id)
        .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
    )


async def list_leave_requests(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    scope: Scope = EVERYTHING,
    employee_id: int | None = None,
    status: LeaveStatus | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    approver_id: int | None = None,
    leave_type_id: int | None = None,
) -> Page[LeaveRow]:
    """Requests whose dates overlap [date_from, date_to] (either end may be open), latest start first."""
    conditions: list[ColumnElement[bool]] = []
    if not scope.everything:
        allowed: list[ColumnElement[bool]] = [LeaveRequest.employee_id.in_(sorted(scope.employee_ids or ()))]
        if scope.approver_id is not None:
            allowed.append(LeaveRequest.approver_id == scope.approver_id)
        conditions.append(or_(*allowed))
    if employee_id is not None:
        conditions.append(LeaveRequest.employee_id == employee_id)
    if status is not None:
        conditions.append(LeaveRequest.status == LeaveStatus(status))
    if date_from is not None:
        conditions.append(LeaveRequest.end_date >= date_from)
    if date_to is not None:
        conditions.append(LeaveRequest.start_date <= date_to)
    if approver_id is not None:
        conditions.append(LeaveRequest.approver_id == approver_id)
    if leave_type_id is not None:
        conditions.append(LeaveRequest.leave_type_id == leave_type_id)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = await session.scalar(select(func.count(LeaveRequest.id)).where(*conditions))
    rows = await session.execute(
        _named()
        .where(*conditions)
        .order_by(LeaveRequest.start_date.desc(), LeaveRequest.id.desc())
        .limit(limit)
        .offset(offset)
    )
    found = rows.all()
    steps = await _steps_of(session, [row[0].id for row in found])
    return Page([_leave_row(row, steps.get(row[0].id, ())) for row in found], int(total or 0), limit, offset)


async def get_leave_row(session: AsyncSession, *, request_id: int) -> LeaveRow:
    row = (await session.execute(_named().where(LeaveRequest.id == request_id))).first()
    if row is None:
        raise NotFound(N_("Leave request {id} does not exist."), id=request_id)
    steps = await _steps_of(session, [request_id])
    return _leave_row(row, steps.get(request_id, ()))


async def get_leave_request(session: AsyncSession, *, request_id: int) -> LeaveRequest:
    request = await session.get(LeaveRequest, request_id)
    if request is None:
        raise NotFound(N_("Leave request {id} does not exist."), id=request_id)
    return request


async def list_ledger(
    session: AsyncSession, *, employee_id: int, limit: int, offset: int, leave_type_id: int | None = None
) -> Page[LeaveLedgerEntry]:
    """One employee's ledger entries, newest first (by effective date, then by id)."""
    if await session.get(Employee, employee_id) is None:
        raise NotFound(N_("Employee {id} does not exist."), id=employee_id)
    statement = (
        select(LeaveLedgerEntry)
        .where(LeaveLedgerEntry.employee_id == employee_id)
        .order_by(LeaveLedgerEntry.effective_date.desc(), LeaveLedgerEntry.id.desc())
    )
    if leave_type_id is not None:
        statement = statement.where(LeaveLedgerEntry.leave_type_id == leave_type_id)
    return await paginate(session, statement, limit=limit, offset=offset)


async def employee_today(session: AsyncSession, *, employee_id: int, company_timezone: str, now: datetime) -> date:
    """Today where the employee is (their zone, else the company's); the company's for an unknown id."""
    zone = await session.scalar(select(Employee.timezone).where(Employee.id == employee_id))
    return today_in(zone or company_timezone, now)
