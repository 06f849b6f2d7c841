"""A real PTB Bot sends, edits and deletes messages; the transcript shows what a user would see."""

from __future__ import annotations

import re
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)
from telegram.error import BadRequest, Forbidden, InvalidToken

from sandbox.telegram import EmulatorClient, EmulatorThread

from .conftest import OTHER_USER_ID, USER_ID

pytestmark = pytest.mark.e2e


def approve_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("Approve", callback_data="leave:7:approve"),
          InlineKeyboardButton("Reject", callback_data="leave:7:reject")],
         [InlineKeyboardButton("Policy", url="https://example.com/policy")]]
    )  # fmt: skip


async def test_get_me_returns_the_registered_bot(bot: Bot, emulator: EmulatorThread) -> None:
    me = await bot.get_me()

    assert me.is_bot
    assert me.id == int(emulator.token.split(":")[0])
    assert me.username == "chronos_hr_bot"


async def test_unknown_and_malformed_tokens_are_invalid_tokens(emulator: EmulatorThread) -> None:
    for token in ("123456:not-registered", "garbage"):
        stranger = Bot(token, base_url=emulator.base_url, base_file_url=emulator.base_file_url)
        with pytest.raises(InvalidToken):
            await stranger.get_me()
        await stranger.shutdown()


async def test_message_with_inline_keyboard_is_read_back_from_the_transcript(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    sent = await bot.send_message(
        USER_ID, "<b>Leave request</b> from Ada: 3 days", parse_mode="HTML", reply_markup=approve_keyboard()
    )

    assert sent.text == "Leave request from Ada: 3 days"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == len("Leave request")
    assert sent.reply_markup == approve_keyboard()
    [line] = (await control.transcript(USER_ID))["messages"]
    assert line["direction"] == "bot_to_user"
    assert line["message_id"] == sent.message_id
    assert line["raw_text"] == "<b>Leave request</b> from Ada: 3 days"
    assert line["parse_mode"] == "HTML"
    assert line["buttons"] == [
        [
            {"text": "Approve", "callback_data": "leave:7:approve"},
            {"text": "Reject", "callback_data": "leave:7:reject"},
        ],
        [{"text": "Policy", "url": "https://example.com/policy"}],
    ]


async def test_edits_keep_history_and_identical_edits_are_not_modified(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    sent = await bot.send_message(USER_ID, "Pending", reply_markup=approve_keyboard())

    edited = await bot.edit_message_text("Approved ✅", chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Approved ✅", chat_id=USER_ID, message_id=sent.message_id)

    assert edited.edit_date is not None and edited.reply_markup is None
    line = await control.message(USER_ID, sent.message_id)
    assert line["edited"] is True
    assert line["text"] == "Approved ✅" and line["buttons"] is None
    assert [old["text"] for old in line["history"]] == ["Pending"]


async def test_reply_markup_only_edit_and_delete_are_visible(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    sent = await bot.send_message(USER_ID, "Choose", reply_markup=approve_keyboard())

    await bot.edit_message_reply_markup(USER_ID, sent.message_id, reply_markup=None)
    assert await bot.delete_message(USER_ID, sent.message_id) is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("late", chat_id=USER_ID, message_id=sent.message_id)

    line = await control.message(USER_ID, sent.message_id)
    assert line["deleted"] is True and line["edited"] is True and line["buttons"] is None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "   "}, "message text is empty"),
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "a < b", "parse_mode": "HTML"}, "can't parse entities: Unsupported start tag"),
        ({"text": "Total: 3.5 days", "parse_mode": "MarkdownV2"}, "Character '.' is reserved"),
        (
            {"text": "hi", "reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])},
            "BUTTON_DATA_INVALID",
        ),
        ({"text": "hi", "reply_to_message_id": 999}, "message to be replied not found"),
    ],
)
async def test_invalid_messages_are_rejected_like_telegram(
    bot: Bot, user: dict[str, Any], kwargs: dict[str, Any], error: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){re.escape(error)}"):
        await bot.send_message(USER_ID, **kwargs)


