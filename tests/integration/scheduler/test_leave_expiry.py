"""leave_expiry: a request nobody decides is escalated once (next level or HR), then expires with a notice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from scheduler.runner import JobRunner
from shared.domain.approval import ChainLevel, LevelKind
from shared.domain.enums import JobStatus, LeaveStatus
from shared.model import AuditLog, LeaveRequest, LeaveStep, LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.chain_admin import set_chain
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import request_leave
from tests.factories import Company, make_company
from tests.integration.scheduler.support import Clock, berlin, outbox

MONDAY, WEDNESDAY, THURSDAY = date(2026, 11, 16), date(2026, 11, 18), date(2026, 11, 19)
MONDAY_NEXT = date(2026, 11, 23)
HR, MANAGER, ALICE = 9001, 9002, 9003


@pytest.fixture
async def company(db: Database) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        await s.execute(update(LeaveType).where(LeaveType.id == company.annual_id).values(expire_after_days=2))
    return company


async def _request(db: Database, company: Company) -> LeaveRequest:
    async with db.transaction() as s:
        return await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 7), end=date(2026, 12, 8), today=MONDAY, now=berlin(MONDAY, 10).astimezone(UTC),
        )  # fmt: skip


async def _run(runner: JobRunner, clock: Clock, day: date):
    clock.now = berlin(day, 9).astimezone(UTC)
    run = await runner.run("leave_expiry", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS
    return run


async def _row(db: Database, request_id: int) -> LeaveRequest:
    async with db.session() as s:
        return await s.get(LeaveRequest, request_id)


async def test_a_request_waiting_too_long_goes_to_hr_then_expires_and_the_employee_is_told(
    db: Database, runner: JobRunner, company: Company, clock: Clock
):
    request = await _request(db, company)
    assert (await _run(runner, clock, date(2026, 11, 17))).counts["escalated"] == 0  # one working day
    run = await _run(runner, clock, WEDNESDAY)
    assert run.counts["escalated"] == 1
    row = await _row(db, request.id)
    assert (row.approver_id, row.escalated, row.status) == (company.hr_id, True, LeaveStatus.PENDING)
    assert any(m.payload.get("buttons") for m in await outbox(db, HR))
    assert (await _run(runner, clock, WEDNESDAY)).counts["escalated"] == 0  # once
    assert (await _run(runner, clock, THURSDAY)).counts["expired"] == 0
    run = await _run(runner, clock, date(2026, 11, 20))
    assert run.counts["expired"] == 1
    row = await _row(db, request.id)
    assert row.status is LeaveStatus.EXPIRED
    told = [m.payload.get("text", "") for m in await outbox(db, ALICE)]
    assert any(text.startswith("⌛ Срок заявки на отпуск истёк") for text in told), told  # Alice reads Russian
    async with db.session() as s:
        steps = [st.outcome for st in await s.scalars(select(LeaveStep).where(LeaveStep.request_id == request.id))]
        actions = [a.action for a in await s.scalars(select(AuditLog).where(AuditLog.entity == "leave_request"))]
    assert steps == ["escalated", "expired"] and {"escalate", "expire"} <= set(actions)


async def test_weekends_do_not_count_as_waiting(db: Database, runner: JobRunner, company: Company, clock: Clock):
    async with db.transaction() as s:
        await s.execute(update(LeaveType).where(LeaveType.id == company.annual_id).values(expire_after_days=1))
    async with db.transaction() as s:
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 7), end=date(2026, 12, 8), today=date(2026, 11, 20),
            now=berlin(date(2026, 11, 20), 17).astimezone(UTC),
        )  # fmt: skip
    assert (await _run(runner, clock, date(2026, 11, 22))).counts["escalated"] == 0  # Sunday
    assert (await _run(runner, clock, MONDAY_NEXT)).counts["escalated"] == 1
    assert (await _row(db, request.id)).approver_id == company.hr_id


async def test_in_a_chain_an_overdue_level_escalates_to_the_next_level(
    db: Database, runner: JobRunner, company: Company, clock: Clock
):
    async with db.transaction() as s:
        levels = [ChainLevel(LevelKind.MANAGER), ChainLevel(LevelKind.PERSON, person_id=company.bob_id)]
        await set_chain(s, actor=company.hr, leave_type_id=company.annual_id, levels=levels)
    request = await _request(db, company)
    await _run(runner, clock, WEDNESDAY)
    row = await _row(db, request.id)
    assert (row.stage, row.approver_id) == (1, company.bob_id)
    async with db.transaction() as s:  # Bob decides: the last level, so the request is approved
        outcome = await decide_leave(
            s, actor=company.bob, request_id=request.id, approve=True, level=1, today=WEDNESDAY,
            now=berlin(WEDNESDAY, 11).astimezone(UTC),
        )  # fmt: skip
    assert outcome.request.status is LeaveStatus.APPROVED
    assert Decimal(outcome.request.working_days) == 2


async def test_a_decided_request_is_left_alone(db: Database, runner: JobRunner, company: Company, clock: Clock):
    request = await _request(db, company)
    async with db.transaction() as s:
        await decide_leave(s, actor=company.manager, request_id=request.id, approve=True, today=MONDAY,
                           now=datetime(2026, 11, 16, 12, tzinfo=UTC))  # fmt: skip
    run = await _run(runner, clock, date(2026, 11, 25))
    assert (run.counts["escalated"], run.counts["expired"]) == (0, 0)


async def test_the_daily_rerouting_does_not_undo_an_escalation(
    db: Database, runner: JobRunner, company: Company, clock: Clock
):
    async with db.transaction() as s:
        await set_chain(s, actor=company.hr, leave_type_id=company.annual_id, levels=[ChainLevel(LevelKind.MANAGER)])
    request = await _request(db, company)
    await _run(runner, clock, WEDNESDAY)
    assert (await _row(db, request.id)).approver_id == company.hr_id
    clock.now = berlin(WEDNESDAY, 10).astimezone(UTC)
    rerouted = await runner.run("approval_reminders", trigger="schedule")
    assert rerouted is not None and rerouted.counts["rerouted"] == 0
    assert (await _row(db, request.id)).approver_id == company.hr_id
