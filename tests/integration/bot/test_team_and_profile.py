"""The services the bot added: a manager's team today, who is out, teammates' overlaps, language, history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select, update

from shared.domain.enums import Direction, HalfDay, LeaveStatus, PunchSource, Role
from shared.errors import Forbidden, Invalid, NotFound
from shared.model import AuditLog, Employee, LeaveRequest, LeaveType, Punch
from shared.persistence import Database
from shared.services.notify.team import team_members, team_overlaps, team_today, whos_out
from shared.services.org.profile import (
    employee_by_code,
    employee_by_telegram_id,
    leave_history,
    linked_employee,
    set_locale,
)
from tests.factories import Company, make_company

DAY = date(2026, 11, 23)  # a Monday
NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Berlin


@pytest.fixture
async def company(db: Database) -> Company:
    return await make_company(db)


async def _leave(db: Database, employee_id: int, type_id: int, start: date, end: date, **kw: object) -> None:
    async with db.transaction() as s:
        s.add(LeaveRequest(employee_id=employee_id, leave_type_id=type_id, start_date=start, end_date=end,
                           working_days=Decimal(1), status=kw.pop("status", LeaveStatus.APPROVED), **kw))  # fmt: skip


async def _punch(db: Database, employee_id: int, hour: int, minute: int) -> None:
    at = datetime(2026, 11, 23, hour - 1, minute, tzinfo=UTC)  # Berlin is UTC+1 in November
    async with db.transaction() as s:
        s.add(Punch(employee_id=employee_id, source=PunchSource.TELEGRAM, instant=at, direction=Direction.IN))


async def test_team_today_sorts_people_into_in_late_not_yet_in_and_on_leave(db: Database, company: Company) -> None:
    await _punch(db, company.alice_id, 9, 5)  # within the 10-minute grace
    await _punch(db, company.bob_id, 9, 40)
    await _leave(db, company.hr_id, company.annual_id, DAY, DAY + timedelta(days=2))

    async with db.session() as s:
        today = await team_today(s, manager_id=company.manager_id, now=NOON, company_timezone="UTC")

    assert today.day == DAY
    assert [m.name for m in today.present] == ["Alice"] and today.present[0].late_minutes == 0
    assert [(m.name, m.late_minutes) for m in today.late] == [("Bob", 40)]
    assert [(m.name, m.leave_type, m.leave_until) for m in today.on_leave] == [
        ("Hana HR", None, DAY + timedelta(days=2))
    ], "Max heads Hana's department but does not approve her leave: he sees that she is away, not why"
    assert today.not_in == [] and today.day_off == [] and today.size == 3


async def test_nobody_in_yet_and_a_morning_off(db: Database, company: Company) -> None:
    await _leave(
        db, company.alice_id, company.annual_id, DAY, DAY, start_half=HalfDay.MORNING, end_half=HalfDay.MORNING
    )
    async with db.session() as s:
        today = await team_today(s, manager_id=company.manager_id, now=NOON, company_timezone="UTC")
    assert [m.name for m in today.not_in] == ["Bob", "Hana HR"]
    assert [(m.name, m.half) for m in today.on_leave] == [("Alice", HalfDay.MORNING)]


async def test_a_weekend_is_a_day_off_unless_someone_works(db: Database, company: Company) -> None:
    sunday_noon = NOON - timedelta(days=1)
    async with db.transaction() as s:
        s.add(Punch(employee_id=company.bob_id, source=PunchSource.TELEGRAM, instant=sunday_noon - timedelta(hours=1),
                    direction=Direction.IN))  # fmt: skip
    async with db.session() as s:
        today = await team_today(s, manager_id=company.manager_id, now=sunday_noon, company_timezone="UTC")
    assert [m.name for m in today.present] == ["Bob"]
    assert sorted(m.name for m in today.day_off) == ["Alice", "Hana HR"]


async def test_at_two_in_the_morning_a_night_worker_who_started_at_ten_is_in(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.id == company.bob_id).values(shift_id=company.night_shift_id))
        s.add(Punch(employee_id=company.bob_id, source=PunchSource.TELEGRAM, direction=Direction.IN,
                    instant=datetime(2026, 11, 23, 21, 0, tzinfo=UTC)))  # Monday 22:00 in Berlin  # fmt: skip
    two_am = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Tuesday 02:00 in Berlin
    async with db.session() as s:
        today = await team_today(s, manager_id=company.manager_id, now=two_am, company_timezone="UTC")
    assert [m.name for m in today.present] == ["Bob"]


async def test_a_check_in_long_before_the_shift_counts_and_is_flagged(db: Database, company: Company) -> None:
    await _punch(db, company.alice_id, 4, 15)  # 04:15 for a 09:00 shift: outside its check-in window
    five_am = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    async with db.session() as s:
        today = await team_today(s, manager_id=company.manager_id, now=five_am, company_timezone="UTC")
    assert [(m.name, m.unscheduled) for m in today.present] == [("Alice", True)]


async def test_team_members_are_reports_and_department_members_and_everyone_for_hr(
    db: Database, company: Company
) -> None:
    async with db.transaction() as s:
        s.add(Employee(code="X1", full_name="Xena Elsewhere", role=Role.EMPLOYEE))
    async with db.session() as s:
        managers = [e.full_name for e in await team_members(s, manager_id=company.manager_id)]
        hrs = [e.full_name for e in await team_members(s, manager_id=company.hr_id)]
        bobs = [e.full_name for e in await team_members(s, manager_id=company.bob_id)]
    assert managers == ["Alice", "Bob", "Hana HR"]
    assert hrs == ["Alice", "Bob", "Max Manager", "Xena Elsewhere"]
    assert bobs == []


async def test_whos_out_lists_approved_leave_in_the_period_by_department(db: Database, company: Company) -> None:
    await _leave(db, company.alice_id, company.annual_id, DAY, DAY + timedelta(days=1))
    await _leave(db, company.bob_id, company.annual_id, DAY, DAY, status=LeaveStatus.PENDING)
    await _leave(db, company.hr_id, company.sick_id, DAY - timedelta(days=10), DAY - timedelta(days=8))
    async with db.session() as s:
        week = await whos_out(s, start=DAY, end=DAY + timedelta(days=6), viewer_id=company.hr_id, viewer_is_hr=True)
        other = await whos_out(
            s, start=DAY, end=DAY + timedelta(days=6), department_id=company.department_id + 1,
            viewer_id=company.hr_id, viewer_is_hr=True,
        )  # fmt: skip
    assert [(o.name, o.type_name, o.department) for o in week] == [("Alice", "Annual leave", "Ops")]
    assert other == []


async def test_teammates_see_away_and_the_entitled_see_the_type(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        remote = LeaveType(code="REMOTE", name="Remote work", public=True)
        s.add(remote)
        await s.flush()
        remote_id = remote.id
    await _leave(
        db, company.alice_id, company.sick_id, DAY, DAY, approver_id=company.manager_id, start_half=HalfDay.AFTERNOON
    )
    await _leave(db, company.bob_id, remote_id, DAY, DAY)

    async def seen_by(viewer: int, hr: bool = False) -> dict[str, str | None]:
        async with db.session() as s:
            lines = await whos_out(s, start=DAY, end=DAY, viewer_id=viewer, viewer_is_hr=hr)
        return {o.name: o.type_name for o in lines}

    assert await seen_by(company.bob_id) == {"Alice": None, "Bob": "Remote work"}, "a teammate: away, or public"
    assert await seen_by(company.alice_id) == {"Alice": "Sick leave", "Bob": "Remote work"}, "the person"
    assert await seen_by(company.manager_id) == {"Alice": "Sick leave", "Bob": "Remote work"}, "the approver"
    assert await seen_by(company.hr_id, hr=True) == {"Alice": "Sick leave", "Bob": "Remote work"}, "HR"
    async with db.session() as s:
        half = [o for o in await whos_out(s, start=DAY, end=DAY, viewer_id=company.bob_id, viewer_is_hr=False)]
    assert half[0].start_half is HalfDay.AFTERNOON, "a teammate still sees the half day"


async def test_team_overlaps_name_the_teammates_away(db: Database, company: Company) -> None:
    await _leave(db, company.alice_id, company.annual_id, DAY, DAY + timedelta(days=1))
    async with db.session() as s:
        overlaps = await team_overlaps(
            s, employee_id=company.bob_id, start=DAY + timedelta(days=1), end=DAY + timedelta(days=3)
        )
        none = await team_overlaps(
            s, employee_id=company.bob_id, start=DAY + timedelta(days=5), end=DAY + timedelta(days=6)
        )
    assert overlaps == [("Alice", DAY, DAY + timedelta(days=1))] and none == []


async def test_set_locale_stores_and_audits_only_a_change(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        await set_locale(s, actor=company.bob, employee_id=company.bob_id, locale="ru")
    async with db.transaction() as s:
        await set_locale(s, actor=company.bob, employee_id=company.bob_id, locale="ru")
    async with db.session() as s:
        rows = list(await s.scalars(select(AuditLog).where(AuditLog.action == "set_locale")))
        assert (await s.get(Employee, company.bob_id)).locale == "ru"
    assert len(rows) == 1 and rows[0].old == {"locale": "en"} and rows[0].new == {"locale": "ru"}


async def test_set_locale_refuses_unknown_languages_and_other_peoples(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        with pytest.raises(Invalid):
            await set_locale(s, actor=company.bob, employee_id=company.bob_id, locale="de")
        with pytest.raises(Forbidden):
            await set_locale(s, actor=company.bob, employee_id=company.alice_id, locale="en")
        await set_locale(s, actor=company.hr, employee_id=company.alice_id, locale="ar")


async def test_history_is_newest_first_with_type_names(db: Database, company: Company) -> None:
    await _leave(db, company.bob_id, company.annual_id, DAY, DAY)
    await _leave(db, company.bob_id, company.sick_id, DAY + timedelta(days=7), DAY + timedelta(days=7),
                 status=LeaveStatus.CANCELLED)  # fmt: skip
    await _leave(db, company.alice_id, company.annual_id, DAY, DAY)
    async with db.session() as s:
        lines = await leave_history(s, employee_id=company.bob_id)
    assert [(line.type_name, line.request.status) for line in lines] == [
        ("Sick leave", LeaveStatus.CANCELLED), ("Annual leave", LeaveStatus.APPROVED)
    ]  # fmt: skip


async def test_people_are_found_by_telegram_id_and_by_code(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.id == company.bob_id).values(code="B-7"))
    async with db.session() as s:
        assert (await employee_by_telegram_id(s, 9004)).id == company.bob_id
        assert await employee_by_telegram_id(s, 1) is None
        assert (await employee_by_code(s, " b-7 ")).id == company.bob_id
        with pytest.raises(NotFound):
            await employee_by_code(s, "nobody")


async def test_the_bots_lookup_on_the_driver_gives_the_same_employee_as_a_session(
    db: Database, company: Company
) -> None:
    async with db.transaction() as s:
        bob = await s.get(Employee, company.bob_id)
        bob.leaving_date, bob.timezone, bob.role = date(2027, 3, 31), "Asia/Dubai", Role.MANAGER
    async with db.session() as s:
        expected = await employee_by_telegram_id(s, 9004)
    found = await linked_employee(db, 9004)
    assert found is not None and inspect(found).detached and inspect(found).identity == (company.bob_id,)
    columns = [attr.key for attr in inspect(Employee).column_attrs]
    assert {k: getattr(found, k) for k in columns} == {k: getattr(expected, k) for k in columns}
    assert found.role is Role.MANAGER and found.leaving_date == date(2027, 3, 31)  # the members, not strings
    assert await linked_employee(db, 1) is None


async def test_team_and_whos_out_name_the_leave_type_in_the_readers_language(db: Database, company: Company) -> None:
    from shared.services.notify.team import whos_out

    async with db.transaction() as s:
        (await s.get(LeaveType, company.annual_id)).name_translations = {"ru": "Ежегодный отпуск"}
    await _leave(db, company.bob_id, company.annual_id, DAY, DAY, approver_id=company.manager_id)
    async with db.session() as s:
        team = await team_today(s, manager_id=company.manager_id, now=NOON, company_timezone="UTC", locale="ru")
        lines = await whos_out(s, start=DAY, end=DAY, viewer_id=company.hr_id, viewer_is_hr=True, locale="ru")
        english = await whos_out(s, start=DAY, end=DAY, viewer_id=company.hr_id, viewer_is_hr=True, locale="en")
    assert [p.leave_type for p in team.on_leave] == ["Ежегодный отпуск"]
    assert [line.type_name for line in lines] == ["Ежегодный отпуск"]
    assert english[0].type_name != "Ежегодный отпуск"
