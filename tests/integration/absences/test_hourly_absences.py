"""Hourly leave is away for its hours, not for the day, on every surface that lists a day's absences: the bot's
/whosout lines, the /calendar grid (and its text), the group chats' morning post and approval post, and the
iCalendar feeds (a timed event; the shift of that day stays)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from icalendar import Calendar
from sqlalchemy import select

from chronos_bot.handlers.absences import as_text
from chronos_bot.handlers.team import _out_line
from shared.domain.absences import CellKind
from shared.domain.enums import FeedScope, LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.i18n import translator
from shared.model import GroupChat, LeaveRequest, LeaveType, OutboxMessage
from shared.persistence import Database
from shared.services.absences.calendar import month_calendar
from shared.services.absences.feeds import create_feed, feed_calendar, feed_for_token
from shared.services.absences.groups import morning_text, post_approvals
from shared.services.actor import Actor
from shared.services.notify.team import whos_out
from tests.factories import Company, make_company

DAY = date(2026, 12, 3)  # a Thursday
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"
# 10:00–12:00 in Berlin (UTC+1 in December)
STARTS, ENDS = datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
RANGE = "10:00\u202fAM\u201312:00\u202fPM"  # babel's short English time: a narrow no-break space before AM/PM


async def _doctor(db: Database, company: Company, *, status: LeaveStatus = LeaveStatus.APPROVED) -> int:
    """Bob's approved doctor's appointment on DAY, 10:00–12:00 local time (an hourly type)."""
    async with db.transaction() as s:
        kind = LeaveType(code="DOC", name="Doctor", unit=LeaveUnit.HOURS, yearly_allowance=Decimal(16))
        s.add(kind)
        await s.flush()
        request = LeaveRequest(
            employee_id=company.bob_id, leave_type_id=kind.id, start_date=DAY, end_date=DAY, working_days=Decimal(2),
            status=status, start_at=STARTS, end_at=ENDS, minutes=120, approver_id=company.manager_id,
            decided_by_id=company.manager_id if status is LeaveStatus.APPROVED else None,
            decided_at=NOW + timedelta(minutes=1) if status is LeaveStatus.APPROVED else None,
        )  # fmt: skip
        s.add(request)
        await s.flush()
        return request.id


async def test_whos_out_gives_the_hours_of_hourly_leave_not_the_whole_day(db: Database):
    company = await make_company(db)
    await _doctor(db, company)
    async with db.session() as s:
        lines = await whos_out(s, start=DAY, end=DAY, viewer_id=company.hr_id, viewer_is_hr=True)
    assert [(line.name, line.hours) for line in lines] == [("Bob", (STARTS, ENDS))]
    text = _out_line(translator("en"), lines[0], BERLIN)
    assert "Doctor" in text and RANGE in text, text
    assert "12:00–14:00" in _out_line(translator("ru"), lines[0], "Europe/Moscow"), "in the reader's zone and style"


async def test_the_calendar_marks_a_partial_day_and_its_text_gives_the_hours(db: Database):
    company = await make_company(db)
    await _doctor(db, company)
    async with db.session() as s:
        grid, _ = await month_calendar(s, viewer_id=company.alice_id, year=2026, month=12, today=DAY)
    bob = next(r for r in grid.rows if r.name == "Bob")
    cell = bob.cells[DAY.day - 1]
    assert cell.kind is CellKind.AWAY and cell.partial and cell.hours == ((STARTS, ENDS),) and cell.half is None
    assert f"Bob: 3 {RANGE}" in as_text(translator("en"), grid, tz=BERLIN)


async def test_the_group_posts_say_for_which_hours_someone_is_away(db: Database):
    company = await make_company(db)
    await _doctor(db, company)
    async with db.transaction() as s:
        group = GroupChat(chat_id=-100600, title="Ops", department_id=company.department_id,
                          linked_by_id=company.hr_id, linked_at=NOW, approvals_seen_at=NOW)  # fmt: skip
        s.add(group)
        await s.flush()
        post = await morning_text(s, group=group, today=DAY, t=translator("en"), company_timezone=BERLIN)
        assert post is not None and f"Bob — Dec 3, 2026, {RANGE}" in post, post
        assert await post_approvals(s, now=NOW + timedelta(minutes=5), default_locale="en", company_timezone=BERLIN)
    async with db.session() as s:
        told = await s.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == -100600))
    assert told is not None and RANGE in told.payload["text"], told.payload


async def test_a_feed_shows_hourly_leave_as_a_timed_event_and_keeps_the_shift(db: Database):
    company = await make_company(db)
    request_id = await _doctor(db, company)
    async with db.transaction() as s:
        _, token = await create_feed(s, owner_id=company.bob_id, scope=FeedScope.PERSON, pepper="p",
                                     actor=Actor.cli(), now=NOW, include_shifts=True)  # fmt: skip
    async with db.transaction() as s:
        feed = await feed_for_token(s, token=token, pepper="p", now=NOW)
        assert feed is not None
        text = await feed_calendar(s, feed=feed, t=translator("en"), now=NOW, company_timezone=BERLIN,
                                   domain="x.example")  # fmt: skip
    events = {str(e["UID"]): e for e in Calendar.from_ical(text).walk("VEVENT")}
    leave = events[f"leave-{request_id}@x.example"]
    assert leave.decoded("DTSTART") == STARTS and leave.decoded("DTEND") == ENDS
    assert f"shift-{company.bob_id}-{DAY:%Y%m%d}@x.example" in events, "two hours off leave the shift in place"
