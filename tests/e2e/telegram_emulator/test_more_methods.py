"""Less common paths: captions, bulk deletes, reply parameters, user edits, contacts, profile texts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyParameters
from telegram.error import BadRequest, EndPointNotFound

from sandbox.telegram import ControlAPIError, EmulatorClient

from .conftest import USER_ID

pytestmark = pytest.mark.e2e


async def test_caption_of_a_document_can_be_edited_but_its_text_cannot(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    sent = await bot.send_document(USER_ID, InputFile(io.BytesIO(b"x,y\n"), filename="a.csv"), caption="Draft")

    edited = await bot.edit_message_caption(USER_ID, sent.message_id, caption="<i>Final</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("text", chat_id=USER_ID, message_id=sent.message_id)

    assert edited.caption == "Final" and edited.caption_entities[0].type == "italic"
    line = await control.message(USER_ID, sent.message_id)
    assert line["caption"] == "Final" and line["history"][0]["text"] == "Draft"


async def test_reply_parameters_and_bulk_delete_work_together(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    asked = await control.send_text(USER_ID, "How many days do I have?")
    question_id = asked["message"]["message_id"]

    answer = await bot.send_message(USER_ID, "12 days", reply_parameters=ReplyParameters(question_id))
    extra = await bot.send_message(
        USER_ID, "extra", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert await bot.delete_messages(USER_ID, [answer.message_id, extra.message_id, 12345]) is True

    assert answer.reply_to_message.text == "How many days do I have?"
    assert extra.reply_to_message is None
    lines = (await control.transcript(USER_ID))["messages"]
    assert [(line["text"], line["deleted"]) for line in lines] == [
        ("How many days do I have?", False),
        ("12 days", True),
        ("extra", True),
    ]


async def test_a_user_editing_their_message_sends_edited_message(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    sent = await control.send_text(USER_ID, "Vacation from 1 May")
    await control.edit_text(USER_ID, sent["message"]["message_id"], "Vacation from 2 May")

    original, edit = await bot.get_updates()

    assert original.message.text == "Vacation from 1 May"
    assert edit.edited_message.text == "Vacation from 2 May" and edit.edited_message.edit_date is not None


async def test_shared_contact_carries_the_users_own_id(bot: Bot, control: EmulatorClient, user: dict[str, Any]) -> None:
    await control.share_contact(USER_ID, "+998901234567")

    [update] = await bot.get_updates()

    contact = update.message.contact
    assert (contact.phone_number, contact.user_id, contact.first_name) == ("+998901234567", USER_ID, "Ada")


async def test_pressing_a_url_button_or_a_deleted_message_is_refused(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Docs", url="https://hr.example/docs")]])
    sent = await bot.send_message(USER_ID, "Read", reply_markup=keyboard)
    with pytest.raises(ControlAPIError, match="not a callback button"):
        await control.press_button(USER_ID, text="Docs")

    await bot.delete_message(USER_ID, sent.message_id)
    with pytest.raises(ControlAPIError, match="deleted"):
        await control.press_button(USER_ID, text="Docs", message_id=sent.message_id)


async def test_profile_texts_fall_back_to_the_default_language(bot: Bot) -> None:
    await bot.set_my_description("Chronos keeps your attendance and leave")
    await bot.set_my_short_description("HR assistant", language_code="en")

    assert (await bot.get_my_description(language_code="ru")).description.startswith("Chronos keeps")
    assert (await bot.get_my_short_description(language_code="en")).short_description == "HR assistant"
    assert (await bot.get_my_name()).name == "Chronos HR"


async def test_unknown_methods_are_not_found(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER_ID})
