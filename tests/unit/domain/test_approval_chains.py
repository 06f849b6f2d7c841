"""Approval chains: which levels apply, who decides each level, skipping, and delegation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.approval import (
    ChainLevel,
    Delegation,
    LevelKind,
    Stage,
    applicable_levels,
    delegate_of,
    level_approver,
    next_stage,
    remaining_levels,
)
from shared.domain.enums import Role
from shared.domain.routing import Org, OrgDepartment, OrgEmployee

DAY = date(2026, 3, 3)
SALES = 10
# 1 employee, 2 manager, 3 department head (the manager's manager), 5 HR, 7 director (named person)
EMPLOYEE = OrgEmployee(1, Role.EMPLOYEE, manager_id=2, department_id=SALES)
MANAGER = OrgEmployee(2, Role.MANAGER, manager_id=3, department_id=SALES)
HEAD = OrgEmployee(3, Role.MANAGER, department_id=SALES)
HR = OrgEmployee(5, Role.HR)
DIRECTOR = OrgEmployee(7, Role.MANAGER)
ORG = Org.of([EMPLOYEE, MANAGER, HEAD, HR, DIRECTOR], [OrgDepartment(SALES, 3)])
CHAIN = [
    ChainLevel(LevelKind.MANAGER),
    ChainLevel(LevelKind.HR),
    ChainLevel(LevelKind.PERSON, person_id=7, min_days=Decimal(5)),
]


def stage(after=None, days=Decimal(3), *, away=(), delegations=(), done=(), levels=CHAIN, org=ORG):
    return next_stage(
        levels, after=after, days=days, requester=EMPLOYEE, org=org, on_leave_ids=set(away),
        delegations=delegations, approved_by=set(done), day=DAY,
    )  # fmt: skip


def test_a_level_with_a_day_threshold_applies_only_above_it():
    assert applicable_levels(CHAIN, Decimal(5)) == [0, 1]
    assert applicable_levels(CHAIN, Decimal("5.5")) == [0, 1, 2]


def test_the_request_starts_with_the_manager_and_moves_level_by_level():
    assert stage() == Stage(0, 2)
    assert stage(after=0) == Stage(1, 5)
    assert stage(after=1) is None  # 3 days: the director's level does not apply
    assert stage(after=1, days=Decimal(6)) == Stage(2, 7)


def test_an_away_manager_hands_the_manager_level_up_the_chain():
    assert stage(away={2}) == Stage(0, 3)


def test_a_level_nobody_can_decide_is_skipped():
    assert stage(days=Decimal(6), after=0, away={5}) == Stage(2, 7)


def test_a_level_whose_approver_is_the_requester_is_skipped():
    levels = [ChainLevel(LevelKind.PERSON, person_id=1), ChainLevel(LevelKind.HR)]
    assert stage(levels=levels) == Stage(1, 5)


def test_nobody_approves_twice():
    levels = [ChainLevel(LevelKind.MANAGER), ChainLevel(LevelKind.PERSON, person_id=2), ChainLevel(LevelKind.HR)]
    assert stage(after=0, levels=levels, done={2}) == Stage(2, 5)


def test_the_department_head_level_names_the_head():
    assert level_approver(ChainLevel(LevelKind.DEPARTMENT_HEAD), EMPLOYEE, ORG, set(), DAY) == 3


def test_a_delegation_sends_the_level_to_the_delegate_only_while_it_holds():
    holiday = Delegation(2, 7, DAY, DAY + timedelta(days=2))
    assert stage(delegations=[holiday]) == Stage(0, 7, delegated_from=2)
    assert delegate_of(2, [holiday], DAY + timedelta(days=3)) is None


def test_a_delegation_to_the_requester_is_not_followed():
    assert stage(delegations=[Delegation(2, 1, DAY, DAY)]) == Stage(0, 2)


def test_a_person_level_must_name_its_person():
    with pytest.raises(ValueError):
        ChainLevel(LevelKind.PERSON)
    with pytest.raises(ValueError):
        ChainLevel(LevelKind.HR, person_id=5)


def test_remaining_levels_counts_what_follows():
    assert remaining_levels(CHAIN, after=0, days=Decimal(6)) == 2


kinds = st.sampled_from([LevelKind.MANAGER, LevelKind.DEPARTMENT_HEAD, LevelKind.HR, LevelKind.PERSON])
level_st = st.builds(
    lambda kind, person, threshold: ChainLevel(kind, person if kind is LevelKind.PERSON else None, threshold),
    kinds,
    st.sampled_from([1, 2, 3, 5, 7, 99]),
    st.none() | st.decimals(min_value=0, max_value=10, places=1),
)


@given(
    levels=st.lists(level_st, max_size=5),
    days=st.decimals(min_value=Decimal("0.5"), max_value=30, places=1),
    away=st.sets(st.sampled_from([2, 3, 5, 7])),
)
def test_walking_a_chain_visits_applicable_levels_in_order_never_the_requester_never_anyone_twice(levels, days, away):
    seen: list[Stage] = []
    current = stage(days=days, away=away, levels=levels)
    while current is not None:
        seen.append(current)
        current = stage(after=current.level, days=days, away=away, levels=levels, done={s.approver_id for s in seen})
    indexes = [s.level for s in seen]
    assert indexes == sorted(set(indexes))
    assert set(indexes) <= set(applicable_levels(levels, days))
    approvers = [s.approver_id for s in seen]
    assert 1 not in approvers and len(approvers) == len(set(approvers))
    assert not set(approvers) & away


def test_an_hr_level_after_hr_approved_goes_to_another_hr_person():
    second_hr = OrgEmployee(6, Role.HR)
    org = Org.of([EMPLOYEE, MANAGER, HEAD, HR, DIRECTOR, second_hr], [OrgDepartment(SALES, 3)])
    levels = [ChainLevel(LevelKind.HR), ChainLevel(LevelKind.HR)]
    assert stage(levels=levels, org=org) == Stage(0, 5)
    assert stage(after=0, levels=levels, org=org, done={5}) == Stage(1, 6)
    assert stage(after=0, levels=levels, done={5}) is None  # only one HR person: the level is skipped
