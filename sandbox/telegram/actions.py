"""What a user does in a chat (send text, press a button, share a location...), turned into updates."""

from __future__ import annotations

import logging
import time
from typing import Any

from sandbox.telegram.entities import detect_entities, trim_text, utf16_len, validate_entities
from sandbox.telegram.errors import ApiError, ControlError
from sandbox.telegram.markup import find_inline_button
from sandbox.telegram.media import guess_mime, image_size
from sandbox.telegram.model import CallbackRecord, ChatState, Content, MessageRecord, UserAccount, now
from sandbox.telegram.store import BotState, EmulatorState

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096


def ensure_user(
    state: EmulatorState, bot: BotState, user_id: int, *, started: bool = True, **fields: Any
) -> UserAccount:
    """Create or update a user; ``started`` opens the private chat as if they had pressed Start."""
    if user_id <= 0:
        raise ControlError(400, "a user id must be a positive integer")
    user = state.ensure_user(user_id, **fields)
    if started:
        state.open_chat(bot, user)
    return user


def user_chat(state: EmulatorState, bot: BotState, chat_id: int) -> ChatState:
    """A chat the user can act in; a known user who never opened it opens it by writing."""
    group = bot.chats.get(chat_id)
    if group is not None and group.is_group:
        return group
    user = state.users.get(chat_id)
    chat = state.open_chat(bot, user) if user is not None else state.chat(bot, chat_id)
    if chat.blocked:
        raise ControlError(409, f"user {chat_id} has blocked the bot; unblock it first")
    return chat


def acting_user(state: EmulatorState, chat: ChatState, from_user: int | None) -> UserAccount:
    """Who acts: the private chat's user, or ``from_user`` (a member) in a group."""
    if not chat.is_group:
        if from_user is not None and from_user != chat.user.id:
            raise ControlError(400, f"only user {chat.user.id} writes in their private chat")
        return chat.user
    if from_user is None:
        raise ControlError(400, "say who writes in the group (from_user_id)")
    if from_user not in chat.members or from_user not in state.users:
        raise ControlError(403, f"user {from_user} is not a member of group {chat.id}")
    return state.users[from_user]


def ensure_group(
    state: EmulatorState, bot: BotState, chat_id: int, *, title: str, members: dict[int, str], kind: str = "group"
) -> ChatState:
    """A group with ``members`` ({user id: creator | administrator | member}); adding the bot to a new group
    gives the bot a ``my_chat_member`` update from the group's creator (or first administrator)."""
    if chat_id >= 0:
        raise ControlError(400, "a group's id is negative")
    if kind not in ("group", "supergroup"):
        raise ControlError(400, "a group is a 'group' or a 'supergroup'")
    unknown = [uid for uid in members if uid not in state.users]
    if unknown:
        raise ControlError(404, f"users {unknown} do not exist (ensure them first)")
    if any(status not in MEMBER_STATUSES for status in members.values()):
        raise ControlError(400, f"a member's status is one of {sorted(MEMBER_STATUSES)}")
    chat = bot.chats.get(chat_id)
    if chat is not None and not chat.is_group:
        raise ControlError(409, f"chat {chat_id} is not a group")
    if chat is None:
        owners = [uid for uid, status in members.items() if status in ("creator", "administrator")]
        if not owners:
            raise ControlError(400, "a group needs a creator or an administrator to add the bot")
        chat = ChatState(id=chat_id, user=state.users[owners[0]], kind=kind, title=title,  # type: ignore[arg-type]
                         members=dict(members))  # fmt: skip
        bot.chats[chat_id] = chat
        payload = {
            "chat": chat.chat_api(),
            "from": chat.user.to_api(),
            "date": now(),
            "old_chat_member": {"status": "left", "user": bot.account.to_api()},
            "new_chat_member": {"status": "member", "user": bot.account.to_api()},
        }
        bot.enqueue("my_chat_member", payload)
    else:
        chat.title, chat.members = title, dict(members)
    state.touch(chat)
    return chat


MEMBER_STATUSES = frozenset({"creator", "administrator", "member"})


