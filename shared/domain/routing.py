"""Who approves a leave request: up the manager chain, else the department head, else HR.

A candidate is available when they exist in the org, are active, are not the requester, are not on
approved leave on the decision ``day`` (``on_leave_ids``: the service passes the ids of people whose
approved leave covers that day), are employed on ``day`` (hire and leaving dates) and can be reached
(``reachable``: a linked Telegram account or another channel).

Order: the employee's manager, then that manager's manager and so on up the chain (a circle in the
data stops the walk); if none is available, the head of the employee's department; if unavailable,
any available HR or admin employee, lowest id first (deterministic); None if nobody — the service then
tells HR at once.

``reroute_approver`` is for a request already waiting (the reminder job): the current approver is
kept while available and still entitled (manager, department head, or HR/admin), so a request that
fell back to HR does not bounce back when the manager returns; otherwise the request is routed anew.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shared.domain.employment import employed_on
from shared.domain.enums import Role

APPROVING_ROLES = frozenset({Role.HR, Role.ADMIN})


class Via(StrEnum):
    """Why this approver was chosen."""

    MANAGER = "manager"
    MANAGER_CHAIN = "manager_chain"
    DEPARTMENT_HEAD = "department_head"
    HR = "hr"


@dataclass(frozen=True)
class OrgEmployee:
    """What routing needs of an employee (mirrors columns of ``employees``)."""

    id: int
    role: Role = Role.EMPLOYEE
    manager_id: int | None = None
    department_id: int | None = None
    active: bool = True
    hire_date: date | None = None
    leaving_date: date | None = None
    reachable: bool = True


@dataclass(frozen=True)
class OrgDepartment:
    """What routing needs of a department (mirrors columns of ``departments``)."""

    id: int
    head_id: int | None = None


@dataclass(frozen=True)
class Org:
    """The people and departments routing may choose from, by id."""

    employees: Mapping[int, OrgEmployee]
    departments: Mapping[int, OrgDepartment] = field(default_factory=dict)

    @classmethod
    def of(cls, employees: Iterable[OrgEmployee], departments: Iterable[OrgDepartment] = ()) -> Org:
        return cls({e.id: e for e in employees}, {d.id: d for d in departments})


@dataclass(frozen=True)
class Route:
    """The chosen approver (None when nobody is available) and which rule chose them."""

    approver_id: int | None
    via: Via | None


def is_available(
    candidate_id: int | None, requester: OrgEmployee, org: Org, on_leave_ids: Collection[int], day: date
) -> bool:
    """Whether ``candidate_id`` can decide on ``requester``'s request on ``day``."""
    if candidate_id is None or candidate_id == requester.id or candidate_id in on_leave_ids:
        return False
    candidate = org.employees.get(candidate_id)
    if candidate is None or not candidate.active or not candidate.reachable:
        return False
    return employed_on(day, candidate.hire_date, candidate.leaving_date)


MAX_CHAIN = 32


def manager_chain(employee: OrgEmployee, org: Org) -> list[int]:
    """The employee's managers, nearest first, as far as the org knows them (a circle stops the walk)."""
    chain: list[int] = []
    current = employee.manager_id
    while current is not None and current not in chain and current != employee.id and len(chain) < MAX_CHAIN:
        chain.append(current)
        person = org.employees.get(current)
        current = person.manager_id if person is not None else None
    return chain


def department_head_id(employee: OrgEmployee, org: Org) -> int | None:
    department = org.departments.get(employee.department_id) if employee.department_id is not None else None
    return department.head_id if department is not None else None


def route(employee: OrgEmployee, org: Org, on_leave_ids: Collection[int], day: date) -> Route:
    """The approver for ``employee``'s request on ``day`` and the rule that chose them."""
    for level, manager_id in enumerate(manager_chain(employee, org)):
        if is_available(manager_id, employee, org, on_leave_ids, day):
            return Route(manager_id, Via.MANAGER if level == 0 else Via.MANAGER_CHAIN)
    head_id = department_head_id(employee, org)
    if is_available(head_id, employee, org, on_leave_ids, day):
        return Route(head_id, Via.DEPARTMENT_HEAD)
    for candidate_id in sorted(org.employees):
        if org.employees[candidate_id].role in APPROVING_ROLES and is_available(
            candidate_id, employee, org, on_leave_ids, day
        ):
            return Route(candidate_id, Via.HR)
    return Route(None, None)


def route_approver(employee: OrgEmployee, org: Org, on_leave_ids: Collection[int], day: date) -> int | None:
    """The id of whoever should decide ``employee``'s request on ``day``; None if nobody can."""
    return route(employee, org, on_leave_ids, day).approver_id


def is_entitled(candidate_id: int, employee: OrgEmployee, org: Org) -> bool:
    """Whether ``candidate_id`` is somewhere in ``employee``'s approval chain (managers, head, HR/admin)."""
    if candidate_id == department_head_id(employee, org) or candidate_id in manager_chain(employee, org):
        return True
    candidate = org.employees.get(candidate_id)
    return candidate is not None and candidate.role in APPROVING_ROLES


def reroute_approver(
    current_approver_id: int | None, employee: OrgEmployee, org: Org, on_leave_ids: Collection[int], day: date
) -> int | None:
    """The approver a waiting request should have on ``day``: the current one if still available and
    entitled, otherwise whoever ``route_approver`` picks now."""
    if (
        current_approver_id is not None
        and is_available(current_approver_id, employee, org, on_leave_ids, day)
        and is_entitled(current_approver_id, employee, org)
    ):
        return current_approver_id
    return route_approver(employee, org, on_leave_ids, day)
