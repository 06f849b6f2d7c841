"""Groups in the emulator: the bot is added (my_chat_member), members write and press buttons, getChatMember
answers their status, editMessageMedia replaces a picture."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest

from sandbox.telegram import ControlAPIError, EmulatorClient

from .conftest import OTHER_USER_ID, USER_ID
from .test_files import png

pytestmark = pytest.mark.e2e

GROUP = -100123


async def _group(control: EmulatorClient) -> None:
    await control.ensure_user(USER_ID, "Ada")
    await control.ensure_user(OTHER_USER_ID, "Bo")
    await control.ensure_user(777, "Outsider")
    await control.ensure_group(GROUP, "Team", {USER_ID: "creator", OTHER_USER_ID: "member"})


async def test_adding_the_bot_to_a_group_is_an_update_and_members_write_there(
    bot: Bot, control: EmulatorClient
) -> None:
    await _group(control)
    await control.send_text(GROUP, "/linkgroup Ops", from_user=OTHER_USER_ID)
    updates = await bot.get_updates()
    added, written = updates[0].my_chat_member, updates[1].message
    assert added is not None and added.new_chat_member.status == "member" and added.chat.type == "group"
    assert written is not None and written.chat.id == GROUP and written.chat.title == "Team"
    assert written.from_user is not None and written.from_user.id == OTHER_USER_ID
    assert written.text == "/linkgroup Ops" and written.entities[0].type == "bot_command"


async def test_only_members_write_in_a_group_and_someone_must_say_who(control: EmulatorClient) -> None:
    await _group(control)
    with pytest.raises(ControlAPIError):
        await control.send_text(GROUP, "hi", from_user=777)
    with pytest.raises(ControlAPIError):
        await control.send_text(GROUP, "hi")


async def test_get_chat_member_tells_administrators_from_members(bot: Bot, control: EmulatorClient) -> None:
    await _group(control)
    assert (await bot.get_chat_member(GROUP, USER_ID)).status == "creator"
    assert (await bot.get_chat_member(GROUP, OTHER_USER_ID)).status == "member"
    assert (await bot.get_chat_member(GROUP, 777)).status == "left"
    await control.ensure_group(GROUP, "Team", {USER_ID: "creator", OTHER_USER_ID: "administrator"})
    assert (await bot.get_chat_member(GROUP, OTHER_USER_ID)).status == "administrator"


async def test_the_bot_posts_in_a_group_and_a_member_presses_its_button(bot: Bot, control: EmulatorClient) -> None:
    await _group(control)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    sent = await bot.send_message(GROUP, "Who is away today", reply_markup=markup)
    pressed = await control.press_button(GROUP, data="ok", from_user=OTHER_USER_ID)
    assert pressed["from_user_id"] == OTHER_USER_ID and pressed["message_id"] == sent.message_id
    transcript = await control.transcript(GROUP)
    assert transcript["chat"]["type"] == "group" and transcript["messages"][-1]["text"] == "Who is away today"


async def test_edit_message_media_replaces_the_picture_and_caption(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    first = await bot.send_photo(USER_ID, png(4, 4), caption="December")
    edited = await bot.edit_message_media(InputMediaPhoto(png(8, 8), caption="January"), chat_id=USER_ID,
                                          message_id=first.message_id)  # fmt: skip
    assert isinstance(edited, object)
    stored = await control.message(USER_ID, first.message_id)
    assert stored["caption"] == "January" and stored["photo"]["file_id"] != first.photo[0].file_id
    with pytest.raises(BadRequest):
        text = await bot.send_message(USER_ID, "plain")
        await bot.edit_message_media(InputMediaPhoto(png(8, 8)), chat_id=USER_ID, message_id=text.message_id)
