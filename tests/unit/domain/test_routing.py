"""Approver routing: up the manager chain, then department head, then HR (lowest id), skipping whoever cannot decide."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from shared.domain.enums import Role
from shared.domain.routing import (
    Org,
    OrgDepartment,
    OrgEmployee,
    Route,
    Via,
    reroute_approver,
    route,
    route_approver,
)

DAY = date(2025, 3, 3)
SALES = 10
# 1 = employee, 2 = manager, 3 = department head, 4 = admin, 5 = hr, 6 = second hr
EMPLOYEE = OrgEmployee(1, Role.EMPLOYEE, manager_id=2, department_id=SALES)
MANAGER = OrgEmployee(2, Role.MANAGER, manager_id=3, department_id=SALES)
HEAD = OrgEmployee(3, Role.MANAGER, department_id=SALES)
ADMIN = OrgEmployee(4, Role.ADMIN)
HR = OrgEmployee(5, Role.HR)
HR2 = OrgEmployee(6, Role.HR)
PEOPLE = [EMPLOYEE, MANAGER, HEAD, ADMIN, HR, HR2]


def org(*changes: OrgEmployee, drop: tuple[int, ...] = (), head: int | None = 3) -> Org:
    people = {p.id: p for p in PEOPLE}
    people.update({p.id: p for p in changes})
    return Org.of([p for p in people.values() if p.id not in drop], [OrgDepartment(SALES, head)])


@pytest.mark.parametrize(
    ("requester", "company", "on_leave", "expected"),
    [
        (EMPLOYEE, org(), set(), 2),
        (replace(EMPLOYEE, manager_id=None), org(), set(), 3),
        (replace(EMPLOYEE, manager_id=1), org(), set(), 3),
        (EMPLOYEE, org(), {2}, 3),
        (EMPLOYEE, org(replace(MANAGER, active=False)), set(), 3),
        (EMPLOYEE, org(drop=(2,)), set(), 3),
        (EMPLOYEE, org(replace(MANAGER, hire_date=date(2025, 3, 4))), set(), 3),
        (EMPLOYEE, org(replace(MANAGER, hire_date=DAY)), set(), 2),
        (MANAGER, org(), set(), 3),
        (HEAD, org(), set(), 4),
        (EMPLOYEE, org(), {2, 3}, 4),
        (EMPLOYEE, org(head=None), {2}, 3),
        (replace(EMPLOYEE, department_id=None), org(), {2}, 3),
        (replace(EMPLOYEE, department_id=99), org(), {2}, 3),
        (EMPLOYEE, org(head=None), {2, 3}, 4),
        (replace(EMPLOYEE, manager_id=3), org(), set(), 3),
        (EMPLOYEE, org(), {2, 3, 4}, 5),
        (EMPLOYEE, org(replace(ADMIN, active=False)), {2, 3}, 5),
        (EMPLOYEE, org(), {2, 3, 4, 5}, 6),
        (ADMIN, org(), set(), 5),
        (replace(HR, manager_id=None), org(), {4}, 6),
        (EMPLOYEE, org(), {2, 3, 4, 5, 6}, None),
        (EMPLOYEE, org(drop=(4, 5, 6)), {2, 3}, None),
        (replace(EMPLOYEE, manager_id=5), org(), set(), 5),
        (EMPLOYEE, org(replace(MANAGER, role=Role.EMPLOYEE)), set(), 2),
    ],
    ids=[
        "the manager approves",
        "without a manager the department head approves",
        "a manager who is the requester passes to the department head",
        "a manager on leave passes to the department head",
        "an inactive manager passes to the department head",
        "a manager who is not in the company any more passes to the department head",
        "a manager who has not started yet passes to the department head",
        "a manager who starts that day approves",
        "a manager's request goes to the department head",
        "the department head's own request goes to hr",
        "manager and head both on leave passes to hr",
        "a department without a head passes up the manager chain",
        "an employee without a department passes up the manager chain",
        "an unknown department passes up the manager chain",
        "with the whole chain away and no head it passes to hr",
        "a head who is also the manager approves as the manager",
        "hr goes to the lowest available id, skipping an admin on leave",
        "an inactive admin is skipped",
        "with the first hr on leave the next hr approves",
        "an admin's request goes to the next hr or admin, not to themselves",
        "an hr without a manager goes to the other hr when the admin is away",
        "nobody available means no approver",
        "a company without hr or admin and nobody else means no approver",
        "an hr manager approves as the manager",
        "the manager's role does not matter",
    ],
)
def test_route_approver(requester: OrgEmployee, company: Org, on_leave: set[int], expected: int | None) -> None:
    assert route_approver(requester, company, on_leave, DAY) == expected


@pytest.mark.parametrize(
    ("on_leave", "expected"),
    [
        (set(), Route(2, Via.MANAGER)),
        ({2}, Route(3, Via.MANAGER_CHAIN)),
        ({2, 3}, Route(4, Via.HR)),
        ({2, 3, 4, 5, 6}, Route(None, None)),
    ],
    ids=[
        "the route says it went to the manager",
        "the route says it went up the manager chain",
        "the route says it went to hr",
        "the route says nobody was found",
    ],
)
def test_route_says_why(on_leave: set[int], expected: Route) -> None:
    assert route(EMPLOYEE, org(), on_leave, DAY) == expected


@pytest.mark.parametrize(
    ("current", "requester", "company", "on_leave", "expected"),
    [
        (2, EMPLOYEE, org(), set(), 2),
        (2, EMPLOYEE, org(), {2}, 3),
        (5, EMPLOYEE, org(), set(), 5),
        (3, EMPLOYEE, org(), set(), 3),
        (None, EMPLOYEE, org(), set(), 2),
        (2, replace(EMPLOYEE, manager_id=3), org(), set(), 3),
        (2, EMPLOYEE, org(replace(MANAGER, active=False)), set(), 3),
        (4, EMPLOYEE, org(), {4}, 2),
        (5, EMPLOYEE, org(replace(HR, role=Role.EMPLOYEE)), set(), 2),
    ],
    ids=[
        "an available approver keeps the request",
        "an approver who went on leave hands over to the next in line",
        "a request that fell back to hr stays with hr when the manager is back",
        "a department head who was chosen keeps the request",
        "a request without an approver gets one when someone is available",
        "a request whose employee changed manager goes to the new manager",
        "an approver who left the company hands over",
        "an admin on leave hands back to the manager",
        "an approver who lost the hr role hands over to the manager",
    ],
)
def test_reroute_approver(
    current: int | None, requester: OrgEmployee, company: Org, on_leave: set[int], expected: int | None
) -> None:
    assert reroute_approver(current, requester, company, on_leave, DAY) == expected


# The manager chain: 1 reports to 2, 2 to 7, 7 to 8; the department head is 3.
SKIP = OrgEmployee(7, Role.MANAGER, manager_id=8)
TOP = OrgEmployee(8, Role.MANAGER)


def chain_org(*changes: OrgEmployee) -> Org:
    return org(replace(MANAGER, manager_id=7), SKIP, TOP, *changes)


def test_a_manager_away_passes_to_their_own_manager_before_the_department_head() -> None:
    assert route(EMPLOYEE, chain_org(), {2}, DAY) == Route(7, Via.MANAGER_CHAIN)


def test_the_walk_goes_up_as_far_as_someone_is_available() -> None:
    assert route(EMPLOYEE, chain_org(), {2, 7}, DAY) == Route(8, Via.MANAGER_CHAIN)


def test_after_the_whole_chain_the_department_head_decides() -> None:
    assert route(EMPLOYEE, chain_org(), {2, 7, 8}, DAY) == Route(3, Via.DEPARTMENT_HEAD)


def test_someone_who_cannot_be_reached_is_skipped() -> None:
    assert route(EMPLOYEE, chain_org(replace(MANAGER, manager_id=7, reachable=False)), set(), DAY) == Route(
        7, Via.MANAGER_CHAIN
    )


def test_hr_without_a_way_to_be_reached_is_skipped_too() -> None:
    company = org(replace(ADMIN, reachable=False))
    assert route(EMPLOYEE, company, {2, 3}, DAY) == Route(5, Via.HR)


def test_a_manager_past_their_leaving_date_is_skipped() -> None:
    gone = replace(MANAGER, leaving_date=date(2025, 3, 2))
    assert route(EMPLOYEE, org(gone), set(), DAY) == Route(3, Via.MANAGER_CHAIN)


def test_a_circle_of_managers_ends_the_walk() -> None:
    company = org(replace(MANAGER, manager_id=7), OrgEmployee(7, Role.MANAGER, manager_id=2))
    assert route(EMPLOYEE, company, {2, 7}, DAY) == Route(3, Via.DEPARTMENT_HEAD)


def test_a_request_waiting_on_a_higher_manager_stays_with_them() -> None:
    assert reroute_approver(7, EMPLOYEE, chain_org(), set(), DAY) == 7
