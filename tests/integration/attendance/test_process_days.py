"""process_days: set-based classification, idempotent re-runs, new punches, manual overrides kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from shared.domain.enums import AttendanceStatus, Direction, LeaveStatus, PunchSource
from shared.errors import Forbidden, Invalid
from shared.model import DailyAttendance, Employee, LeaveRequest, Punch
from shared.persistence import Database
from shared.services.attendance.overrides import override_day
from shared.services.attendance.processing import process_days, stale_days
from tests.factories import Company, make_company

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN)


async def punch(db: Database, employee_id: int, when: datetime, direction: Direction = Direction.UNKNOWN) -> None:
    async with db.transaction() as s:
        s.add(
            Punch(
                employee_id=employee_id,
                source=PunchSource.DEVICE,
                instant=when,
                direction=direction,
                device_user_id=str(employee_id),
            )
        )


async def rows(db: Database) -> dict[tuple[int, date], DailyAttendance]:
    async with db.session() as s:
        return {(r.employee_id, r.date): r for r in await s.scalars(select(DailyAttendance))}


async def run(db: Database, start: date, end: date, now: datetime = NOW):
    async with db.transaction() as s:
        return await process_days(s, date_from=start, date_to=end, now=now, company_timezone="Europe/Berlin")


@pytest.fixture
async def company(db: Database) -> Company:
    return await make_company(db)


async def test_a_week_is_classified_for_everyone_in_one_run(db: Database, company: Company):
    await punch(db, company.alice_id, at(MONDAY, 9, 25), Direction.IN)
    await punch(db, company.alice_id, at(MONDAY, 18, 5), Direction.OUT)
    await punch(db, company.bob_id, at(MONDAY, 8, 55))
    stats = await run(db, MONDAY, MONDAY + timedelta(days=6))
    assert stats.employees == 4 and stats.days == 7 and stats.rows_written == 28
    found = await rows(db)
    alice = found[(company.alice_id, MONDAY)]
    assert alice.status is AttendanceStatus.PRESENT and alice.late_minutes == 25 and alice.worked_minutes == 520
    assert alice.is_final
    assert found[(company.bob_id, MONDAY)].status is AttendanceStatus.INCOMPLETE
    assert found[(company.hr_id, MONDAY)].status is AttendanceStatus.ABSENT
    assert found[(company.alice_id, MONDAY + timedelta(days=5))].status is AttendanceStatus.WEEKEND


async def test_a_rerun_gives_identical_rows(db: Database, company: Company):
    await punch(db, company.alice_id, at(MONDAY, 9), Direction.IN)
    await punch(db, company.alice_id, at(MONDAY, 13), Direction.OUT)
    await run(db, MONDAY, MONDAY + timedelta(days=2))
    first = {k: _values(v) for k, v in (await rows(db)).items()}
    await run(db, MONDAY, MONDAY + timedelta(days=2), now=NOW + timedelta(hours=1))
    second = {k: _values(v) for k, v in (await rows(db)).items()}
    assert first == second


def _values(row: DailyAttendance) -> tuple:
    return (
        row.status,
        row.first_in,
        row.last_out,
        row.worked_minutes,
        row.late_minutes,
        row.early_exit_minutes,
        row.punch_count,
        row.is_final,
        row.leave_request_id,
        row.worked_on_day_off,
    )


async def test_new_punches_change_the_answer(db: Database, company: Company):
    await punch(db, company.bob_id, at(MONDAY, 9), Direction.IN)
    await run(db, MONDAY, MONDAY)
    assert (await rows(db))[(company.bob_id, MONDAY)].status is AttendanceStatus.INCOMPLETE
    await punch(db, company.bob_id, at(MONDAY, 17, 45), Direction.OUT)
    await run(db, MONDAY, MONDAY)
    bob = (await rows(db))[(company.bob_id, MONDAY)]
    assert bob.status is AttendanceStatus.PRESENT and bob.early_exit_minutes == 15


async def test_a_manual_override_is_never_overwritten(db: Database, company: Company):
    await run(db, MONDAY, MONDAY)
    async with db.transaction() as s:
        await override_day(
            s,
            actor=company.hr,
            employee_id=company.alice_id,
            day=MONDAY,
            status=AttendanceStatus.PRESENT,
            reason="Badge reader broken",
            worked_minutes=480,
            now=NOW,
        )
    await punch(db, company.alice_id, at(MONDAY, 12), Direction.IN)
    stats = await run(db, MONDAY, MONDAY)
    assert stats.overrides_kept == 1
    alice = (await rows(db))[(company.alice_id, MONDAY)]
    assert alice.status is AttendanceStatus.PRESENT and alice.manual_override and alice.worked_minutes == 480


async def test_an_override_needs_hr_and_a_reason(db: Database, company: Company):
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await override_day(
                s,
                actor=company.manager,
                employee_id=company.alice_id,
                day=MONDAY,
                status=AttendanceStatus.PRESENT,
                reason="x",
                now=NOW,
            )
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await override_day(
                s,
                actor=company.hr,
                employee_id=company.alice_id,
                day=MONDAY,
                status=AttendanceStatus.PRESENT,
                reason=" ",
                now=NOW,
            )


async def test_approved_leave_and_holidays_are_not_absences(db: Database, company: Company):
    async with db.transaction() as s:
        s.add(
            LeaveRequest(
                employee_id=company.alice_id,
                leave_type_id=company.annual_id,
                start_date=MONDAY,
                end_date=MONDAY + timedelta(days=1),
                working_days=2,
                status=LeaveStatus.APPROVED,
            )
        )
    xmas = date(2026, 12, 25)
    await run(db, MONDAY, MONDAY + timedelta(days=1))
    await run(db, xmas, xmas)
    found = await rows(db)
    assert found[(company.alice_id, MONDAY)].status is AttendanceStatus.ON_LEAVE
    assert found[(company.alice_id, MONDAY)].leave_request_id is not None
    assert found[(company.bob_id, xmas)].status is AttendanceStatus.HOLIDAY


async def test_a_night_shift_belongs_to_the_day_it_starts(db: Database, company: Company):
    async with db.transaction() as s:
        bob = await s.get(Employee, company.bob_id)
        bob.shift_id = company.night_shift_id
    await punch(db, company.bob_id, at(MONDAY, 21, 55), Direction.IN)
    await punch(db, company.bob_id, at(MONDAY + timedelta(days=1), 6, 2), Direction.OUT)
    await run(db, MONDAY, MONDAY + timedelta(days=1))
    found = await rows(db)
    night = found[(company.bob_id, MONDAY)]
    assert night.status is AttendanceStatus.PRESENT and night.worked_minutes == 487
    assert found[(company.bob_id, MONDAY + timedelta(days=1))].status is AttendanceStatus.ABSENT


async def test_today_is_provisional_until_the_checkout_window_passes(db: Database, company: Company):
    day = date(2026, 11, 20)
    await punch(db, company.alice_id, at(day, 9), Direction.IN)
    await run(db, day, day, now=at(day, 12).astimezone(UTC))
    assert not (await rows(db))[(company.alice_id, day)].is_final


async def test_employees_are_not_absent_before_they_were_hired(db: Database, company: Company):
    async with db.transaction() as s:
        (await s.get(Employee, company.bob_id)).hire_date = MONDAY + timedelta(days=2)
    await run(db, MONDAY, MONDAY + timedelta(days=2))
    found = await rows(db)
    assert (company.bob_id, MONDAY) not in found and (company.bob_id, MONDAY + timedelta(days=2)) in found


async def test_a_range_ending_before_it_starts_is_refused(db: Database, company: Company):
    with pytest.raises(Invalid):
        await run(db, MONDAY, MONDAY - timedelta(days=1))


async def test_days_that_got_late_punches_are_found_again(db: Database, company: Company):
    await run(db, MONDAY, MONDAY + timedelta(days=3), now=NOW - timedelta(hours=1))
    await punch(db, company.alice_id, at(MONDAY + timedelta(days=2), 9), Direction.IN)
    async with db.session() as s:
        days = await stale_days(s, today=MONDAY + timedelta(days=5), company_timezone="Europe/Berlin")
    assert MONDAY + timedelta(days=2) in days and MONDAY not in days


async def test_a_day_processed_before_it_was_over_is_processed_again_by_the_nightly_search(
    db: Database, company: Company
):
    early = datetime.combine(MONDAY, time(3), BERLIN)  # the night job at 03:00: the day has not begun
    await run(db, MONDAY, MONDAY, now=early)
    assert all(not r.is_final for r in (await rows(db)).values())
    async with db.session() as s:
        days = await stale_days(s, today=MONDAY + timedelta(days=1), company_timezone="Europe/Berlin")
    assert days == [MONDAY]
    await run(db, MONDAY, MONDAY, now=datetime.combine(MONDAY + timedelta(days=1), time(3), BERLIN))
    async with db.session() as s:
        days = await stale_days(s, today=MONDAY + timedelta(days=1), company_timezone="Europe/Berlin")
    assert MONDAY not in days and all(r.is_final for r in (await rows(db)).values())
