"""checkout_reminders and approval_reminders: who is told what, when, and only once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_time
from sqlalchemy import update

from scheduler.runner import JobRunner
from shared.domain.enums import Direction, JobStatus, LeaveStatus, PunchSource
from shared.model import Employee, LeaveRequest, Punch
from shared.persistence import Database
from tests.factories import Company, make_company
from tests.integration.scheduler.support import BERLIN, Clock, berlin, outbox

THURSDAY, FRIDAY = date(2026, 11, 19), date(2026, 11, 20)
HR, MANAGER, ALICE, BOB = 9001, 9002, 9003, 9004


@pytest.fixture
async def company(db: Database) -> Company:
    return await make_company(db)


async def _punch(db: Database, employee_id: int, when: datetime, direction: Direction) -> None:
    async with db.transaction() as s:
        s.add(Punch(employee_id=employee_id, source=PunchSource.TELEGRAM, instant=when, direction=direction))


def _at(clock: Clock, day: date, hh: int, mm: int = 0) -> None:
    clock.now = berlin(day, hh, mm).astimezone(UTC)


async def test_whoever_is_still_checked_in_half_an_hour_after_the_shift_is_reminded_once(
    db: Database, runner: JobRunner, company: Company, clock: Clock
):
    await _punch(db, company.alice_id, berlin(FRIDAY, 9), Direction.IN)
    await _punch(db, company.bob_id, berlin(FRIDAY, 9), Direction.IN)
    await _punch(db, company.bob_id, berlin(FRIDAY, 17, 59), Direction.OUT)

    _at(clock, FRIDAY, 18, 20)
    early = await runner.run("checkout_reminders", trigger="schedule")
    assert early is not None and early.counts["skipped"] == {
        "remind employees still checked in after their shift": "no shift ended in the reminder window"
    }
    _at(clock, FRIDAY, 18, 31)
    run = await runner.run("checkout_reminders", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS
    assert (run.counts["due"], run.counts["checked_in"], run.counts["reminded"]) == (4, 1, 1)
    [reminder] = await outbox(db, ALICE)
    assert reminder.ref == f"checkout:{company.alice_id}:2026-11-20"
    for when in (berlin(FRIDAY, 18), berlin(FRIDAY, 9)):  # Alice reads Russian: times in CLDR's ru format
        assert format_time(when, "short", tzinfo=BERLIN, locale="ru") in reminder.payload["text"]
    assert await outbox(db, BOB) == []

    _at(clock, FRIDAY, 18, 45)
    again = await runner.run("checkout_reminders", trigger="schedule")
    assert again is not None and (again.counts["reminded"], again.counts["already_reminded"]) == (0, 1)
    _at(clock, FRIDAY, 22, 1)  # the check-out window (shift end + 240 min) has closed
    late = await runner.run("checkout_reminders", trigger="schedule")
    assert late is not None and "skipped" in late.counts
    assert len(await outbox(db, ALICE)) == 1


async def test_a_night_shift_is_reminded_the_morning_after_it_started(
    db: Database, runner: JobRunner, company: Company, clock: Clock
):
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.id == company.bob_id).values(shift_id=company.night_shift_id))
    await _punch(db, company.bob_id, berlin(THURSDAY, 21, 55), Direction.IN)
    _at(clock, FRIDAY, 6, 31)
    run = await runner.run("checkout_reminders", trigger="schedule")
    assert run is not None and run.counts["reminded"] == 1
    [reminder] = await outbox(db, BOB)
    assert reminder.ref == f"checkout:{company.bob_id}:2026-11-19"
    assert format_time(berlin(FRIDAY, 6), "short", tzinfo=BERLIN, locale="en") in reminder.payload["text"]


async def _request(db: Database, company: Company, employee_id: int, created: datetime) -> int:
    async with db.transaction() as s:
        request = LeaveRequest(
            employee_id=employee_id, leave_type_id=company.annual_id, start_date=date(2026, 12, 7),
            end_date=date(2026, 12, 8), working_days=2, status=LeaveStatus.PENDING,
            approver_id=company.manager_id, created_at=created,
        )  # fmt: skip
        s.add(request)
        await s.flush()
        return request.id


async def test_approvers_are_reminded_daily_and_old_requests_are_escalated_to_hr_once(
    db: Database, runner: JobRunner, company: Company, clock: Clock
):
    old = await _request(db, company, company.alice_id, berlin(date(2026, 11, 16), 10))
    await _request(db, company, company.bob_id, berlin(FRIDAY, 8))
    _at(clock, FRIDAY, 9)
    run = await runner.run("approval_reminders", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS, run.error
    assert (run.counts["rerouted"], run.counts["reminded"], run.counts["requests"]) == (0, 1, 2)
    assert (run.counts["overdue"], run.counts["escalated"], run.counts["messages"]) == (1, 1, 1)
    [reminder] = await outbox(db, MANAGER)
    assert reminder.ref == f"remind:approver:{company.manager_id}:2026-11-20"
    assert "Alice" in reminder.payload["text"] and "Bob" in reminder.payload["text"]
    [escalation] = await outbox(db, HR)
    assert escalation.ref == f"leave:{old}:escalation:{company.hr_id}"
    assert "Alice" in escalation.payload["text"] and "Max Manager" in escalation.payload["text"]
    buttons = [b["callback_data"] for row in escalation.payload["buttons"] for b in row]
    assert buttons == [f"lv:a:{old}", f"lv:r:{old}"]

    again = await runner.run("approval_reminders", trigger="cli")
    assert again is not None and (again.counts["already_reminded"], again.counts["already_escalated"]) == (1, 1)
    clock.advance(days=1)
    next_day = await runner.run("approval_reminders", trigger="schedule")
    assert next_day is not None and (next_day.counts["reminded"], next_day.counts["messages"]) == (1, 0)
    assert len(await outbox(db, MANAGER)) == 2 and len(await outbox(db, HR)) == 1


async def test_a_request_whose_approver_is_on_leave_moves_on_before_the_reminders(
    db: Database, runner: JobRunner, company: Company, clock: Clock
):
    request_id = await _request(db, company, company.alice_id, berlin(FRIDAY, 8))
    async with db.transaction() as s:
        s.add(
            LeaveRequest(
                employee_id=company.manager_id,
                leave_type_id=company.annual_id,
                start_date=FRIDAY,
                end_date=FRIDAY + timedelta(days=3),
                working_days=2,
                status=LeaveStatus.APPROVED,
            )
        )
    _at(clock, FRIDAY, 9)
    run = await runner.run("approval_reminders", trigger="schedule")
    assert run is not None and (run.counts["rerouted"], run.counts["reminded"]) == (1, 1)
    async with db.session() as s:
        request = await s.get(LeaveRequest, request_id)
        assert request is not None and request.approver_id == company.hr_id
    refs = [m.ref for m in await outbox(db, HR)]
    assert refs == [f"leave:{request_id}:approver:{company.hr_id}", f"remind:approver:{company.hr_id}:2026-11-20"]
    # the away manager's approval message is edited to say where it went; no reminder for them
    assert [m.payload["kind"] for m in await outbox(db, MANAGER)] == ["edit"]
