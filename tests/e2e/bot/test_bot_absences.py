"""/calendar (a picture, paged in place), /whosout with periods, /holidays, /feed, and a team group: linked by
its administrator, ignored otherwise, and given the morning post — the real bot through the emulator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from shared.domain.enums import LeaveStatus
from shared.domain.periods import add_months
from shared.model import Department, Employee, Holiday, LeaveRequest
from shared.services.absences.feeds import feed_for_token
from shared.services.absences.groups import post_mornings
from tests.e2e.bot.harness import (
    ALICE,
    BOB,
    HR,
    MANAGER,
    PEPPER,
    PUBLIC_BASE_URL,
    Harness,
    button_data,
    has,
    plant_button,
)

pytestmark = pytest.mark.e2e

GROUP = -1000777


async def _bob_away_today(h: Harness) -> None:
    async with h.db.transaction() as session:
        await session.execute(update(Employee).values(work_week="1234567"))
        session.add(LeaveRequest(employee_id=h.company.bob_id, leave_type_id=h.company.annual_id, start_date=h.today,
                                 end_date=h.today, working_days=Decimal(1), status=LeaveStatus.APPROVED))  # fmt: skip


def _photo(message: dict) -> bool:
    return bool(message.get("photo"))


async def test_the_calendar_is_a_picture_of_the_month_that_pages_in_place(h: Harness) -> None:
    await _bob_away_today(h)
    first = await h.send(ALICE, "/calendar", _photo)
    assert "Bob" in first["caption"] and f"{h.today.day}" in first["caption"]
    data = await h.control.download(first["photo"]["file_id"])
    assert data.startswith(b"\x89PNG")

    following = add_months(h.today.year, h.today.month, 1)
    await h.press(ALICE, data=f"tc:{following[0]:04d}{following[1]:02d}", message_id=first["message_id"])
    paged = await h.control.message(ALICE, first["message_id"])
    assert paged["photo"]["file_id"] != first["photo"]["file_id"], h.deployment.processes[0].tail(40)
    assert "Bob" not in paged["caption"]


async def test_the_calendar_names_the_department_in_the_readers_language(h: Harness) -> None:
    async with h.db.transaction() as session:
        await session.execute(update(Department).values(name_translations={"ru": "Склад"}))
    russian = await h.send(ALICE, "/calendar", _photo)  # Alice reads Russian
    english = await h.send(BOB, "/calendar", _photo)
    assert russian["caption"].startswith("🗓 Склад — ") and "Склад" not in english["caption"]


async def test_a_bad_month_is_explained(h: Harness) -> None:
    reply = await h.send(BOB, "/calendar December", has("2026-12"))
    assert "did not understand the month December" in reply["text"]


async def test_whos_out_takes_a_period_and_explains_a_bad_one(h: Harness) -> None:
    await _bob_away_today(h)
    today = await h.send(BOB, "/whosout today", has("Who is out today"))
    assert "Bob — Annual leave" in today["text"]
    later = await h.send(BOB, "/whosout next week", has("Who is out next week"))
    assert "Nobody is on leave then" in later["text"]
    await h.press(BOB, data="wo:tm", message_id=later["message_id"])
    edited = await h.control.message(BOB, later["message_id"])
    assert "Who is out this month" in edited["text"] and "Bob" in edited["text"]
    bad = await h.send(BOB, "/whosout 2026-12-31..2026-12-01", has("before it starts"))
    assert "earlier date first" in bad["text"]
    await h.send(ALICE, "/whosout следующая неделя", has("Кто отсутствует на следующей неделе"))  # her own words


async def test_holidays_lists_the_coming_holidays_of_my_calendar(h: Harness) -> None:
    async with h.db.transaction() as session:
        session.add(Holiday(calendar_id=h.company.calendar_id, date=h.today + timedelta(days=3), name="Founders Day"))
        session.add(Holiday(calendar_id=h.company.calendar_id, date=h.today - timedelta(days=3), name="Gone Day"))
    reply = await h.send(BOB, "/holidays", has("Coming public holidays"))
    assert "Founders Day" in reply["text"] and "Gone Day" not in reply["text"]


async def test_feed_gives_a_secret_link_once_and_revoking_stops_it(h: Harness) -> None:
    menu = await h.send(BOB, "/feed", has("calendar app"))
    after = await h.last_id(BOB)
    await h.press(BOB, data="fd:p", message_id=menu["message_id"])
    link = await h.wait_for(BOB, has(PUBLIC_BASE_URL), after=after)
    token = re.search(r"/ical/(cal_[A-Za-z0-9_-]+)\.ics", link["text"]).group(1)  # type: ignore[union-attr]
    async with h.db.transaction() as session:
        feed = await feed_for_token(session, token=token, pepper=PEPPER, now=datetime.now(UTC))
        assert feed is not None and not feed.include_shifts
    after = await h.last_id(BOB)
    await h.press(BOB, data="fd:s", message_id=menu["message_id"])
    with_shifts = await h.wait_for(BOB, has(PUBLIC_BASE_URL), after=after)
    token = re.search(r"/ical/(cal_[A-Za-z0-9_-]+)\.ics", with_shifts["text"]).group(1)  # type: ignore[union-attr]
    async with h.db.transaction() as session:
        feed = await feed_for_token(session, token=token, pepper=PEPPER, now=datetime.now(UTC))
        assert feed is not None and feed.include_shifts, "it replaced the personal link without shifts"
    after = await h.last_id(BOB)
    await h.press(BOB, data="fd:x", message_id=menu["message_id"])
    await h.wait_for(BOB, has("Links revoked: 1"), after=after)
    async with h.db.transaction() as session:
        assert await feed_for_token(session, token=token, pepper=PEPPER, now=datetime.now(UTC)) is None


async def test_a_group_admin_who_manages_the_department_links_the_group_and_it_gets_the_morning_post(
    h: Harness,
) -> None:
    await _bob_away_today(h)
    await h.control.ensure_group(GROUP, "Ops team", {MANAGER: "administrator", BOB: "member", ALICE: "member"})
    await h.wait_for(GROUP, has("/linkgroup DEPARTMENT"))  # the bot says hello and how to link it

    sent = await h.control.send_text(GROUP, "/linkgroup Ops", from_user=BOB)
    refused = await h.wait_for(GROUP, has("administrator"), after=sent["message"]["message_id"])
    assert "Only an administrator" in refused["text"]
    chatter = await h.control.send_text(GROUP, "good morning all", from_user=ALICE)
    sent = await h.control.send_text(GROUP, "/linkgroup Ops", from_user=MANAGER)
    linked = await h.wait_for(GROUP, has("Linked to Ops"), after=sent["message"]["message_id"])
    texts = [m["text"] for m in (await h.control.transcript(GROUP))["messages"] if m["from_bot"]]
    assert len(texts) == 3 and linked["message_id"] > chatter["message"]["message_id"], "chatter gets no answer"

    async with h.db.transaction() as session:
        assert await post_mornings(session, today=h.today, default_locale="en") == (1, 0)
    post = await h.wait_for(GROUP, has("who is away"), after=linked["message_id"])
    assert "Bob" in post["text"] and "Annual leave" not in post["text"]


async def test_hr_pages_by_department_and_a_forged_department_press_is_refused(h: Harness) -> None:
    async with h.db.transaction() as session:
        sales = Department(name="Sales")
        session.add(sales)
        await session.flush()
        session.add(Employee(code="S1", full_name="Sam Sales", department_id=sales.id, work_week="12345"))
        sales_id = sales.id
    month = f"{h.today.year:04d}{h.today.month:02d}"
    first = await h.send(HR, "/calendar", _photo)
    assert f"tc:{month}:{sales_id}" in button_data(first)
    await h.press(HR, data=f"tc:{month}:{sales_id}", message_id=first["message_id"])
    paged = await h.control.message(HR, first["message_id"])
    assert paged["caption"].startswith("🗓 Sales")

    mine = await h.send(BOB, "/calendar", _photo)
    assert not [d for d in button_data(mine) if d.count(":") == 2], "no department buttons for an employee"
    planted = await plant_button(h, BOB, f"tc:{month}:{sales_id}")  # a modified client's button
    answered = await h.press(BOB, data=f"tc:{month}:{sales_id}", message_id=planted)
    assert answered["answer"]["text"] == "Only HR can see the calendar of another department."
