"""/team, /whosout, /help by role, /language, HR's /invite, /digest, /report, and the error handler."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis
from sqlalchemy import select, update

from shared.domain.enums import Direction, LeaveStatus, PunchSource, Role
from shared.model import AuditLog, ComplianceViolation, Employee, LeaveRequest, OutboxMessage, Punch
from tests.e2e.bot.conftest import settle
from tests.e2e.bot.harness import BOB, COMPANY_TZ, HR, MANAGER, Harness, has

pytestmark = pytest.mark.e2e

NEWBIE = 9100


async def _a_day_at_work(h: Harness) -> None:
    """Everyone works every day (so the test does not depend on the weekday); Alice on time, Bob 30 min
    late, Carl on leave, HR not in yet."""
    tz = ZoneInfo(COMPANY_TZ)
    today = h.today

    def at(hour: int, minute: int) -> datetime:
        return datetime.combine(today, time(hour, minute), tz)

    async with h.db.transaction() as session:
        await session.execute(update(Employee).values(work_week="1234567"))
        carl = Employee(code="C1", full_name="Carl", role=Role.EMPLOYEE, department_id=h.company.department_id,
                        manager_id=h.company.manager_id, shift_id=h.company.day_shift_id, timezone=COMPANY_TZ,
                        work_week="1234567", hire_date=date(2020, 1, 1))  # fmt: skip
        session.add(carl)
        await session.flush()
        session.add_all([
            Punch(employee_id=h.company.alice_id, source=PunchSource.TELEGRAM, instant=at(9, 0), direction=Direction.IN),
            Punch(employee_id=h.company.bob_id, source=PunchSource.TELEGRAM, instant=at(9, 30), direction=Direction.IN),
            LeaveRequest(employee_id=carl.id, leave_type_id=h.company.annual_id, start_date=today, end_date=today,
                         working_days=Decimal(1), status=LeaveStatus.APPROVED),
        ])  # fmt: skip


async def test_team_shows_who_is_in_late_not_yet_in_and_on_leave(h: Harness) -> None:
    await _a_day_at_work(h)

    reply = await h.send(MANAGER, "/team", has("Your team on"))
    sections = reply["text"].split("\n\n")

    assert any(s.startswith("✅ In (1)") and "Alice — 9:00" in s for s in sections)
    assert any(s.startswith("⏰ Late (1)") and "Bob — 9:30" in s and "30 minutes" in s for s in sections)
    assert any(s.startswith("❔ Not yet in (1)") and "Hana HR" in s for s in sections)
    assert any(s.startswith("🌴 On leave (1)") and "Carl — Annual leave" in s for s in sections)


async def test_team_is_for_managers_only(h: Harness) -> None:
    reply = await h.send(BOB, "/team", has("managers and HR"))
    assert "Your team" not in reply["text"]


async def test_whos_out_lists_approved_leave_this_week_and_teammates_see_only_away(h: Harness) -> None:
    await _a_day_at_work(h)
    teammate = await h.send(BOB, "🗓 Who's out", has("Who is out this week"))
    assert "Carl — away" in teammate["text"] and "Annual leave" not in teammate["text"]
    manager = await h.send(MANAGER, "/whosout", has("Who is out this week"))
    assert "Carl — Annual leave" in manager["text"], "Carl's manager approves his leave: he sees the type"


async def test_help_and_menu_depend_on_the_role(h: Harness) -> None:
    employee = await h.send(BOB, "/help", has("Here is what I can do"))
    manager = await h.send(MANAGER, "/help", has("Here is what I can do"))
    hr = await h.send(HR, "/help", has("Here is what I can do"))

    assert "/leave" in employee["text"] and "/pending" not in employee["text"]
    assert "/pending" in manager["text"] and "/team" in manager["text"] and "/invite" not in manager["text"]
    assert "/invite" in hr["text"] and "/report" in hr["text"]
    manager_labels = [b["text"] for row in manager["keyboard"] for b in row]
    hr_labels = [b["text"] for row in hr["keyboard"] for b in row]
    assert "📥 Pending approvals" in manager_labels and "📋 Digest" not in manager_labels
    assert {"📥 Pending approvals", "📋 Digest", "📊 Timesheet"} <= set(hr_labels)


async def test_language_is_stored_on_the_employee_and_audited(h: Harness) -> None:
    choose = await h.send(BOB, "/language", has("Choose your language"))
    answered = await h.press(BOB, data="lang:ar", message_id=choose["message_id"])

    assert answered["answer"]["text"] == "العربية"
    async with h.db.session() as session:
        assert (await session.get(Employee, h.company.bob_id)).locale == "ar"
        row = await session.scalar(select(AuditLog).where(AuditLog.action == "set_locale"))
    assert row.old == {"locale": "en"} and row.new == {"locale": "ar"}


async def test_invite_gives_hr_a_code_and_a_deep_link_that_works(h: Harness) -> None:
    async with h.db.transaction() as session:
        session.add(Employee(code="N1", full_name="Nina Newbie", department_id=h.company.department_id))

    reply = await h.send(HR, "/invite N1", has("Invitation for Nina Newbie"))
    link = next(line for line in reply["text"].splitlines() if line.startswith("Link: "))
    assert link.startswith("Link: https://t.me/chronos_hr_bot?start=")
    await h.control.ensure_user(NEWBIE, "Nina", language_code="en")
    await h.send(NEWBIE, "/start " + link.rsplit("=", 1)[1], has("Welcome, Nina Newbie"))

    refused = await h.send(BOB, "/invite N1", has("This is for HR"))
    assert "Invitation" not in refused["text"]


async def test_inviting_a_linked_employee_needs_a_confirmed_relink_and_the_old_chat_is_told(h: Harness) -> None:
    ask = await h.send(HR, "/invite B1", has("already linked to a Telegram account"))
    assert "Code:" not in ask["text"]
    [[button]] = ask["buttons"]
    confirmed = await h.press_then(HR, has("Invitation for Bob"), data=button["callback_data"])
    assert "Re-link" in confirmed["text"]
    code = next(line for line in confirmed["text"].splitlines() if line.startswith("Code: ")).split(": ", 1)[1]
    await h.control.ensure_user(NEWBIE, "Bob", language_code="en")
    await h.send(NEWBIE, "/start " + code, has("Welcome, Bob"))
    await h.wait_for(BOB, has("moved to another Telegram account"))
    async with h.db.session() as session:
        assert (await session.get(Employee, h.company.bob_id)).telegram_user_id == NEWBIE
        assert await session.scalar(select(AuditLog).where(AuditLog.action == "relink_telegram")) is not None


async def test_digest_and_report_come_as_text_and_xlsx_documents(h: Harness) -> None:
    await h.send(HR, "/digest 2026-11-16", has("2026"))
    digest = await h.wait_for(HR, lambda m: m.get("document") is not None)
    assert digest["document"]["file_name"] == "chronos-digest-2026-11-16.xlsx"

    report_after = await h.last_id(HR)
    await h.control.send_text(HR, "/report 2026-11")
    report = await h.wait_for(HR, lambda m: m.get("document") is not None, after=report_after)
    assert report["document"]["file_name"].endswith(".xlsx") and "November 2026" in report["caption"]
    content = await h.control.download(report["document"]["download_url"])
    assert content[:2] == b"PK"

    wrong = await h.send(HR, "/report November", has("YYYY-MM"))
    assert wrong


async def test_a_reply_telegram_refuses_with_a_500_comes_through_the_outbox(h: Harness) -> None:
    await h.control.inject("sendMessage", status=500, count=1)

    sent = await h.control.send_text(BOB, "/balance")
    balance = await h.wait_for(BOB, has("Your leave balance"), after=sent["message"]["message_id"])

    assert "Sorry" not in " ".join(await h.bot_texts(BOB))
    await settle(h.db)  # in the chat already; its row is marked sent a moment later
    async with h.db.session() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == BOB))
    assert (
        row is not None and row.ref == f"tg:{sent['update_id']}:0" and row.telegram_message_id == balance["message_id"]
    )


async def test_an_unexpected_failure_is_logged_with_the_update_id_and_the_user_gets_an_apology(h: Harness) -> None:
    redis = Redis.from_url(h.deployment.redis_url)
    try:
        await redis.set(f"{h.deployment.prefix}:session:{BOB}", "{not json")  # a bug's leftovers
        sent = await h.control.send_text(BOB, "/balance")
        apology = await h.wait_for(BOB, has("Sorry, something went wrong"), after=sent["message"]["message_id"])
    finally:
        await redis.delete(f"{h.deployment.prefix}:session:{BOB}")
        await redis.aclose()

    assert apology
    bot = h.deployment.processes[0]
    bot.wait_for_log(f"update {sent['update_id']} failed", timeout=5)


async def test_team_lists_the_open_working_time_violations_of_the_week(h: Harness) -> None:
    async with h.db.transaction() as session:
        for who, acknowledged in (
            (h.company.bob_id, None),
            (h.company.alice_id, datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))),
        ):
            session.add(ComplianceViolation(
                employee_id=who, rule="daily_rest", period_start=h.today - timedelta(days=1),
                period_end=h.today - timedelta(days=1), limit_value=660, actual=580, excess=80, unit="minutes",
                acknowledged_at=acknowledged,
            ))  # fmt: skip

    reply = await h.send(MANAGER, "/team", has("Your team on"))
    section = next(s for s in reply["text"].split("\n\n") if s.startswith("⚠️ Working-time violations"))

    assert section.startswith("⚠️ Working-time violations this week (1)")
    assert "Bob — daily rest too short (1 h 20 min of rest missing)" in section and "Alice" not in section
