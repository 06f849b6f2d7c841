"""The team calendar's audience and privacy, coming holidays, linking groups, and the morning post (once a
day, even when two schedulers post at the same moment)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shared.domain.absences import CellKind
from shared.domain.enums import Role
from shared.errors import Forbidden, NotFound
from shared.model import Department, Employee, GroupChat, Holiday, OutboxMessage
from shared.persistence import Database
from shared.services.absences.calendar import month_calendar
from shared.services.absences.groups import link_group, post_approvals, post_mornings, unlink_group
from shared.services.absences.holidays import coming_holidays
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import request_leave
from tests.factories import Company, make_company

TODAY = date(2026, 12, 1)  # a Tuesday
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
GROUP = -100500


async def _company(db: Database) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
    return company


async def _leave(db: Database, company: Company, who: int, start: date, end: date, *, approve: bool) -> int:
    async with db.transaction() as s:
        request = await request_leave(s, actor=company.hr, employee_id=who, leave_type_id=company.annual_id,
                                      start=start, end=end, today=TODAY, now=NOW)  # fmt: skip
        if approve:
            await decide_leave(s, actor=company.hr, request_id=request.id, approve=True, today=TODAY, now=NOW)
        return request.id


async def _person(db: Database, employee_id: int) -> Employee:
    async with db.session() as s:
        found = await s.get(Employee, employee_id)
        assert found is not None
        return found


async def test_teammates_see_approved_leave_and_only_managers_and_hr_see_pending(db: Database):
    company = await _company(db)
    await _leave(db, company, company.bob_id, date(2026, 12, 7), date(2026, 12, 8), approve=True)
    await _leave(db, company, company.bob_id, date(2026, 12, 14), date(2026, 12, 14), approve=False)
    cells = {}
    for viewer in (company.alice_id, company.manager_id, company.hr_id):
        async with db.session() as s:
            grid, _ = await month_calendar(s, viewer_id=viewer, year=2026, month=12, today=TODAY)
        bob = next(r for r in grid.rows if r.name == "Bob")
        cells[viewer] = (bob.cells[6].kind, bob.cells[13].kind)
    assert cells[company.alice_id] == (CellKind.AWAY, CellKind.WORK), "a teammate never sees pending leave"
    assert cells[company.manager_id] == (CellKind.AWAY, CellKind.PENDING)
    assert cells[company.hr_id] == (CellKind.AWAY, CellKind.PENDING)


async def test_only_hr_may_pick_another_department(db: Database):
    company = await _company(db)
    async with db.transaction() as s:
        other = Department(name="Sales")
        s.add(other)
        await s.flush()
        s.add(Employee(code="S1", full_name="Sam Sales", department_id=other.id, work_week="12345"))
        other_id = other.id
    async with db.session() as s:
        grid, seen = await month_calendar(s, viewer_id=company.hr_id, year=2026, month=12, today=TODAY,
                                          department_id=other_id)  # fmt: skip
        assert [r.name for r in grid.rows] == ["Sam Sales"] and seen.department is not None
        with pytest.raises(Forbidden):
            await month_calendar(s, viewer_id=company.alice_id, year=2026, month=12, today=TODAY,
                                 department_id=other_id)  # fmt: skip


async def test_coming_holidays_are_those_of_my_calendar_from_today(db: Database):
    company = await make_company(db, holidays=(date(2026, 11, 3), date(2026, 12, 25), date(2027, 1, 1)))
    async with db.session() as s:
        found = await coming_holidays(s, employee_id=company.alice_id, today=TODAY)
    assert found.calendar == "Test" and [d for d, _ in found.days] == [date(2026, 12, 25), date(2027, 1, 1)]


async def test_a_group_is_linked_by_an_admin_of_it_who_is_hr_or_a_manager_of_the_department(db: Database):
    company = await _company(db)
    alice, manager = await _person(db, company.alice_id), await _person(db, company.manager_id)
    async with db.transaction() as s:
        with pytest.raises(Forbidden):
            await link_group(s, chat_id=GROUP, title="Ops", department_name="ops", person=manager, is_chat_admin=False,
                             actor=company.manager, now=NOW)  # fmt: skip
        with pytest.raises(Forbidden):
            await link_group(s, chat_id=GROUP, title="Ops", department_name="ops", person=alice, is_chat_admin=True,
                             actor=company.alice, now=NOW)  # fmt: skip
        with pytest.raises(NotFound):
            await link_group(s, chat_id=GROUP, title="Ops", department_name="Nowhere", person=manager,
                             is_chat_admin=True, actor=company.manager, now=NOW)  # fmt: skip
        linked = await link_group(s, chat_id=GROUP, title="Ops", department_name=" OPS ", person=manager,
                                  is_chat_admin=True, actor=company.manager, now=NOW)  # fmt: skip
        assert linked.department.id == company.department_id and not linked.relinked
    async with db.transaction() as s:
        again = await link_group(s, chat_id=GROUP, title="Ops team", department_name="Ops", person=manager,
                                 is_chat_admin=True, actor=company.manager, now=NOW)  # fmt: skip
        assert again.relinked
        assert await s.scalar(select(func.count()).select_from(GroupChat)) == 1
    async with db.transaction() as s:
        await unlink_group(s, chat_id=GROUP, person=manager, is_chat_admin=True, actor=company.manager)
        assert await s.scalar(select(func.count()).select_from(GroupChat)) == 0


async def _linked(db: Database, company: Company) -> None:
    manager = await _person(db, company.manager_id)
    async with db.transaction() as s:
        await link_group(s, chat_id=GROUP, title="Ops", department_name="Ops", person=manager, is_chat_admin=True,
                         actor=company.manager, now=NOW)  # fmt: skip


async def _posts(db: Database) -> list[str]:
    async with db.session() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == GROUP).order_by(OutboxMessage.id))
        return [r.payload["text"] for r in rows]


async def test_the_morning_post_says_who_is_away_today_and_this_week_without_the_type(db: Database):
    company = await _company(db)
    await _leave(db, company, company.bob_id, date(2026, 12, 1), date(2026, 12, 1), approve=True)
    await _leave(db, company, company.alice_id, date(2026, 12, 3), date(2026, 12, 4), approve=True)
    await _leave(db, company, company.hr_id, date(2026, 12, 2), date(2026, 12, 2), approve=False)
    await _linked(db, company)
    async with db.transaction() as s:
        assert await post_mornings(s, today=TODAY, default_locale="en") == (1, 0)
    async with db.transaction() as s:
        assert await post_mornings(s, today=TODAY, default_locale="en") == (0, 0), "once a day"
    [text] = await _posts(db)
    today, later = text.split("Later this week")
    assert "Bob" in today and "Alice" in later
    assert "Annual leave" not in text and "Hana" not in text, "no types, no pending requests"


async def test_no_post_on_a_day_nobody_of_the_department_works(db: Database):
    company = await _company(db)
    await _linked(db, company)
    async with db.transaction() as s:
        assert await post_mornings(s, today=date(2026, 12, 5), default_locale="en") == (0, 1)  # a Saturday
        s.add(Holiday(calendar_id=company.calendar_id, date=date(2026, 12, 7), name="Company day"))
    async with db.transaction() as s:
        assert await post_mornings(s, today=date(2026, 12, 7), default_locale="en") == (0, 1)
    assert await _posts(db) == []


async def test_new_approvals_are_posted_once(db: Database):
    company = await _company(db)
    await _linked(db, company)
    later = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    async with db.transaction() as s:
        request = await request_leave(s, actor=company.hr, employee_id=company.bob_id, leave_type_id=company.annual_id,
                                      start=date(2026, 12, 10), end=date(2026, 12, 10), today=TODAY, now=later)  # fmt: skip
        await decide_leave(s, actor=company.hr, request_id=request.id, approve=True, today=TODAY, now=later)
    async with db.transaction() as s:
        assert await post_approvals(s, now=datetime(2026, 12, 1, 8, 5, tzinfo=UTC), default_locale="en") == 1
    async with db.transaction() as s:
        assert await post_approvals(s, now=datetime(2026, 12, 1, 8, 10, tzinfo=UTC), default_locale="en") == 0
    [text] = await _posts(db)
    assert "Newly approved" in text and "Bob" in text


async def test_two_schedulers_posting_at_once_post_once(db: Database, db_url: str):
    company = await _company(db)
    await _linked(db, company)
    engines = [Database.from_url(db_url) for _ in range(4)]

    async def post(engine: Database) -> tuple[int, int]:
        async with engine.transaction() as s:
            return await post_mornings(s, today=TODAY, default_locale="en")

    try:
        results = await asyncio.gather(*(post(e) for e in engines), return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(r[0] for r in results if isinstance(r, tuple)) == 1
    assert len(await _posts(db)) == 1


async def test_the_role_of_the_person_decides_beyond_the_group_admin_check(db: Database):
    company = await _company(db)
    hr = await _person(db, company.hr_id)
    assert hr.role is Role.HR
    async with db.transaction() as s:
        linked = await link_group(s, chat_id=GROUP, title="Ops", department_name=str(company.department_id), person=hr,
                                  is_chat_admin=True, actor=company.hr, now=NOW)  # fmt: skip
    assert linked.department.name == "Ops", "a department can be named by its id too"


async def test_two_admins_linking_the_same_group_at_once_make_one_link(db: Database, db_url: str):
    company = await _company(db)
    manager, hr = await _person(db, company.manager_id), await _person(db, company.hr_id)
    engines = [Database.from_url(db_url) for _ in range(4)]

    async def link(engine: Database, person: Employee, actor: Actor):
        async with engine.transaction() as s:
            return await link_group(s, chat_id=GROUP, title="Ops", department_name="Ops", person=person,
                                    is_chat_admin=True, actor=actor, now=NOW)  # fmt: skip

    people = [(manager, company.manager), (hr, company.hr)] * 2
    try:
        results = await asyncio.gather(*(link(e, p, a) for e, (p, a) in zip(engines, people, strict=True)),
                                       return_exceptions=True)  # fmt: skip
    finally:
        for engine in engines:
            await engine.dispose()
    assert not [r for r in results if isinstance(r, BaseException)], results
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(GroupChat)) == 1


async def test_the_calendar_and_the_group_post_name_the_department_in_the_readers_language(db: Database):
    from shared.i18n import translator
    from shared.services.absences.groups import morning_text

    company = await _company(db)
    async with db.transaction() as s:
        (await s.get(Department, company.department_id)).name_translations = {"ru": "Склад"}
    async with db.session() as s:
        russian, _ = await month_calendar(s, viewer_id=company.alice_id, year=2026, month=12, today=TODAY, locale="ru")
        english, _ = await month_calendar(s, viewer_id=company.alice_id, year=2026, month=12, today=TODAY, locale="en")
        group = GroupChat(chat_id=GROUP, department_id=company.department_id, linked_by_id=company.hr_id,
                          linked_at=NOW)  # fmt: skip
        post = await morning_text(s, group=group, today=TODAY, t=translator("ru"))
    assert (russian.title, english.title) == ("Склад", "Ops")
    assert post is not None and "Склад" in post
