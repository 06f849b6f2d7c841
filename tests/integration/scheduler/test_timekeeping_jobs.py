"""The nightly run evaluates the lateness policy after processing; the weekly job sends the overtime summary."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import select

from scheduler.runner import Clients, JobRunner
from shared.domain.enums import Direction, JobStatus, LedgerKind, PunchSource
from shared.model import LatenessNotice, LeaveLedgerEntry, Punch
from shared.persistence import Database
from tests.factories import make_company
from tests.integration.scheduler.support import Clock, berlin, make_settings, outbox, texts

MONDAY = date(2026, 11, 16)


async def _punches(db: Database, employee_id: int, days: list[date], start: tuple[int, int], end: tuple[int, int]):
    async with db.transaction() as s:
        for day in days:
            for (hh, mm), direction in ((start, Direction.IN), (end, Direction.OUT)):
                instant = berlin(day, hh, mm)
                s.add(Punch(employee_id=employee_id, source=PunchSource.DEVICE, instant=instant, direction=direction,
                            device_user_id=str(employee_id), created_at=instant))  # fmt: skip


@pytest.fixture
def lateness_runner(db: Database, real_redis, db_url: str, redis_prefix: str, clock: Clock) -> JobRunner:
    settings = make_settings(
        db_url, redis_prefix, lateness_count=3, lateness_deduct_days="0.5", lateness_leave_type="ANNUAL"
    )
    return JobRunner(Clients(db=db, redis=real_redis, settings=settings, clock=clock))


async def test_the_nightly_run_raises_one_lateness_notice_with_a_deduction_and_not_again(
    db: Database, lateness_runner: JobRunner, clock: Clock
):
    company = await make_company(db)
    days = [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)]
    await _punches(db, company.alice_id, days, (9, 30), (18, 0))
    clock.now = berlin(MONDAY + timedelta(days=3), 0, 30).astimezone(UTC)
    for _ in range(2):
        run = await lateness_runner.run(
            "process_attendance", trigger="cli", date_from=MONDAY, date_to=MONDAY + timedelta(days=2)
        )
        assert run is not None and run.status is JobStatus.SUCCESS, run.error
    assert run.counts["lateness_notices"] == 0, "the second run finds the crossing recorded"
    async with db.session() as s:
        notices = list(await s.scalars(select(LatenessNotice)))
        deductions = list(await s.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.kind == LedgerKind.LATENESS)))
    assert len(notices) == 1 and notices[0].employee_id == company.alice_id
    assert [d.delta for d in deductions] == [-0.5]
    assert any("late 3 times" in t for t in texts(await outbox(db, 9002))), "the manager is told"


async def test_without_a_policy_the_nightly_run_skips_the_lateness_step(db: Database, runner: JobRunner, clock: Clock):
    await make_company(db)
    run = await runner.run("process_attendance", trigger="cli", date_from=MONDAY, date_to=MONDAY)
    assert run is not None and run.status is JobStatus.SUCCESS
    assert "lateness_notices" not in run.counts


async def test_the_weekly_summary_tells_the_manager_of_last_weeks_overtime(db: Database, runner: JobRunner, clock):
    company = await make_company(db)
    await _punches(db, company.bob_id, [MONDAY], (8, 0), (19, 30))
    clock.now = berlin(MONDAY + timedelta(days=7), 9, 30).astimezone(UTC)
    assert (await runner.run("process_attendance", trigger="cli", date_from=MONDAY, date_to=MONDAY)).status is (
        JobStatus.SUCCESS
    )
    run = await runner.run("overtime_summary", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS, run.error
    assert (run.counts["week"], run.counts["messages"]) == ("2026-11-16", 1)
    (message,) = await outbox(db, 9002)
    assert "Bob" in message.payload["text"] and "2 h 30 min" in message.payload["text"]
