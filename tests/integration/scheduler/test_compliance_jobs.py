"""The nightly processing job evaluates the working-time rules; the retention job anonymises who is due."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from sqlalchemy import select

from scheduler.runner import Clients, JobRunner
from shared.domain.enums import Direction, JobStatus, PunchSource
from shared.model import ComplianceViolation, Employee, Punch
from shared.persistence import Database
from tests.factories import make_company
from tests.integration.scheduler.support import Clock, berlin

MONDAY = date(2026, 11, 16)


async def test_nightly_processing_records_the_violations_of_the_days_it_processed(
    db: Database, runner: JobRunner, clock: Clock
):
    company = await make_company(db)
    async with db.transaction() as s:
        for when, direction in ((berlin(MONDAY, 7), Direction.IN), (berlin(MONDAY, 21), Direction.OUT)):
            s.add(Punch(employee_id=company.alice_id, source=PunchSource.DEVICE, instant=when, direction=direction,
                        device_user_id="a", created_at=when))  # fmt: skip
    clock.now = berlin(MONDAY + timedelta(days=1), 0, 30).astimezone(UTC)
    run = await runner.run("process_attendance", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS, run.error
    assert run.counts["violations_created"] == 2
    again = await runner.run("process_attendance", trigger="cli", date_from=MONDAY)
    assert again is not None and again.counts["violations_created"] == 0 and again.counts["violations_found"] == 2
    async with db.session() as s:
        rules = sorted(r.rule for r in await s.scalars(select(ComplianceViolation)))
    assert rules == ["break", "daily_hours"]


async def test_the_retention_job_is_off_at_zero_years_and_anonymises_leavers_when_set(
    db: Database, clients: Clients, clock: Clock
):
    company = await make_company(db)
    async with db.transaction() as s:
        alice = await s.get(Employee, company.alice_id)
        alice.leaving_date, alice.active = date(2016, 1, 31), False
    off = await JobRunner(clients).run("retention", trigger="schedule")
    assert off is not None and off.status is JobStatus.SUCCESS and "anonymised" not in off.counts
    clients.settings = clients.settings.model_copy(update={"retention_years": 7})
    run = await JobRunner(clients).run("retention", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS, run.error
    assert (run.counts["anonymised"], run.counts["due_codes"]) == (1, ["A1"])
    async with db.session() as s:
        assert (await s.get(Employee, company.alice_id)).full_name == "Anonymised A1"
