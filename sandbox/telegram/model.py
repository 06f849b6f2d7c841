"""Records the emulator keeps (users, bots, files, chats, messages) and their Bot API JSON."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.telegram.notify import Notifier

JSON = dict[str, Any]
Direction = Literal["user_to_bot", "bot_to_user"]


def now() -> int:
    """The current Unix time in whole seconds, as Telegram dates are."""
    return int(time.time())


def _drop_none(data: JSON) -> JSON:
    return {key: value for key, value in data.items() if value is not None}


@dataclass
class UserAccount:
    """A Telegram user who can talk to the bots."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool | None = None

    def to_api(self) -> JSON:
        """The Bot API ``User`` object."""
        return _drop_none(
            {
                "id": self.id,
                "is_bot": False,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
                "language_code": self.language_code,
                "is_premium": self.is_premium,
            }
        )


@dataclass
class BotAccount:
    """A bot known to the emulator, identified by its token."""

    token: str
    id: int
    username: str
    first_name: str

    def to_api(self) -> JSON:
        """The Bot API ``User`` object of the bot (as ``from`` of its messages)."""
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def get_me(self) -> JSON:
        """The answer to ``getMe``."""
        return {
            **self.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class StoredFile:
    """Bytes Telegram keeps for a document or photo, addressable by file_id."""

    file_id: str
    file_unique_id: str
    bot_token: str
    kind: Literal["document", "photo"]
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str
    width: int = 0
    height: int = 0

    @property
    def file_size(self) -> int:
        return len(self.data)

    def document_api(self) -> JSON:
        """The Bot API ``Document`` object."""
        return _drop_none(
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_name": self.file_name,
                "mime_type": self.mime_type,
                "file_size": self.file_size,
            }
        )

    def photo_api(self) -> list[JSON]:
        """The Bot API ``PhotoSize`` array (a single, original size)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": self.file_size,
            }
        ]

    def file_api(self) -> JSON:
        """The Bot API ``File`` object returned by ``getFile``."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass
class Content:
    """The editable part of a message: text or caption, entities and reply markup."""

    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    edit_date: int | None = None

    def same_as(self, other: Content) -> bool:
        """Whether an edit to ``other`` would be "message is not modified"."""
        return (self.text, self.entities, self.reply_markup) == (other.text, other.entities, other.reply_markup)


@dataclass
class MessageRecord:
    """One message of a private chat, in either direction, with its edit history."""

    message_id: int
    chat_id: int
    direction: Direction
    sender: JSON
    date: int
    content: Content
    is_caption: bool = False
    reply_to_message_id: int | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    location: JSON | None = None
    contact: JSON | None = None
    history: list[Content] = field(default_factory=list)
    deleted: bool = False
    deleted_at: int | None = None
    extra: JSON = field(default_factory=dict)

    @property
    def from_bot(self) -> bool:
        return self.direction == "bot_to_user"

    @property
    def has_media(self) -> bool:
        return self.document is not None or self.photo is not None


@dataclass
class CallbackRecord:
    """A callback query created by pressing an inline button, and how the bot answered it."""

    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str
    button_text: str
    update_id: int
    created_at: float
    answer: JSON | None = None
    answered_at: float | None = None
    notifier: Notifier = field(default_factory=Notifier, repr=False)

    def to_control(self) -> JSON:
        """The control API view of this callback query."""
        return {
            "id": self.id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "from_user_id": self.user_id,
            "data": self.data,
            "button_text": self.button_text,
            "update_id": self.update_id,
            "created_at": self.created_at,
            "answered": self.answer is not None,
            "answer": self.answer,
            "answered_at": self.answered_at,
        }


@dataclass
class ChatState:
    """A private chat between one user and one bot, or a group the bot was added to.

    In a group, ``user`` is the one who added the bot and ``members`` maps each member's user id to their
    status (``creator``, ``administrator``, ``member``); anyone of them can write in it.
    """

    id: int
    user: UserAccount
    kind: Literal["private", "group", "supergroup"] = "private"
    title: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    action: str | None = None
    action_until: float = 0.0
    reply_keyboard: JSON | None = None
    menu_button: JSON | None = None
    callbacks: list[str] = field(default_factory=list)
    notifier: Notifier = field(default_factory=Notifier, repr=False)

    @property
    def version(self) -> int:
        return self.notifier.version

    @property
    def is_group(self) -> bool:
        return self.kind != "private"

    def chat_api(self) -> JSON:
        """The Bot API ``Chat`` object of this chat."""
        if self.is_group:
            return {"id": self.id, "type": self.kind, "title": self.title or f"Group {self.id}"}
        return _drop_none(
            {
                "id": self.id,
                "type": "private",
                "first_name": self.user.first_name,
                "last_name": self.user.last_name,
                "username": self.user.username,
            }
        )

    def add(self, direction: Direction, sender: JSON, content: Content, **fields: Any) -> MessageRecord:
        """Append a new message with the next message_id of this chat."""
        record = MessageRecord(
            message_id=self.next_message_id,
            chat_id=self.id,
            direction=direction,
            sender=sender,
            date=now(),
            content=content,
            **fields,
        )
        self.messages[record.message_id] = record
        self.next_message_id += 1
        return record

    def live(self, message_id: int | None) -> MessageRecord | None:
        """The message with this id, unless it does not exist or was deleted."""
        record = self.messages.get(message_id) if message_id is not None else None
        return record if record is not None and not record.deleted else None

    def message_api(self, record: MessageRecord, *, with_reply: bool = True) -> JSON:
        """The Bot API ``Message`` object for ``record`` in its current version."""
        content = record.content
        data: JSON = {
            "message_id": record.message_id,
            "from": record.sender,
            "chat": self.chat_api(),
            "date": record.date,
        }
        if content.edit_date is not None:
            data["edit_date"] = content.edit_date
        if with_reply and (replied := self.live(record.reply_to_message_id)) is not None:
            data["reply_to_message"] = self.message_api(replied, with_reply=False)
        if record.document is not None:
            data["document"] = record.document.document_api()
        if record.photo is not None:
            data["photo"] = record.photo.photo_api()
        if record.location is not None:
            data["location"] = record.location
        if record.contact is not None:
            data["contact"] = record.contact
        if content.text is not None:
            key = "caption" if record.is_caption else "text"
            data[key] = content.text
            if content.entities:
                data[f"{key}_entities" if record.is_caption else "entities"] = content.entities
        if content.reply_markup is not None and "inline_keyboard" in content.reply_markup:
            data["reply_markup"] = content.reply_markup
        data.update(record.extra)
        return data
