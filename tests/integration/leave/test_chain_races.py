"""Two approvers pressing at the same level at once (the manager and HR, on separate connections): the level
is decided once, the request moves on once, one history row is written. Proven on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from shared.domain.approval import ChainLevel, LevelKind
from shared.domain.enums import LeaveStatus
from shared.errors import Forbidden
from shared.model import Delegation, LeaveRequest, LeaveStep, LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.chain_admin import set_chain
from shared.services.leave.decisions import decide_leave
from shared.services.leave.delegations import set_delegation
from shared.services.leave.expiry import escalate_or_expire
from shared.services.leave.outcome import DecisionOutcome
from shared.services.leave.requests import request_leave
from tests.factories import make_company
from tests.integration.leave.test_leave_races import _in_parallel

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _press(actor: Actor, request_id: int, approve: bool, level: int | None = 0):
    async def call(database: Database) -> DecisionOutcome:
        async with database.transaction() as s:
            return await decide_leave(
                s, actor=actor, request_id=request_id, approve=approve, comment=None if approve else "No",
                level=level, today=TODAY, now=NOW,
            )  # fmt: skip

    return call


@pytest.mark.parametrize("second_approves", [True, False])
async def test_two_approvers_deciding_the_same_level_at_once_decide_it_once(
    db: Database, db_url: str, second_approves: bool
):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises whole transactions; the race is real only on PostgreSQL")
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        levels = [ChainLevel(LevelKind.MANAGER), ChainLevel(LevelKind.PERSON, person_id=company.bob_id)]
        await set_chain(s, actor=company.hr, leave_type_id=company.annual_id, levels=levels)
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 1), end=date(2026, 12, 2), today=TODAY, now=NOW,
        )  # fmt: skip
    results = await _in_parallel(
        db_url, [_press(company.manager, request.id, True), _press(company.hr, request.id, second_approves)]
    )
    assert not [r for r in results if isinstance(r, BaseException)]
    assert sum(1 for r in results if r.changed) == 1  # the other found the level decided
    async with db.session() as s:
        steps = list(await s.scalars(select(LeaveStep).where(LeaveStep.request_id == request.id)))
        row = await s.get(LeaveRequest, request.id)
    assert len(steps) == 1 and steps[0].level == 0
    if steps[0].outcome == "approved":
        assert (row.status, row.stage, row.approver_id) == (LeaveStatus.PENDING, 1, company.bob_id)
    else:
        assert row.status is LeaveStatus.REJECTED


async def test_two_overlapping_delegations_set_at_once_make_one(db: Database, db_url: str):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises whole transactions; the race is real only on PostgreSQL")
    company = await make_company(db)

    def delegate_to(delegate_id: int):
        async def call(database: Database):
            async with database.transaction() as s:
                return await set_delegation(
                    s, actor=company.manager, delegator_id=company.manager_id, delegate_id=delegate_id,
                    start=date(2026, 12, 1), end=date(2026, 12, 5), today=TODAY, now=NOW,
                )  # fmt: skip

        return call

    results = await _in_parallel(db_url, [delegate_to(company.bob_id), delegate_to(company.hr_id)])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DelegationView"]
    async with db.session() as s:
        assert len(list(await s.scalars(select(Delegation)))) == 1


async def test_the_expiry_job_and_a_decision_at_once_never_both_act(db: Database, db_url: str):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises whole transactions; the race is real only on PostgreSQL")
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        await s.execute(update(LeaveType).where(LeaveType.id == company.annual_id).values(expire_after_days=1))
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 1), end=date(2026, 12, 2), today=date(2026, 11, 16),
            now=datetime(2026, 11, 16, 9, tzinfo=UTC),
        )  # fmt: skip

    async def expire_job(database: Database):
        async with database.transaction() as s:
            return await escalate_or_expire(s, today=TODAY, now=NOW, actor=Actor.system("leave_expiry"))

    results = await _in_parallel(db_url, [_press(company.manager, request.id, True, level=None), expire_job])
    decision, stats = results
    if isinstance(decision, Forbidden):  # the job won: the manager is no longer the approver
        decision = DecisionOutcome(None, False, None, None)  # type: ignore[arg-type]
    assert not isinstance(stats, BaseException)
    async with db.session() as s:
        row = await s.get(LeaveRequest, request.id)
        outcomes = [st.outcome for st in await s.scalars(select(LeaveStep).where(LeaveStep.request_id == request.id))]
    if decision.changed:  # the manager first: the job found it decided
        assert stats.escalated == 0 and row.status is LeaveStatus.APPROVED and outcomes == ["approved"]
    else:  # the job first: it moved to HR, and the manager's press is refused (not the approver any more)
        assert stats.escalated == 1 and row.approver_id == company.hr_id and outcomes == ["escalated"]
