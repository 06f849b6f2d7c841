"""The emulator's state: bots (keyed by token), users, chats, update queues, files, injections."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from sandbox.telegram.errors import ControlError
from sandbox.telegram.faults import FloodControl, Injections
from sandbox.telegram.model import JSON, BotAccount, CallbackRecord, ChatState, StoredFile, UserAccount
from sandbox.telegram.notify import Notifier

logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "7000000001:AAH-emulator-chronos-bot-token-000000"
DEFAULT_BOT_USERNAME = "chronos_hr_bot"
TOKEN_PATTERN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{1,100}$")
# Update types delivered when allowed_updates is empty / not set (Telegram's default).
DEFAULT_UPDATE_TYPES = frozenset(
    {"message", "edited_message", "callback_query", "my_chat_member", "inline_query", "chosen_inline_result"}
    | {"channel_post", "edited_channel_post", "shipping_query", "pre_checkout_query", "poll", "poll_answer"}
    | {"chat_join_request", "business_connection", "business_message", "edited_business_message"}
)
_FILE_ID_PREFIX = {"document": "BQACAgIAAxkBAAI", "photo": "AgACAgIAAxkBAAI"}


@dataclass
class EmulatorConfig:
    """Behaviour switches of one emulator instance."""

    auto_register: bool = False
    """Accept any well-formed token as a new bot instead of answering 401 Unauthorized."""
    webhook_retry_delays: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
    """Back-off between webhook delivery attempts; the last value repeats."""
    webhook_timeout: float = 10.0
    callback_query_ttl: float | None = None
    """Seconds after which answerCallbackQuery is "query is too old" (None: never)."""


@dataclass
class WebhookConfig:
    """A webhook set with setWebhook and its delivery health."""

    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0


@dataclass
class BotState:
    """Everything one bot token sees: its chats, pending updates, webhook and commands."""

    account: BotAccount
    chats: dict[int, ChatState] = field(default_factory=dict)
    pending: list[JSON] = field(default_factory=list)
    next_update_id: int = 1
    updates: Notifier = field(default_factory=Notifier)
    allowed_updates: list[str] | None = None
    webhook: WebhookConfig | None = None
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    profile_texts: dict[tuple[str, str], str] = field(default_factory=dict)
    default_menu_button: JSON | None = None
    callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    poll_generation: int = 0

    @property
    def token(self) -> str:
        return self.account.token

    def clear(self) -> None:
        """Forget chats, updates, webhook and settings; update ids keep growing like Telegram's."""
        fresh = BotState(account=self.account)
        for name in ("chats", "pending", "allowed_updates", "webhook", "commands", "profile_texts"):
            setattr(self, name, getattr(fresh, name))
        self.default_menu_button = None
        self.callbacks = {}
        self.updates.bump()

    def accepts(self, kind: str) -> bool:
        """Whether updates of ``kind`` pass the current ``allowed_updates`` filter."""
        if not self.allowed_updates:
            return kind in DEFAULT_UPDATE_TYPES
        return kind in self.allowed_updates

    def enqueue(self, kind: str, payload: JSON) -> int | None:
        """Queue an update; returns its update_id, or None when allowed_updates filters it out."""
        if not self.accepts(kind):
            logger.debug("bot %s: %s update dropped by allowed_updates", self.account.id, kind)
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.pending.append({"update_id": update_id, kind: payload})
        self.updates.bump()
        return update_id

    def confirm(self, offset: int | None) -> None:
        """Forget updates confirmed by ``offset`` (getUpdates semantics, negative counts from the end)."""
        if offset is None:
            return
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[JSON]:
        """Pending updates of allowed types, oldest first."""
        kinds = [next(k for k in u if k != "update_id") for u in self.pending]
        return [u for u, kind in zip(self.pending, kinds, strict=True) if self.accepts(kind)][:limit]


