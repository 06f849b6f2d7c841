"""Whose absences a viewer may see, and how much of them (``shared.domain.privacy`` decides the type).

- an employee: their department (the team), or their manager's reports when they have no department;
- a manager: their reporting line (everyone reporting to them, directly or not) — or a department they head;
- HR and admin: any department they choose (their own by default), or everyone.

Pending requests are shown to the person, to HR, and to the managers above the person; teammates see only
approved absences, and nobody but the person, HR and the managers or approvers sees a leave's type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.absences import Absence
from shared.domain.enums import LeaveStatus, Role
from shared.domain.names import localized_name
from shared.domain.privacy import sees_leave_type
from shared.errors import N_, Forbidden, NotFound
from shared.model import Department, Employee, LeaveRequest, LeaveType
from shared.services.lookups import get_employee
from shared.services.org.people import reporting_line

HR_ROLES = (Role.HR, Role.ADMIN)
NOT_YOUR_DEPARTMENT = N_("Only HR can see the calendar of another department.")


@dataclass(frozen=True)
class Audience:
    """The people one viewer sees, with the group's name (a department's, or None: "my team")."""

    viewer: Employee
    members: list[Employee]
    department: Department | None
    line: frozenset[int]  # the viewer's reporting line (themselves included): they see pending leave there

    @property
    def is_hr(self) -> bool:
        return self.viewer.role in HR_ROLES

    def sees_pending_of(self, employee_id: int) -> bool:
        return self.is_hr or employee_id in self.line


async def departments(session: AsyncSession) -> list[Department]:
    return list(await session.scalars(select(Department).order_by(Department.name, Department.id)))


async def audience(session: AsyncSession, *, viewer_id: int, department_id: int | None = None) -> Audience:
    """Who ``viewer_id`` sees; ``department_id`` picks a department (HR any, others only one they head)."""
    viewer = await get_employee(session, viewer_id)
    line = frozenset(await reporting_line(session, manager_id=viewer.id))
    active = select(Employee).where(Employee.active.is_(True)).order_by(Employee.full_name, Employee.id)
    if department_id is not None:
        department = await session.get(Department, department_id)
        if department is None:
            raise NotFound(N_("Department {id} does not exist."), id=department_id)
        if viewer.role not in HR_ROLES and department.head_id != viewer.id and department.id != viewer.department_id:
            raise Forbidden(NOT_YOUR_DEPARTMENT)
        members = list(await session.scalars(active.where(Employee.department_id == department.id)))
        return Audience(viewer, members, department, line)
    if viewer.role is Role.MANAGER and len(line) > 1:
        members = list(await session.scalars(active.where(Employee.id.in_(sorted(line)))))
        return Audience(viewer, members, None, line)
    if viewer.department_id is not None:
        department = await session.get(Department, viewer.department_id)
        members = list(await session.scalars(active.where(Employee.department_id == viewer.department_id)))
        return Audience(viewer, members, department, line)
    peers = active.where(Employee.id == viewer.id)
    if viewer.manager_id is not None:
        peers = active.where((Employee.manager_id == viewer.manager_id) | (Employee.id == viewer.id))
    return Audience(viewer, list(await session.scalars(peers)), None, line)


async def absences_of(
    session: AsyncSession,
    *,
    employee_ids: list[int],
    start: date,
    end: date,
    viewer: Employee | None,
    statuses: tuple[LeaveStatus, ...] = (LeaveStatus.APPROVED, LeaveStatus.PENDING),
    locale: str | None = None,
) -> list[Absence]:
    """The requests of ``employee_ids`` overlapping [start, end]; the type only where ``viewer`` may see it
    (``viewer`` None: nobody in particular, e.g. a group chat — never the type), named in ``locale`` where
    it has a translation."""
    if not employee_ids:
        return []
    rows = (
        await session.execute(
            select(LeaveRequest, LeaveType.name, LeaveType.public, Employee.manager_id, LeaveType.name_translations)
            .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
            .join(Employee, Employee.id == LeaveRequest.employee_id)
            .where(
                LeaveRequest.employee_id.in_(employee_ids),
                LeaveRequest.status.in_(statuses),
                LeaveRequest.start_date <= end,
                LeaveRequest.end_date >= start,
            )
            .order_by(LeaveRequest.start_date, LeaveRequest.id)
        )
    ).all()
    found = []
    for request, type_name, public, manager_id, type_names in rows:
        shown = viewer is not None and sees_leave_type(
            viewer_id=viewer.id,
            viewer_is_hr=viewer.role in HR_ROLES,
            subject_id=request.employee_id,
            approver_ids={request.approver_id, request.decided_by_id, manager_id},
            public=public,
        )
        found.append(
            Absence(
                request.id, request.employee_id, request.start_date, request.end_date, request.start_half,
                request.end_half, request.status,
                (localized_name(type_name, type_names, locale) if locale else type_name) if shown else None,
                was_approved=request.decided_at is not None and request.status is not LeaveStatus.REJECTED,
                starts_at=request.start_at, ends_at=request.end_at,
            )
        )  # fmt: skip
    return found
