"""process_attendance: yesterday plus the earlier days that got punches after they were processed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from scheduler.jobs.process_attendance import spans
from scheduler.runner import JobRunner
from shared.domain.enums import AttendanceStatus, Direction, JobStatus, PunchSource
from shared.model import DailyAttendance, Punch
from shared.persistence import Database
from shared.services.attendance.processing import process_days
from tests.factories import make_company
from tests.integration.scheduler.support import Clock, berlin

MONDAY, TUESDAY, WEDNESDAY, THURSDAY = (date(2026, 11, d) for d in (16, 17, 18, 19))


async def _punch(db: Database, employee_id: int, when: datetime, created: datetime, direction: Direction) -> None:
    async with db.transaction() as s:
        s.add(
            Punch(
                employee_id=employee_id,
                source=PunchSource.DEVICE,
                instant=when,
                direction=direction,
                device_user_id=str(employee_id),
                created_at=created,
            )
        )


async def _process(db: Database, day: date, now: datetime) -> None:
    async with db.transaction() as s:
        await process_days(s, date_from=day, date_to=day, now=now, company_timezone="Europe/Berlin")


async def _row(db: Database, employee_id: int, day: date) -> DailyAttendance | None:
    async with db.session() as s:
        return await s.scalar(
            select(DailyAttendance).where(DailyAttendance.employee_id == employee_id, DailyAttendance.date == day)
        )


def test_days_are_grouped_into_contiguous_ranges_of_at_most_a_month():
    days = [date(2026, 1, d) for d in (1, 2, 3, 7)] + [date(2026, 2, 1)]
    assert spans(days) == [(date(2026, 1, 1), date(2026, 1, 3)), (date(2026, 1, 7), date(2026, 1, 7)),
                           (date(2026, 2, 1), date(2026, 2, 1))]  # fmt: skip
    long = [date(2026, 3, 1 + i) for i in range(31)] + [date(2026, 4, 1)]
    assert spans(long, limit=31) == [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 1))]


async def test_the_nightly_run_processes_yesterday_and_a_day_that_got_late_punches(
    db: Database, runner: JobRunner, clock: Clock
):
    company = await make_company(db)
    await _punch(db, company.alice_id, berlin(MONDAY, 9), berlin(MONDAY, 9), Direction.IN)
    await _punch(db, company.alice_id, berlin(MONDAY, 18), berlin(MONDAY, 18), Direction.OUT)
    for day in (MONDAY, TUESDAY, WEDNESDAY):
        await _process(db, day, berlin(day + timedelta(days=1), 0, 10))  # once the day is over
    # Bob's Monday punches reach us on Thursday (a device was offline): Monday is stale now
    await _punch(db, company.bob_id, berlin(MONDAY, 8, 55), berlin(THURSDAY, 10), Direction.IN)
    await _punch(db, company.bob_id, berlin(MONDAY, 17, 30), berlin(THURSDAY, 10), Direction.OUT)
    await _punch(db, company.alice_id, berlin(THURSDAY, 9, 40), berlin(THURSDAY, 9, 40), Direction.IN)
    clock.now = berlin(date(2026, 11, 20), 0, 30).astimezone(UTC)

    run = await runner.run("process_attendance", trigger="schedule")

    assert run is not None and run.status is JobStatus.SUCCESS, run.error
    # and the day before each of them: a morning punch may close that night's shift (stale_days' rule)
    assert run.counts["ranges"] == ["2026-11-15..2026-11-16", "2026-11-18..2026-11-19"]
    assert (run.counts["days"], run.counts["stale"], run.counts["employees"]) == (4, 3, 4)
    assert run.counts["rows_written"] == 16
    bob_monday = await _row(db, company.bob_id, MONDAY)
    assert bob_monday is not None and bob_monday.status is AttendanceStatus.PRESENT and bob_monday.punch_count == 2
    alice_thursday = await _row(db, company.alice_id, THURSDAY)
    assert alice_thursday is not None and alice_thursday.late_minutes == 40
    assert await _row(db, company.bob_id, TUESDAY) is not None  # processed before, untouched since


async def test_an_explicit_range_processes_exactly_those_days(db: Database, runner: JobRunner):
    await make_company(db)
    run = await runner.run("process_attendance", trigger="cli", date_from=date(2026, 11, 2), date_to=date(2026, 11, 4))
    assert run is not None and run.status is JobStatus.SUCCESS
    assert (run.counts["days"], run.counts["rows_written"], run.counts["ranges"]) == (3, 12, ["2026-11-02..2026-11-04"])