async def test_text_of_exactly_4096_characters_with_utf16_offsets_is_accepted(bot: Bot, user: dict[str, Any]) -> None:
    sent = await bot.send_message(USER_ID, "😀 <i>" + "x" * 4093 + "</i>", parse_mode="HTML")

    assert sent.entities[0].offset == 3  # the emoji is two UTF-16 code units
    assert sent.parse_entity(sent.entities[0]) == "x" * 4093


async def test_unknown_chats_blocked_users_and_unstarted_users_are_refused(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    await control.ensure_user(OTHER_USER_ID, "Bob", started=False)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999_999, "hello")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(OTHER_USER_ID, "hello")

    await control.block_bot(USER_ID)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER_ID, "hello")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"


async def test_reply_keyboard_with_location_button_and_its_removal_are_tracked(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 Check in", request_location=True)], ["Cancel"]], resize_keyboard=True
    )
    ask = await bot.send_message(USER_ID, "Share your location to check in", reply_markup=keyboard)
    assert ask.reply_markup is None  # Telegram only echoes inline keyboards

    chat = await control.chat(USER_ID)
    assert chat["reply_keyboard"]["keyboard"] == [
        [{"text": "📍 Check in", "request_location": True}],
        [{"text": "Cancel"}],
    ]
    await bot.send_message(USER_ID, "Done", reply_markup=ReplyKeyboardRemove())

    assert (await control.chat(USER_ID))["reply_keyboard"] is None
    lines = (await control.transcript(USER_ID))["messages"]
    assert lines[0]["keyboard"][0][0]["request_location"] is True
    assert lines[1]["remove_keyboard"] is True


async def test_force_reply_answer_arrives_as_a_reply_to_the_question(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    question = await bot.send_message(USER_ID, "Why do you reject?", reply_markup=ForceReply(selective=True))

    await control.send_text(USER_ID, "Team is short-staffed", reply_to=question.message_id)

    [update] = await bot.get_updates()
    assert update.message.reply_to_message.message_id == question.message_id
    assert update.message.reply_to_message.text == "Why do you reject?"
    lines = (await control.transcript(USER_ID))["messages"]
    assert lines[0]["force_reply"] is True and lines[1]["reply_to_message_id"] == question.message_id


async def test_commands_are_stored_per_language_and_scope(bot: Bot, control: EmulatorClient) -> None:
    await bot.set_my_commands([BotCommand("start", "Link your account"), BotCommand("leave", "Request leave")])
    await bot.set_my_commands([BotCommand("leave", "Запросить отпуск")], language_code="ru")
    await bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats())

    assert [c.command for c in await bot.get_my_commands()] == ["start", "leave"]
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Запросить отпуск"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())] == ["help"]
    assert await bot.get_my_commands(language_code="de") == ()
    stored = {(c["scope"]["type"], c["language_code"]) for c in await control.commands()}
    assert stored == {("default", ""), ("default", "ru"), ("all_private_chats", "")}
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])


async def test_chat_action_and_menu_button_are_harmless_and_visible(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    assert await bot.send_chat_action(USER_ID, "typing") is True
    assert await bot.set_chat_menu_button() is True

    assert (await control.chat(USER_ID))["action"] == "typing"
    assert (await bot.get_chat_menu_button()).type == "default"
    chat = await bot.get_chat(USER_ID)
    assert chat.first_name == "Ada" and chat.username == "ada_l"
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(USER_ID, "dancing")


async def test_a_web_app_menu_button_is_kept_per_chat_and_a_broken_one_refused(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    console = MenuButtonWebApp("HR console", WebAppInfo("https://hr.example.com/console/telegram"))
    assert await bot.set_chat_menu_button(chat_id=USER_ID, menu_button=console) is True
    shown = await bot.get_chat_menu_button(chat_id=USER_ID)
    assert isinstance(shown, MenuButtonWebApp) and shown.web_app.url.endswith("/console/telegram")
    assert (await control.chat(USER_ID))["menu_button"]["text"] == "HR console"
    assert (await bot.get_chat_menu_button()).type != "web_app", "the bot-wide default is unchanged"
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_URL_INVALID"):
        await bot.set_chat_menu_button(chat_id=USER_ID, menu_button=MenuButtonWebApp("x", WebAppInfo("ftp://x")))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_TEXT_INVALID"):
        await bot.set_chat_menu_button(chat_id=USER_ID, menu_button=MenuButtonWebApp(" ", WebAppInfo("https://x")))
