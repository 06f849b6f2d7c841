"""Calendar feeds end to end in the services: the iCalendar text is parsed back with ``icalendar`` and checked
(UIDs stable across regenerations, cancellations, privacy per owner), tokens are secret and revocable, and
two links made at once leave one live link (PostgreSQL, parallel connections)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from shared.domain.enums import FeedScope, Role
from shared.errors import Forbidden, Invalid
from shared.i18n import translator
from shared.model import AuditLog, CalendarFeed, Department, Employee, LeaveType
from shared.persistence import Database
from shared.services.absences.feeds import create_feed, feed_calendar, feed_for_token, revoke_feed
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import cancel_leave, request_leave
from tests.factories import Company, make_company

PEPPER = "feed-test-pepper"
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DOMAIN = "chronos.example.com"


async def _company(db: Database) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
    return company


async def _leave(db: Database, company: Company, who: int, start: date, end: date, type_id: int | None = None) -> int:
    async with db.transaction() as s:
        request = await request_leave(
            s, actor=company.hr, employee_id=who, leave_type_id=type_id or company.annual_id, start=start, end=end,
            today=TODAY, now=NOW, attachment_file_id="note" if type_id == company.sick_id else None,
        )  # fmt: skip
        return request.id


async def _decide(db: Database, company: Company, request_id: int, approve: bool = True) -> None:
    async with db.transaction() as s:
        await decide_leave(s, actor=company.hr, request_id=request_id, approve=approve, today=TODAY, now=NOW,
                           comment=None if approve else "Busy week")  # fmt: skip


async def _feed(db: Database, owner: int, scope: FeedScope, **kwargs) -> str:
    async with db.transaction() as s:
        _, token = await create_feed(
            s, owner_id=owner, scope=scope, pepper=PEPPER, actor=Actor.cli(), now=NOW, **kwargs
        )
        return token


async def _ics(db: Database, token: str, *, now: datetime = NOW, locale: str = "en") -> bytes:
    async with db.transaction() as s:
        feed = await feed_for_token(s, token=token, pepper=PEPPER, now=now)
        assert feed is not None
        return await feed_calendar(s, feed=feed, t=translator(locale), now=now, company_timezone="Europe/Berlin",
                                   domain=DOMAIN)  # fmt: skip


async def _events(db: Database, token: str, *, now: datetime = NOW, locale: str = "en") -> dict[str, dict]:
    text = await _ics(db, token, now=now, locale=locale)
    calendar = Calendar.from_ical(text)
    events = {}
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS"):  # RFC 5545 and what apps need
            assert required in event, f"{required} missing in {event.to_ical()!r}"
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert str(event["UID"]) not in events, "UIDs are unique within a feed"
        events[str(event["UID"])] = {
            "summary": str(event["SUMMARY"]),
            "status": str(event["STATUS"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "sequence": int(event.get("SEQUENCE", 0)),
        }
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return events


async def test_a_person_feed_has_their_pending_and_approved_leave_with_types_and_their_holidays(db: Database):
    company = await _company(db)
    approved = await _leave(db, company, company.alice_id, date(2026, 12, 7), date(2026, 12, 8))
    await _decide(db, company, approved)
    pending = await _leave(db, company, company.alice_id, date(2026, 12, 14), date(2026, 12, 14))
    token = await _feed(db, company.alice_id, FeedScope.PERSON)

    events = await _events(db, token)

    leave = events[f"leave-{approved}@{DOMAIN}"]
    assert leave["summary"] == "Annual leave" and leave["status"] == "CONFIRMED"
    assert (leave["start"], leave["end"]) == (date(2026, 12, 7), date(2026, 12, 9))
    assert events[f"leave-{pending}@{DOMAIN}"]["status"] == "TENTATIVE"
    assert "waiting for approval" in events[f"leave-{pending}@{DOMAIN}"]["summary"]
    assert any(e["summary"] == "Holiday: Holiday" and e["start"] == date(2026, 12, 25) for e in events.values())


async def test_a_feed_names_the_leave_type_and_the_department_in_its_owners_language(db: Database):
    company = await _company(db)
    async with db.transaction() as s:
        (await s.get(LeaveType, company.annual_id)).name_translations = {"ru": "Ежегодный отпуск"}
        (await s.get(Department, company.department_id)).name_translations = {"ru": "Склад"}
    approved = await _leave(db, company, company.alice_id, date(2026, 12, 7), date(2026, 12, 8))
    await _decide(db, company, approved)
    own = await _feed(db, company.alice_id, FeedScope.PERSON)
    team = await _feed(db, company.hr_id, FeedScope.TEAM, department_id=company.department_id)

    uid = f"leave-{approved}@{DOMAIN}"
    assert (await _events(db, own, locale="ru"))[uid]["summary"] == "Ежегодный отпуск"
    assert (await _events(db, own, locale="en"))[uid]["summary"] == "Annual leave"
    assert "Ежегодный отпуск" in (await _events(db, team, locale="ru"))[uid]["summary"]
    assert str(Calendar.from_ical(await _ics(db, team, locale="ru"))["X-WR-CALNAME"]) == "Склад"
    assert str(Calendar.from_ical(await _ics(db, team, locale="en"))["X-WR-CALNAME"]) == "Ops"


async def test_uids_stay_the_same_and_a_cancellation_is_sent_as_cancelled_with_a_higher_sequence(db: Database):
    company = await _company(db)
    request_id = await _leave(db, company, company.bob_id, date(2026, 12, 9), date(2026, 12, 10))
    await _decide(db, company, request_id)
    token = await _feed(db, company.alice_id, FeedScope.TEAM)
    uid = f"leave-{request_id}@{DOMAIN}"

    first, again = await _events(db, token), await _events(db, token)
    assert set(first) == set(again), "regenerating the feed keeps every UID"
    async with db.transaction() as s:
        await cancel_leave(s, actor=company.hr, request_id=request_id, today=TODAY, now=NOW)
    after = await _events(db, token)

    assert first[uid]["status"] == "CONFIRMED"
    assert after[uid]["status"] == "CANCELLED" and after[uid]["sequence"] > first[uid]["sequence"]


async def test_teammates_see_away_not_the_type_and_never_pending_or_rejected_requests(db: Database):
    company = await _company(db)
    sick = await _leave(db, company, company.bob_id, date(2026, 12, 2), date(2026, 12, 2), company.sick_id)
    await _decide(db, company, sick)
    pending = await _leave(db, company, company.bob_id, date(2026, 12, 21), date(2026, 12, 21))
    rejected = await _leave(db, company, company.bob_id, date(2026, 12, 22), date(2026, 12, 22))
    await _decide(db, company, rejected, approve=False)

    teammate = await _events(db, await _feed(db, company.alice_id, FeedScope.TEAM))
    manager = await _events(db, await _feed(db, company.manager_id, FeedScope.TEAM))

    assert teammate[f"leave-{sick}@{DOMAIN}"]["summary"] == "Bob — away"
    assert manager[f"leave-{sick}@{DOMAIN}"]["summary"] == "Bob — Sick leave", "his manager may see the type"
    assert f"leave-{pending}@{DOMAIN}" not in teammate and f"leave-{rejected}@{DOMAIN}" not in teammate


async def test_a_revoked_link_or_one_of_someone_who_left_stops_working(db: Database):
    company = await _company(db)
    token = await _feed(db, company.bob_id, FeedScope.PERSON)
    async with db.transaction() as s:
        feed = await feed_for_token(s, token=token, pepper=PEPPER, now=NOW)
        assert feed is not None
        await revoke_feed(s, feed_id=feed.id, actor=company.bob, now=NOW)
        assert await feed_for_token(s, token=token, pepper=PEPPER, now=NOW) is None
    other = await _feed(db, company.alice_id, FeedScope.PERSON)
    async with db.transaction() as s:
        (await s.get(Employee, company.alice_id)).active = False
    async with db.transaction() as s:
        assert await feed_for_token(s, token=other, pepper=PEPPER, now=NOW) is None
        assert await feed_for_token(s, token="cal_not-a-real-token", pepper=PEPPER, now=NOW) is None
        assert await s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "calendar_feed"))


async def test_a_new_link_replaces_the_old_one_of_its_kind(db: Database):
    company = await _company(db)
    old = await _feed(db, company.alice_id, FeedScope.PERSON)
    new = await _feed(db, company.alice_id, FeedScope.PERSON)
    team = await _feed(db, company.alice_id, FeedScope.TEAM)
    async with db.transaction() as s:
        assert await feed_for_token(s, token=old, pepper=PEPPER, now=NOW) is None
        assert await feed_for_token(s, token=new, pepper=PEPPER, now=NOW) is not None
        assert await feed_for_token(s, token=team, pepper=PEPPER, now=NOW) is not None


async def test_who_may_make_which_feed(db: Database):
    company = await _company(db)
    async with db.transaction() as s:
        with pytest.raises(Forbidden):
            await create_feed(s, owner_id=company.alice_id, scope=FeedScope.COMPANY, pepper=PEPPER, actor=company.alice,
                              now=NOW)  # fmt: skip
        with pytest.raises(Forbidden):
            await create_feed(s, owner_id=company.bob_id, scope=FeedScope.PERSON, pepper=PEPPER, actor=company.alice,
                              now=NOW)  # fmt: skip
        with pytest.raises(Invalid):
            await create_feed(s, owner_id=company.alice_id, scope="everything", pepper=PEPPER, actor=company.alice,
                              now=NOW)  # fmt: skip
        with pytest.raises(Invalid):
            await create_feed(s, owner_id=company.alice_id, scope=FeedScope.TEAM, include_shifts=True, pepper=PEPPER,
                              actor=company.alice, now=NOW)  # fmt: skip
        feed, _ = await create_feed(s, owner_id=company.bob_id, scope=FeedScope.PERSON, pepper=PEPPER,
                                    actor=company.manager, now=NOW)  # fmt: skip
        assert feed.owner_id == company.bob_id, "a manager makes one for their report"
        await create_feed(s, owner_id=company.hr_id, scope=FeedScope.COMPANY, pepper=PEPPER,
                          actor=company.actor(company.hr_id, Role.HR), now=NOW)  # fmt: skip


async def test_a_person_feed_with_shifts_lists_working_days_but_not_leave_or_holidays(db: Database):
    company = await _company(db)
    approved = await _leave(db, company, company.alice_id, date(2026, 12, 3), date(2026, 12, 3))
    await _decide(db, company, approved)
    token = await _feed(db, company.alice_id, FeedScope.PERSON, include_shifts=True)
    events = await _events(db, token)
    shifts = {e["start"].date() for uid, e in events.items() if uid.startswith("shift-")}
    assert date(2026, 12, 2) in shifts and date(2026, 12, 3) not in shifts and date(2026, 12, 5) not in shifts
    assert date(2026, 12, 25) not in shifts
    one = events[f"shift-{company.alice_id}-20261202@{DOMAIN}"]
    assert one["summary"] == "Day" and one["start"].hour == 8, "09:00 in Berlin is 08:00 UTC"


async def test_two_links_made_at_once_leave_one_live_link(db: Database, db_url: str):
    company = await _company(db)
    engines = [Database.from_url(db_url) for _ in range(4)]

    async def make(engine: Database) -> str:
        async with engine.transaction() as s:
            _, token = await create_feed(s, owner_id=company.alice_id, scope=FeedScope.PERSON, pepper=PEPPER,
                                         actor=company.alice, now=NOW)  # fmt: skip
            return token

    try:
        results = await asyncio.gather(*(make(e) for e in engines), return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()
    assert all(isinstance(r, str) for r in results), results
    async with db.session() as s:
        live = await s.scalar(
            select(func.count())
            .select_from(CalendarFeed)
            .where(CalendarFeed.owner_id == company.alice_id, CalendarFeed.revoked_at.is_(None))
        )
    assert live == 1


async def test_a_team_link_stops_when_its_owner_moves_to_another_department_and_a_company_link_without_hr(
    db: Database,
):
    company = await _company(db)
    team = await _feed(db, company.alice_id, FeedScope.TEAM)
    whole = await _feed(db, company.hr_id, FeedScope.COMPANY)
    async with db.transaction() as s:
        other = Department(name="Sales")
        s.add(other)
        await s.flush()
        (await s.get(Employee, company.alice_id)).department_id = other.id
        (await s.get(Employee, company.hr_id)).role = Role.EMPLOYEE
    async with db.transaction() as s:
        assert await feed_for_token(s, token=team, pepper=PEPPER, now=NOW) is None
        assert await feed_for_token(s, token=whole, pepper=PEPPER, now=NOW) is None