def _incoming(
    state: EmulatorState, bot: BotState, chat: ChatState, content: Content, reply_to: int | None,
    from_user: int | None = None, **fields: Any,
) -> tuple[MessageRecord, int | None]:  # fmt: skip
    if reply_to is not None and chat.live(reply_to) is None:
        raise ControlError(404, f"message {reply_to} to reply to does not exist in chat {chat.id}")
    sender = acting_user(state, chat, from_user)
    record = chat.add("user_to_bot", sender.to_api(), content, reply_to_message_id=reply_to, **fields)
    if chat.reply_keyboard is not None and chat.reply_keyboard.get("one_time_keyboard"):
        chat.reply_keyboard = None
    update_id = bot.enqueue("message", chat.message_api(record))
    state.touch(chat)
    return record, update_id


def _user_text(text: str, entities: Any = None, *, limit: int = MAX_TEXT_LENGTH) -> Content:
    """Text typed by a user: Telegram trims it and detects commands, mentions, URLs..."""
    try:
        explicit = validate_entities(text, entities) if entities is not None else []
    except ApiError as exc:
        raise ControlError(400, exc.description) from None
    plain, explicit = trim_text(text, explicit)
    found = [e for e in detect_entities(plain) if not any(e["offset"] == x["offset"] for x in explicit)]
    if utf16_len(plain) > limit:
        raise ControlError(400, f"text is longer than {limit} characters")
    return Content(text=plain or None, raw_text=text, entities=sorted(explicit + found, key=lambda e: e["offset"]))


def send_text(
    state: EmulatorState, bot: BotState, chat_id: int, text: str, *, reply_to: int | None = None, entities: Any = None,
    from_user: int | None = None,
) -> tuple[MessageRecord, int | None]:  # fmt: skip
    """The user types ``text`` (``/start CODE`` gets its bot_command entity automatically); in a group,
    ``from_user`` (a member) does."""
    chat = user_chat(state, bot, chat_id)
    content = _user_text(text, entities)
    if content.text is None:
        raise ControlError(400, "text is empty")
    return _incoming(state, bot, chat, content, reply_to, from_user)


def edit_text(state: EmulatorState, bot: BotState, chat_id: int, message_id: int, text: str) -> int | None:
    """The user edits one of their text messages; the bot gets an ``edited_message`` update."""
    chat = user_chat(state, bot, chat_id)
    record = chat.live(message_id)
    if record is None or record.from_bot or record.content.text is None or record.is_caption:
        raise ControlError(404, f"no text message {message_id} of the user in chat {chat_id}")
    content = _user_text(text)
    if content.text is None:
        raise ControlError(400, "text is empty")
    content.edit_date = now()
    record.history.append(record.content)
    record.content = content
    update_id = bot.enqueue("edited_message", chat.message_api(record))
    state.touch(chat)
    return update_id


def press_button(
    state: EmulatorState,
    bot: BotState,
    chat_id: int,
    *,
    message_id: int | None = None,
    text: str | None = None,
    data: str | None = None,
    from_user: int | None = None,
) -> CallbackRecord:
    """Press an inline button (by callback_data or label) on a message, or on the latest one having it."""
    if text is None and data is None:
        raise ControlError(400, "give the button's text or its callback data")
    chat = user_chat(state, bot, chat_id)
    presser = acting_user(state, chat, from_user)
    if message_id is not None:
        record = chat.live(message_id)
        if record is None or not record.from_bot:
            raise ControlError(404, f"no bot message {message_id} in chat {chat_id} (deleted?)")
        candidates = [record]
    else:
        candidates = [m for m in reversed(chat.messages.values()) if m.from_bot and not m.deleted]
    for record in candidates:
        button = find_inline_button(record.content.reply_markup, text=text, data=data)
        if button is not None:
            break
    else:
        wanted = f"callback data {data!r}" if data is not None else f"text {text!r}"
        where = f"message {message_id}" if message_id is not None else "any bot message"
        raise ControlError(404, f"no inline button with {wanted} on {where} in chat {chat_id}")
    if "callback_data" not in button:
        raise ControlError(409, f"button {button['text']!r} is not a callback button: {button}")
    query_id = state.new_callback_id(bot)
    payload = {
        "id": query_id,
        "from": presser.to_api(),
        "message": chat.message_api(record),
        "chat_instance": str((bot.account.id * 1_000_003 + chat.id) % 2**62),
        "data": button["callback_data"],
    }
    update_id = bot.enqueue("callback_query", payload)
    callback = CallbackRecord(
        id=query_id,
        chat_id=chat.id,
        message_id=record.message_id,
        user_id=presser.id,
        data=button["callback_data"],
        button_text=button["text"],
        update_id=update_id or 0,
        created_at=time.time(),
    )
    bot.callbacks[query_id] = callback
    chat.callbacks.append(query_id)
    state.touch(chat)
    return callback


