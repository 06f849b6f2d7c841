"""Shared steps of the sending and editing methods: target chat, text, reply, markup, flood."""

from __future__ import annotations

from typing import Any

from sandbox.telegram.dispatch import CallContext
from sandbox.telegram.entities import utf16_len
from sandbox.telegram.errors import ApiError, bad_request
from sandbox.telegram.formatting import parse_text
from sandbox.telegram.markup import Markup, is_inline, parse_reply_markup
from sandbox.telegram.model import JSON, ChatState, Content, MessageRecord, now
from sandbox.telegram.params import Params

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024


def target_chat(ctx: CallContext, params: Params, *, sending: bool = True) -> ChatState:
    """The private chat named by ``chat_id``, with Telegram's 400/403 answers."""
    raw = params.raw("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    try:
        chat_id = int(str(raw).strip())
    except ValueError:
        raise bad_request("chat not found") from None
    chat = ctx.bot.chats.get(chat_id)
    if chat is None:
        if chat_id == ctx.bot.account.id or any(b.account.id == chat_id for b in ctx.state.bots.values()):
            raise ApiError(403, "Forbidden: bot can't send messages to bots")
        if chat_id in ctx.state.users:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        raise bad_request("chat not found")
    if sending and chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat


def text_content(params: Params, *, caption: bool = False) -> Content:
    """The text (or caption) of a message after parse-mode parsing, validated like Telegram."""
    field = "caption" if caption else "text"
    raw = params.string(field)
    if raw is None:
        if caption:
            return Content()
        raise bad_request("message text is empty")
    mode = params.string("parse_mode")
    plain, entities = parse_text(raw, mode, params.json(f"{field}_entities" if caption else "entities"))
    if not plain and not caption:
        raise bad_request("message text is empty")
    limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
    if utf16_len(plain) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return Content(text=plain or None, raw_text=raw, parse_mode=mode, entities=entities)


def reply_markup(params: Params, *, inline_only: bool = False) -> Markup | None:
    """The validated ``reply_markup`` parameter."""
    markup = parse_reply_markup(params.json("reply_markup", what="reply keyboard markup"))
    if inline_only and markup is not None and not is_inline(markup):
        raise bad_request("inline keyboard expected")
    return markup


def reply_target(chat: ChatState, params: Params) -> int | None:
    """The message a new message replies to (``reply_parameters`` or ``reply_to_message_id``)."""
    parameters = params.json("reply_parameters", what="reply parameters")
    if parameters is not None:
        if not isinstance(parameters, dict):
            raise bad_request("can't parse reply parameters JSON object")
        message_id, allow = parameters.get("message_id"), bool(parameters.get("allow_sending_without_reply"))
    else:
        message_id = params.integer("reply_to_message_id")
        allow = params.boolean("allow_sending_without_reply")
    if message_id is None:
        return None
    if chat.live(int(message_id)) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def record_outgoing(ctx: CallContext, chat: ChatState, content: Content, params: Params, **fields: Any) -> JSON:
    """Check flood limits, store a message the bot sent, update the chat's keyboard, return the Message."""
    reply_to = reply_target(chat, params)
    ctx.state.flood.check(ctx.bot.account.id, chat.id)
    record = chat.add("bot_to_user", ctx.bot.account.to_api(), content, reply_to_message_id=reply_to, **fields)
    markup = content.reply_markup
    if markup is not None and "keyboard" in markup:
        chat.reply_keyboard = {**markup, "message_id": record.message_id}
    elif markup is not None and "remove_keyboard" in markup:
        chat.reply_keyboard = None
    if params.boolean("protect_content"):
        record.extra["has_protected_content"] = True
    chat.action = None
    ctx.state.touch(chat)
    return chat.message_api(record)


def editable_message(ctx: CallContext, params: Params) -> tuple[ChatState, MessageRecord]:
    """The bot message an edit method targets."""
    if params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = target_chat(ctx, params, sending=False)
    message_id = params.integer("message_id", required=True, empty="message identifier is not specified")
    record = chat.live(message_id)
    if record is None:
        raise bad_request("message to edit not found")
    if not record.from_bot:
        raise bad_request("message can't be edited")
    return chat, record


def apply_edit(ctx: CallContext, chat: ChatState, record: MessageRecord, new: Content) -> JSON:
    """Replace the message content, keeping the old version in its history."""
    if record.content.same_as(new):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same "
            "as a current content and reply markup of the message"
        )
    if new.edit_date is None and (new.text, new.entities) != (record.content.text, record.content.entities):
        new.edit_date = now()
    record.history.append(record.content)
    record.content = new
    ctx.state.touch(chat)
    return chat.message_api(record)
