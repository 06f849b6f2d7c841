"""Who decides a request: the org routing needs (the manager chain, the head, HR) and the route today."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Role
from shared.domain.routing import MAX_CHAIN, Org, OrgDepartment, Route, route
from shared.model import Department, Employee
from shared.services.leave.context import on_leave_ids, org_employee_of


async def routing_org(session: AsyncSession, employee: Employee, *, also: set[int] | None = None) -> Org:
    """The people routing may choose among: the employee, their manager chain, the department head, HR
    (and ``also``, e.g. a request's current approver)."""
    department = await session.get(Department, employee.department_id) if employee.department_id else None
    people: dict[int, Employee] = {employee.id: employee}
    current = employee.manager_id
    while current is not None and current not in people and len(people) <= MAX_CHAIN:
        manager = await session.get(Employee, current)
        if manager is None:
            break
        people[manager.id] = manager
        current = manager.manager_id
    wanted = ({department.head_id} if department else set()) | (also or set())
    wanted = {i for i in wanted if i is not None and i not in people}
    rows = await session.scalars(
        select(Employee).where(or_(Employee.id.in_(wanted), Employee.role.in_((Role.HR, Role.ADMIN))))
    )
    people.update({r.id: r for r in rows})
    departments = [OrgDepartment(department.id, department.head_id)] if department else []
    return Org.of([org_employee_of(r) for r in people.values()], departments)


async def route_for(session: AsyncSession, employee: Employee, today: date) -> Route:
    """The approver of ``employee``'s request decided ``today`` (None when nobody can be reached)."""
    org = await routing_org(session, employee)
    return route(org_employee_of(employee), org, await on_leave_ids(session, org.employees, today), today)
