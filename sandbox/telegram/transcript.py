"""Control-API views of chats and messages: what a test or the web chat UI needs to render."""

from __future__ import annotations

import time
from typing import Any

from sandbox.telegram.model import JSON, ChatState, Content, MessageRecord, StoredFile
from sandbox.telegram.store import BotState


def _version(content: Content) -> JSON:
    return {
        "text": content.text,
        "raw_text": content.raw_text,
        "parse_mode": content.parse_mode,
        "entities": content.entities,
        "reply_markup": content.reply_markup,
        "edit_date": content.edit_date,
    }


def _file(stored: StoredFile, base_url: str) -> JSON:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
        "file_size": stored.file_size,
        "width": stored.width or None,
        "height": stored.height or None,
        "download_url": f"{base_url}/control/files/{stored.file_id}",
    }


def _buttons(markup: JSON | None) -> list[list[JSON]] | None:
    if not markup or "inline_keyboard" not in markup:
        return None
    return [
        [{k: v for k, v in button.items() if k in ("text", "callback_data", "url")} for button in row]
        for row in markup["inline_keyboard"]
    ]


def message_entry(record: MessageRecord, base_url: str) -> JSON:
    """One transcript line: the current version of a message plus its history and flags."""
    content = record.content
    markup = content.reply_markup or {}
    entry: JSON = {
        "message_id": record.message_id,
        "direction": record.direction,
        "from_bot": record.from_bot,
        "date": record.date,
        "text": None if record.is_caption else content.text,
        "caption": content.text if record.is_caption else None,
        "raw_text": content.raw_text,
        "parse_mode": content.parse_mode,
        "entities": content.entities,
        "reply_markup": content.reply_markup,
        "buttons": _buttons(content.reply_markup),
        "keyboard": markup.get("keyboard"),
        "remove_keyboard": bool(markup.get("remove_keyboard")),
        "force_reply": bool(markup.get("force_reply")),
        "reply_to_message_id": record.reply_to_message_id,
        "document": _file(record.document, base_url) if record.document else None,
        "photo": _file(record.photo, base_url) if record.photo else None,
        "location": record.location,
        "contact": record.contact,
        "edited": bool(record.history),
        "edit_date": content.edit_date,
        "history": [_version(old) for old in record.history],
        "deleted": record.deleted,
        "deleted_at": record.deleted_at,
    }
    entry.update({key: value for key, value in record.extra.items() if key not in entry})
    return entry


def chat_summary(bot: BotState, chat: ChatState) -> JSON:
    """The chat's header: who, blocked, current reply keyboard, "typing…" and version."""
    action = chat.action if chat.action and chat.action_until > time.time() else None
    return {
        "id": chat.id,
        "type": chat.kind,
        "title": chat.title,
        "members": {str(k): v for k, v in chat.members.items()} or None,
        "bot_id": bot.account.id,
        "user": chat.user.to_api(),
        "blocked": chat.blocked,
        "version": chat.version,
        "message_count": len(chat.messages),
        "reply_keyboard": chat.reply_keyboard,
        "action": action,
        "menu_button": chat.menu_button or bot.default_menu_button or {"type": "commands"},
    }


def transcript(bot: BotState, chat: ChatState, base_url: str, *, after: int = 0) -> JSON:
    """Every message of the chat in order (deleted ones flagged) and the callback queries."""
    callbacks: list[Any] = [bot.callbacks[cid].to_control() for cid in chat.callbacks if cid in bot.callbacks]
    return {
        "chat": chat_summary(bot, chat),
        "version": chat.version,
        "messages": [message_entry(m, base_url) for m in chat.messages.values() if m.message_id > after],
        "callback_queries": callbacks,
    }
