"""/settings: how I am notified, chosen with buttons, stored on the employee and audited."""

from __future__ import annotations

from sqlalchemy import select

from shared.domain.enums import ChannelChoice
from shared.model import AuditLog, Employee
from tests.e2e.bot.harness import BOB, HR, Harness, has, plant_button


async def test_settings_shows_the_choice_and_a_press_stores_it(h: Harness) -> None:
    shown = await h.send(BOB, "/settings", has("How I notify you"))
    assert "Automatic" in shown["text"] and "Notifications go to: Telegram" in shown["text"]
    labels = [b["text"] for row in shown["buttons"] for b in row]
    assert labels == ["✓ Automatic", "Telegram", "E-mail", "Both"]

    answered = await h.press(BOB, data="ch:both", message_id=shown["message_id"])
    assert answered["answer"]["text"] == "Saved."
    async with h.db.session() as session:
        assert (await session.get(Employee, h.company.bob_id)).notify_channels is ChannelChoice.BOTH
        row = await session.scalar(select(AuditLog).where(AuditLog.action == "set_channels"))
    assert row.old == {"notify_channels": "auto"} and row.new == {"notify_channels": "both"}
    edited = await h.wait_for_latest(BOB, has("How I notify you: Both"))
    assert [b["text"] for row in edited["buttons"] for b in row][3] == "✓ Both"
    # this deployment has no SMTP server: the bot says so instead of pretending to mail
    assert "E-mail is not used: e-mail is not set up on this server" in edited["text"]


async def test_a_forged_channel_button_is_refused(h: Harness) -> None:
    planted = await plant_button(h, BOB, "ch:pigeon")
    answered = await h.press(BOB, data="ch:pigeon", message_id=planted)
    assert answered["answer"]["text"] == "This button is not valid."
    async with h.db.session() as session:
        assert (await session.get(Employee, h.company.bob_id)).notify_channels is ChannelChoice.AUTO


async def test_report_by_email_says_plainly_when_this_server_has_no_smtp(h: Harness) -> None:
    answer = await h.send(HR, "/report 2026-11 email", has("E-mail is not set up on this server"))
    assert "SMTP_URL" in answer["text"]
