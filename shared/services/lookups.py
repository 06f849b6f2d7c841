"""Rows every context looks up by id, and who HR is: the lowest layer of the use cases (no other service
imported), so attendance, leave, org, devices and notify can all use it without import circles."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Role
from shared.errors import N_, NotFound
from shared.model import Employee, LeaveType


async def get_employee(session: AsyncSession, employee_id: int) -> Employee:
    employee = await session.get(Employee, employee_id)
    if employee is None:
        raise NotFound(N_("Employee {id} does not exist."), id=employee_id)
    return employee


async def get_leave_type(session: AsyncSession, leave_type_id: int) -> LeaveType:
    row = await session.get(LeaveType, leave_type_id)
    if row is None:
        raise NotFound(N_("Leave type {id} does not exist."), id=leave_type_id)
    return row


async def hr_people(session: AsyncSession, *, exclude: Iterable[int] = ()) -> list[Employee]:
    """Active HR and admin employees, lowest id first."""
    rows = await session.scalars(
        select(Employee)
        .where(Employee.role.in_((Role.HR, Role.ADMIN)), Employee.active.is_(True), Employee.id.not_in(list(exclude)))
        .order_by(Employee.id)
    )
    return list(rows)
