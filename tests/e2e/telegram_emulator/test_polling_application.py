"""A real PTB Application in polling mode: commands, button presses, locations and documents."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from sandbox.telegram import EmulatorClient

from .conftest import USER_ID, AnyApplication, polling

pytestmark = pytest.mark.e2e

REPORT = b"employee,days\nada,3\n" * 50


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start CODE links the account and offers a leave decision."""
    assert update.message is not None
    code = context.args[0] if context.args else "none"
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Approve", callback_data="leave:7:approve"),
          InlineKeyboardButton("Reject", callback_data="leave:7:reject")]]
    )  # fmt: skip
    await update.message.reply_text(f"Linked with invite <code>{code}</code>", parse_mode="HTML")
    await context.bot.send_message(update.message.chat_id, "Leave #7: 3 days", reply_markup=keyboard)


async def decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A decision button answers the query and rewrites the request message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    decision = query.data.rsplit(":", 1)[1]
    await query.answer(f"Leave #7 {decision}d", show_alert=decision == "reject")
    await query.edit_message_text(f"Leave #7: {decision}d by {query.from_user.first_name}")


async def ask_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checkin asks for the location with a reply keyboard button."""
    assert update.message is not None
    button = KeyboardButton("📍 Share location", request_location=True)
    await update.message.reply_text(
        "Where are you?", reply_markup=ReplyKeyboardMarkup([[button]], one_time_keyboard=True)
    )


async def check_in(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location checks the employee in."""
    assert update.message is not None and update.message.location is not None
    location = update.message.location
    text = f"Checked in at {location.latitude:.4f},{location.longitude:.4f}"
    await update.message.reply_text(text, reply_markup=ReplyKeyboardRemove())


async def receive_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document is downloaded through getFile and acknowledged with its digest."""
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    data = bytes(await (await document.get_file()).download_as_bytearray())
    digest = hashlib.sha256(data).hexdigest()[:12]
    await update.message.reply_text(f"{document.file_name} ({document.mime_type}): {len(data)} bytes {digest}")


def register(app: AnyApplication) -> AnyApplication:
    """Handlers in the order Chronos registers them: commands, callbacks, then messages."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("checkin", ask_location))
    app.add_handler(CallbackQueryHandler(decide, pattern=r"^leave:"))
    app.add_handler(MessageHandler(filters.LOCATION, check_in))
    app.add_handler(MessageHandler(filters.Document.ALL, receive_document))
    return app


async def test_start_command_with_deep_link_code_reaches_the_command_handler(
    make_application: Callable[..., AnyApplication], control: EmulatorClient, user: dict[str, Any]
) -> None:
    async with polling(register(make_application())):
        sent = await control.send_text(USER_ID, "/start INV-42")
        reply = await control.wait_for_bot_message(USER_ID, after=sent["message"]["message_id"])

    assert sent["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply["text"] == "Linked with invite INV-42"
    assert reply["entities"] == [{"type": "code", "offset": 19, "length": 6}]


async def test_button_press_is_answered_and_the_message_edited(
    make_application: Callable[..., AnyApplication], control: EmulatorClient, user: dict[str, Any]
) -> None:
    async with polling(register(make_application())):
        await control.send_text(USER_ID, "/start INV-42")
        linked = await control.wait_for_bot_message(USER_ID)
        request = await control.wait_for_bot_message(USER_ID, after=linked["message_id"])
        version = (await control.chat(USER_ID))["version"]

        pressed = await control.press_button(USER_ID, text="Reject", message_id=request["message_id"])
        answered = await control.wait_callback_answer(pressed["callback_query_id"], timeout=5)
        while (line := await control.message(USER_ID, request["message_id"]))["edited"] is False:
            version = await control.wait_for_change(USER_ID, since=version, timeout=5)

    assert pressed["data"] == "leave:7:reject"
    assert answered["answer"] == {"text": "Leave #7 rejectd", "show_alert": True, "url": None, "cache_time": 0}
    assert line["text"] == "Leave #7: rejectd by Ada"
    assert line["buttons"] is None and line["history"][0]["text"] == "Leave #7: 3 days"
    transcript = await control.transcript(USER_ID)
    assert transcript["callback_queries"][0]["answered"] is True


async def test_location_shared_from_a_request_location_button_checks_in(
    make_application: Callable[..., AnyApplication], control: EmulatorClient, user: dict[str, Any]
) -> None:
    async with polling(register(make_application())):
        await control.send_text(USER_ID, "/checkin")
        ask = await control.wait_for_bot_message(USER_ID)
        assert ask["keyboard"] == [[{"text": "📍 Share location", "request_location": True}]]

        await control.share_location(USER_ID, 41.311081, 69.240562, horizontal_accuracy=12.5)
        reply = await control.wait_for_bot_message(USER_ID)

    assert reply["text"] == "Checked in at 41.3111,69.2406"
    assert (await control.chat(USER_ID))["reply_keyboard"] is None


async def test_document_from_a_user_is_downloaded_by_the_bot(
    make_application: Callable[..., AnyApplication], control: EmulatorClient, user: dict[str, Any]
) -> None:
    async with polling(register(make_application())):
        sent = await control.send_document(USER_ID, REPORT, "timesheet.csv", caption="March")
        reply = await control.wait_for_bot_message(USER_ID)

    digest = hashlib.sha256(REPORT).hexdigest()[:12]
    assert reply["text"] == f"timesheet.csv (text/csv): {len(REPORT)} bytes {digest}"
    document = sent["message"]["document"]
    assert sent["message"]["caption"] == "March"
    assert await control.download(document["download_url"]) == REPORT


async def test_updates_are_processed_in_the_order_users_sent_them(
    make_application: Callable[..., AnyApplication], control: EmulatorClient, user: dict[str, Any]
) -> None:
    app = make_application()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(f"echo {update.message.text}")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with polling(app):
        for number in range(20):
            await control.send_text(USER_ID, f"message {number}")
        transcript = await control.transcript(USER_ID)
        while len(echoes := [m["text"] for m in transcript["messages"] if m["from_bot"]]) < 20:
            await control.wait_for_change(USER_ID, since=transcript["version"], timeout=5)
            transcript = await control.transcript(USER_ID)

    assert echoes == [f"echo message {number}" for number in range(20)]
    assert (await control.pending_updates())["pending"] == []