@dataclass
class Stats:
    """Bot API call counters."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def to_control(self) -> JSON:
        return {"calls": dict(self.calls), "errors": dict(self.errors), "total": sum(self.calls.values())}


class EmulatorState:
    """All state of one emulator; lives in (and is only touched from) the server's event loop."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, UserAccount] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[tuple[str, str], StoredFile] = {}
        self.injections = Injections()
        self.flood = FloodControl()
        self.stats = Stats()
        self.changes = Notifier()
        self.closed = False
        self.webhook_tasks: dict[str, asyncio.Task[None]] = {}
        self._http: httpx.AsyncClient | None = None
        self._file_counter = itertools.count(1)
        self._callback_counter = itertools.count(1)

    # ----- bots -----
    def add_bot(self, token: str, *, username: str | None = None, first_name: str | None = None) -> BotState:
        """Register a bot token (idempotent); its id is the token's numeric prefix."""
        match = TOKEN_PATTERN.match(token)
        if match is None:
            raise ControlError(400, f"malformed bot token {token!r} (expected '<digits>:<secret>')")
        if token in self.bots:
            return self.bots[token]
        bot_id = int(match.group(1))
        account = BotAccount(
            token=token,
            id=bot_id,
            username=username or (DEFAULT_BOT_USERNAME if not self.bots else f"emulated_{bot_id}_bot"),
            first_name=first_name or "Chronos HR",
        )
        self.bots[token] = BotState(account=account)
        logger.info("registered bot @%s (id %s)", account.username, bot_id)
        self.changes.bump()
        return self.bots[token]

    def bot_for_token(self, token: str) -> BotState | None:
        """The bot for a Bot API request, auto-registering it when configured to."""
        bot = self.bots.get(token)
        if bot is None and self.config.auto_register and TOKEN_PATTERN.match(token):
            bot = self.add_bot(token)
        return bot

    def resolve_bot(self, selector: str | None) -> BotState:
        """A bot by id, username or token; the first registered bot when ``selector`` is empty."""
        if not self.bots:
            raise ControlError(404, "no bot is registered")
        if not selector:
            return next(iter(self.bots.values()))
        for bot in self.bots.values():
            account = bot.account
            if selector in (str(account.id), account.username, f"@{account.username}", account.token):
                return bot
        raise ControlError(404, f"unknown bot {selector!r}")

    # ----- users and chats -----
    def ensure_user(self, user_id: int, **fields: Any) -> UserAccount:
        """Create a user or update the given fields of an existing one."""
        values = {k: v for k, v in fields.items() if v is not None}
        user = self.users.get(user_id)
        if user is None:
            user = UserAccount(id=user_id, first_name=values.pop("first_name", f"User {user_id}"))
            self.users[user_id] = user
        for key, value in values.items():
            setattr(user, key, value)
        self.changes.bump()
        return user

    def open_chat(self, bot: BotState, user: UserAccount) -> ChatState:
        """The private chat of ``user`` with ``bot``, created when the user first opens it."""
        chat = bot.chats.get(user.id)
        if chat is None:
            chat = ChatState(id=user.id, user=user)
            bot.chats[user.id] = chat
            self.touch(chat)
        return chat

    def chat(self, bot: BotState, chat_id: int) -> ChatState:
        """An existing chat for the control API (404 otherwise)."""
        chat = bot.chats.get(chat_id)
        if chat is None:
            raise ControlError(404, f"chat {chat_id} does not exist (ensure the user first)")
        return chat

    def touch(self, chat: ChatState) -> None:
        """Record that something visible changed in ``chat``."""
        chat.notifier.bump()
        self.changes.bump()

    # ----- files -----
    def store_file(
        self,
        bot: BotState,
        kind: Literal["document", "photo"],
        data: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        """Keep uploaded bytes and give them a file_id and a download path."""
        number = next(self._file_counter)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1][:10]
        elif kind == "photo":
            suffix = ".jpg"
        stored = StoredFile(
            file_id=_FILE_ID_PREFIX[kind] + secrets.token_urlsafe(42),
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
            bot_token=bot.token,
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{kind}s/file_{number}{suffix}",
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[(bot.token, stored.file_path)] = stored
        return stored

    def new_callback_id(self, bot: BotState) -> str:
        """A callback query id in Telegram's style (a large decimal number as a string)."""
        return f"{bot.account.id % 10**9}{next(self._callback_counter):010d}"

    # ----- lifecycle -----
    @property
    def http(self) -> httpx.AsyncClient:
        """HTTP client for webhook deliveries and fetching files by URL."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.config.webhook_timeout, trust_env=False)
        return self._http

    def wake_all(self) -> None:
        """Wake every long poll (used on reset and shutdown)."""
        self.changes.bump()
        for bot in self.bots.values():
            bot.updates.bump()
            for chat in bot.chats.values():
                chat.notifier.bump()
            for callback in bot.callbacks.values():
                callback.notifier.bump()

    async def stop_webhooks(self) -> None:
        tasks = list(self.webhook_tasks.values())
        self.webhook_tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def reset(self) -> None:
        """Forget users, chats, updates, files, webhooks, injections and stats; keep the bots."""
        await self.stop_webhooks()
        self.wake_all()
        for bot in self.bots.values():
            bot.clear()
        self.users.clear()
        self.files.clear()
        self.files_by_path.clear()
        self.injections.clear()
        self.flood.configure(None, None)
        self.stats = Stats()
        self.changes.bump()
        logger.info("emulator state reset")

    async def aclose(self) -> None:
        """Stop background work and wake the long polls so the server can shut down."""
        self.closed = True
        await self.stop_webhooks()
        self.wake_all()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
