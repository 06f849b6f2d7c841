"""One queued Telegram message (an outbox row, or a bot reply waiting in Redis) delivered by one Bot API call.

Payload kinds (JSON; ``chat_id`` is the row's):
- ``message``: ``text``, ``parse_mode``, and ``buttons`` (inline, from a notification builder) or ``markup``
  (any keyboard, as :func:`markup_to_json` wrote it);
- ``document``: ``filename``, ``caption``, ``parse_mode``; the bytes come separately;
- ``edit``: ``text``, ``parse_mode``, ``buttons``/``markup``, and the message: ``message_id``, or
  ``edit_ref`` (the outbox row that sent it; the sender looks its message id up). An edit whose message
  never reached the chat is sent as a new message;
- ``markup``: only the buttons of ``message_id`` (none: remove them);
- ``photo``: ``filename``, ``caption``, ``parse_mode``, ``markup``; the picture's bytes come separately;
- ``media``: a new picture (bytes separately), ``caption`` and ``markup`` for ``message_id`` (paging a
  picture); a message that cannot be edited any more gets the picture as a new message.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

Payload = dict[str, Any]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply

_MARKUP_TYPES: dict[str, type[Markup]] = {
    "inline": InlineKeyboardMarkup,
    "keyboard": ReplyKeyboardMarkup,
    "remove": ReplyKeyboardRemove,
    "force": ForceReply,
}
_NAMES = {cls: name for name, cls in _MARKUP_TYPES.items()}


def markup_to_json(markup: Markup | None) -> dict[str, Any] | None:
    """A keyboard as plain JSON (to queue it): ``{"type": "inline" | "keyboard" | "remove" | "force", "data"}``."""
    if markup is None:
        return None
    return {"type": _NAMES[type(markup)], "data": markup.to_dict()}


def markup_from_json(value: dict[str, Any] | None) -> Markup | None:
    if not value:
        return None
    cls = _MARKUP_TYPES[value["type"]]
    return cls.de_json(value["data"], None)


def _buttons(buttons: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row] for row in buttons]
    )


def payload_markup(payload: Payload) -> Markup | None:
    return markup_from_json(payload.get("markup")) or _buttons(payload.get("buttons"))


def _not_modified(exc: BadRequest) -> bool:
    return "not modified" in str(exc).lower()


async def deliver(
    bot: Bot, *, chat_id: int, payload: Payload, attachment: bytes | None = None, edit_target: int | None = None
) -> int | None:
    """Make the call ``payload`` describes; the id of the message sent or edited."""
    kind = payload.get("kind", "message")
    parse_mode = payload.get("parse_mode")
    markup = payload_markup(payload)
    if kind == "document":
        message = await bot.send_document(
            chat_id,
            document=InputFile(attachment or b"", filename=payload.get("filename") or "file"),
            caption=payload.get("caption"),
            parse_mode=parse_mode,
            reply_markup=markup,
        )
        return message.message_id
    if kind == "photo":
        message = await bot.send_photo(
            chat_id,
            photo=InputFile(attachment or b"", filename=payload.get("filename") or "picture.png"),
            caption=payload.get("caption"),
            parse_mode=parse_mode,
            reply_markup=markup,
        )
        return message.message_id
    inline = markup if isinstance(markup, InlineKeyboardMarkup) else None  # all an edit may carry
    if kind == "media":
        target = int(payload["message_id"])
        media = InputMediaPhoto(  # raw bytes: PTB attaches them as a part of their own (attach://…)
            attachment or b"",
            filename=payload.get("filename") or "picture.png",
            caption=payload.get("caption"),
            parse_mode=parse_mode,
        )
        try:
            await bot.edit_message_media(media, chat_id=chat_id, message_id=target, reply_markup=inline)
        except BadRequest as exc:
            if _not_modified(exc):
                return target
            if "not found" not in str(exc).lower():
                raise
            return await deliver(bot, chat_id=chat_id, payload={**payload, "kind": "photo"}, attachment=attachment)
        return target
    if kind == "markup":
        target = int(payload["message_id"])
        try:
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=target, reply_markup=inline)
        except BadRequest as exc:
            if not _not_modified(exc):
                raise
        return target
    if kind == "edit":
        edited = payload.get("message_id") or edit_target
        if edited is not None:
            try:
                await bot.edit_message_text(payload["text"], chat_id=chat_id, message_id=int(edited),
                                            parse_mode=parse_mode, reply_markup=inline)  # fmt: skip
            except BadRequest as exc:
                if not _not_modified(exc):
                    raise
            return int(edited)
        # the original never reached the chat: say it as a new message instead
    message = await bot.send_message(chat_id, payload["text"], parse_mode=parse_mode, reply_markup=markup)
    return message.message_id