def share_location(
    state: EmulatorState,
    bot: BotState,
    chat_id: int,
    latitude: float,
    longitude: float,
    *,
    horizontal_accuracy: float | None = None,
    reply_to: int | None = None,
) -> tuple[MessageRecord, int | None]:
    """The user shares a location (e.g. through a ``request_location`` keyboard button)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ControlError(400, "latitude must be within ±90 and longitude within ±180")
    location: dict[str, float] = {"latitude": latitude, "longitude": longitude}
    if horizontal_accuracy is not None:
        location["horizontal_accuracy"] = horizontal_accuracy
    chat = user_chat(state, bot, chat_id)
    return _incoming(state, bot, chat, Content(), reply_to, location=location)


def share_contact(
    state: EmulatorState,
    bot: BotState,
    chat_id: int,
    phone_number: str,
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    user_id: int | None = None,
) -> tuple[MessageRecord, int | None]:
    """The user shares a contact (their own by default, as a ``request_contact`` button does)."""
    chat = user_chat(state, bot, chat_id)
    contact: dict[str, Any] = {
        "phone_number": phone_number,
        "first_name": first_name or chat.user.first_name,
        "user_id": user_id if user_id is not None else chat.user.id,
    }
    if last_name or (first_name is None and chat.user.last_name):
        contact["last_name"] = last_name or chat.user.last_name
    return _incoming(state, bot, chat, Content(), None, contact=contact)


def send_file(
    state: EmulatorState,
    bot: BotState,
    chat_id: int,
    kind: str,
    data: bytes,
    *,
    file_name: str | None,
    mime_type: str | None = None,
    caption: str | None = None,
    reply_to: int | None = None,
) -> tuple[MessageRecord, int | None]:
    """The user sends a document or a photo; the bot can getFile and download it."""
    chat = user_chat(state, bot, chat_id)
    if not data:
        raise ControlError(400, "the file is empty")
    content = _user_text(caption, limit=1024) if caption else Content()
    if kind == "photo":
        size = image_size(data)
        if size is None:
            raise ControlError(400, "a photo must be a PNG, JPEG, GIF or WebP image")
        stored = state.store_file(bot, "photo", data, file_name=None, mime_type="image/jpeg",
                                  width=size[0], height=size[1])  # fmt: skip
        return _incoming(state, bot, chat, content, reply_to, photo=stored, is_caption=True)
    if kind != "document":
        raise ControlError(400, f"unsupported file kind {kind!r}")
    mime = mime_type or guess_mime(file_name, None)
    stored = state.store_file(bot, "document", data, file_name=file_name, mime_type=mime)
    return _incoming(state, bot, chat, content, reply_to, document=stored, is_caption=True)


def set_blocked(state: EmulatorState, bot: BotState, user_id: int, blocked: bool) -> int | None:
    """The user blocks (or unblocks) the bot; the bot gets a ``my_chat_member`` update."""
    chat = state.chat(bot, user_id)
    if chat.blocked == blocked:
        return None
    chat.blocked = blocked
    member, kicked = {"status": "member", "user": bot.account.to_api()}, {
        "status": "kicked", "user": bot.account.to_api(), "until_date": 0,
    }  # fmt: skip
    payload = {
        "chat": chat.chat_api(),
        "from": chat.user.to_api(),
        "date": now(),
        "old_chat_member": member if blocked else kicked,
        "new_chat_member": kicked if blocked else member,
    }
    update_id = bot.enqueue("my_chat_member", payload)
    state.touch(chat)
    logger.info("user %s %s bot %s", user_id, "blocked" if blocked else "unblocked", bot.account.id)
    return update_id
