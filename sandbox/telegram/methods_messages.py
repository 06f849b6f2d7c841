"""Bot API methods on text messages: send, edit, delete, callback answers, chat actions."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from sandbox.telegram.dispatch import CallContext, api_method
from sandbox.telegram.errors import ApiError, bad_request
from sandbox.telegram.model import JSON
from sandbox.telegram.params import Params
from sandbox.telegram.sending import (
    apply_edit,
    editable_message,
    record_outgoing,
    reply_markup,
    target_chat,
    text_content,
)

logger = logging.getLogger(__name__)

CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
)
CHAT_ACTION_SECONDS = 5.0
MAX_CALLBACK_ANSWER_LENGTH = 200
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


@api_method("sendMessage")
async def send_message(ctx: CallContext, params: Params) -> JSON:
    """Send a text message to a private chat."""
    chat = target_chat(ctx, params)
    content = text_content(params)
    content.reply_markup = reply_markup(params)
    link_preview = params.json("link_preview_options", what="link preview options")
    extra = {"link_preview_options": link_preview} if isinstance(link_preview, dict) and link_preview else {}
    return record_outgoing(ctx, chat, content, params, extra=extra)


@api_method("editMessageText")
async def edit_message_text(ctx: CallContext, params: Params) -> JSON:
    """Change the text (and inline keyboard) of a bot message; no keyboard given removes it."""
    chat, record = editable_message(ctx, params)
    content = text_content(params)
    if record.is_caption or record.location is not None or record.contact is not None:
        raise bad_request("there is no text in the message to edit")
    content.reply_markup = reply_markup(params, inline_only=True)
    return apply_edit(ctx, chat, record, content)


@api_method("editMessageCaption")
async def edit_message_caption(ctx: CallContext, params: Params) -> JSON:
    """Change the caption (and inline keyboard) of a bot message with a document or photo."""
    chat, record = editable_message(ctx, params)
    if not record.is_caption:
        raise bad_request("there is no caption in the message to edit")
    content = text_content(params, caption=True)
    content.reply_markup = reply_markup(params, inline_only=True)
    return apply_edit(ctx, chat, record, content)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: CallContext, params: Params) -> JSON:
    """Replace or remove the inline keyboard of a bot message."""
    chat, record = editable_message(ctx, params)
    content = replace(record.content, reply_markup=reply_markup(params, inline_only=True))
    return apply_edit(ctx, chat, record, content)


@api_method("deleteMessage")
async def delete_message(ctx: CallContext, params: Params) -> bool:
    """Delete a message of either side of a private chat."""
    chat = target_chat(ctx, params, sending=False)
    message_id = params.integer("message_id", required=True, empty="message identifier is not specified")
    record = chat.live(message_id)
    if record is None:
        raise bad_request("message to delete not found")
    record.deleted = True
    record.deleted_at = int(time.time())
    ctx.state.touch(chat)
    return True


@api_method("deleteMessages")
async def delete_messages(ctx: CallContext, params: Params) -> bool:
    """Delete several messages; ids that do not exist are skipped."""
    chat = target_chat(ctx, params, sending=False)
    ids: Any = params.json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100 or not all(_is_int(i) for i in ids):
        raise bad_request("message_ids must be a non-empty Array of up to 100 Integers")
    for message_id in ids:
        record = chat.live(int(message_id))
        if record is not None:
            record.deleted = True
            record.deleted_at = int(time.time())
    ctx.state.touch(chat)
    return True


def _is_int(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())


@api_method("answerCallbackQuery")
async def answer_callback_query(ctx: CallContext, params: Params) -> bool:
    """Answer a button press (a toast, an alert or nothing); each query can be answered once."""
    query_id = params.string("callback_query_id", required=True, empty="query_id is empty")
    assert query_id is not None
    callback = ctx.bot.callbacks.get(query_id)
    if callback is None or callback.answer is not None:
        raise bad_request(_QUERY_INVALID)
    ttl = ctx.state.config.callback_query_ttl
    if ttl is not None and time.time() - callback.created_at > ttl:
        raise bad_request(_QUERY_INVALID)
    text = params.string("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    callback.answer = {
        "text": text,
        "show_alert": params.boolean("show_alert"),
        "url": params.string("url"),
        "cache_time": params.integer("cache_time") or 0,
    }
    callback.answered_at = time.time()
    callback.notifier.bump()
    chat = ctx.bot.chats.get(callback.chat_id)
    if chat is not None:
        ctx.state.touch(chat)
    return True


@api_method("sendChatAction")
async def send_chat_action(ctx: CallContext, params: Params) -> bool:
    """Show "typing…" (or another action) in the chat for five seconds."""
    chat = target_chat(ctx, params)
    action = params.string("action", required=True, empty="action is empty")
    if action not in CHAT_ACTIONS:
        raise ApiError(400, "Bad Request: wrong parameter action in request")
    chat.action = action
    chat.action_until = time.time() + CHAT_ACTION_SECONDS
    ctx.state.touch(chat)
    return True
