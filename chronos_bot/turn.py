"""What a step works with: the update, the user's session and employee, their language, and its replies.

Every PTB handler is a ``pipeline.Pipeline``-wrapped ``async def step(turn: Turn) -> None``. A step reads
the database and calls services, changes ``turn.session`` and says things; it never calls Telegram.
``say`` / ``edit`` / ``answer`` / ``send_document`` … only append replies (see ``replies``): the pipeline
stores them with the session in one step and sends them after, so a crash never leaves a reply sent for
a state that was not saved (or a state saved whose replies are lost).
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from redis.asyncio import Redis
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from chronos_bot import replies
from chronos_bot.journal import Reply, UpdateJournal
from chronos_bot.limits import AttemptLimiter
from shared.config import Settings
from shared.domain.enums import Role
from shared.errors import ChronosError
from shared.i18n import Translator, translator
from shared.model import Employee
from shared.notify.delivery import Markup
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.sessions import SessionStore, UserSession

CALLBACK_ANSWER_LIMIT = 200


@dataclass
class BotDeps:
    """The clients main() built, shared by every handler."""

    settings: Settings
    db: Database
    redis: Redis
    sessions: SessionStore
    limiter: AttemptLimiter
    journal: UpdateJournal
    wake_sender: Callable[[], None] = field(default=lambda: None)


@dataclass
class Turn:
    """What a step callback works with: the update, the user's session and employee, their language."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    deps: BotDeps
    session: UserSession
    employee: Employee | None
    t: Translator
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    answered: bool = False
    _answer: tuple[str | None, bool] | None = None
    _toast: tuple[str | None, bool] = (None, False)

    @property
    def user_id(self) -> int:
        assert self.update.effective_user is not None
        return self.update.effective_user.id

    @property
    def chat_id(self) -> int:
        chat = self.update.effective_chat
        return chat.id if chat is not None else self.user_id

    @property
    def message(self) -> Message | None:
        return self.update.effective_message if self.update.callback_query is None else None

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    @property
    def me(self) -> Employee:
        """The linked employee (the pipeline only runs linked steps for linked, active people)."""
        assert self.employee is not None
        return self.employee

    @property
    def actor(self) -> Actor:
        return Actor.for_employee(self.me.id, self.me.role)

    @property
    def timezone(self) -> str:
        own = self.employee.timezone if self.employee is not None else None
        return own or self.deps.settings.company_timezone

    @property
    def today(self) -> date:
        return today_in(self.timezone, self.now)

    @property
    def args(self) -> list[str]:
        return list(self.context.args or [])

    def use_locale(self, locale: str) -> None:
        self.t = translator(locale)

    def _ref(self) -> str:
        """A name for the next reply, unique across updates (the outbox row it may become carries it)."""
        return f"tg:{self.update.update_id}:{len(self.replies)}"

    def _pressed(self) -> int | None:
        message = self.query.message if self.query is not None else None
        return message.message_id if message is not None else None

    async def say(self, text: str, markup: Markup | None = None, *, remember: str | None = None) -> str:
        """Send ``text`` (HTML) to the user's chat; returns the reply's ref.

        ``remember="msg"``: keep the message's id in ``session.data["msg"]`` once it is sent (until then the
        ref stands there), so only that message's buttons move the flow.
        """
        ref = self._ref()
        reply = replies.message(self.chat_id, text, markup, ref=ref)
        if remember:
            reply["remember"] = remember
            self.session.data[remember] = ref
        self.replies.append(reply)
        return ref

    async def send_document(self, filename: str, content: bytes, caption: str | None = None) -> None:
        self.replies.append(replies.document(self.chat_id, filename, content, caption, ref=self._ref()))

    async def send_photo(self, filename: str, content: bytes, caption: str | None = None,
                         markup: Markup | None = None) -> None:  # fmt: skip
        """Send a picture (PNG bytes) with an HTML caption and buttons."""
        self.replies.append(replies.photo(self.chat_id, filename, content, caption, markup, ref=self._ref()))

    async def edit_photo(self, filename: str, content: bytes, caption: str | None = None,
                         markup: InlineKeyboardMarkup | None = None) -> None:  # fmt: skip
        """Replace the picture (caption, buttons) of the message whose button was pressed (paging)."""
        pressed = self._pressed()
        if pressed is not None:
            self.replies.append(replies.media(self.chat_id, pressed, filename, content, caption, markup,
                                              ref=self._ref()))  # fmt: skip

    async def chat_admin(self) -> bool:
        """Whether the user administers this group (asked of Telegram: a read, safe to repeat)."""
        chat = self.update.effective_chat
        if chat is None or chat.type == "private":
            return False
        member = await self.context.bot.get_chat_member(chat.id, self.user_id)
        return member.status in ("creator", "administrator")

    @property
    def in_group(self) -> bool:
        chat = self.update.effective_chat
        return chat is not None and chat.type in ("group", "supergroup")

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the pressed button, once (a short toast, or an alert); the first answer wins."""
        if self.query is None or self.answered:
            return
        self.answered = True
        short = text if text is None or len(text) <= CALLBACK_ANSWER_LIMIT else text[: CALLBACK_ANSWER_LIMIT - 1] + "…"
        self._answer = (short, alert)

    def toast(self, text: str, *, alert: bool = False) -> None:
        """Answer the pressed button with ``text`` unless the step answers it otherwise."""
        self._toast = (text, alert)

    async def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the text (and buttons) of the message whose button was pressed."""
        pressed = self._pressed()
        if pressed is not None:
            await self.edit_message(pressed, text, markup)

    async def edit_message(self, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the text (and buttons) of one of the bot's messages in this chat."""
        self.replies.append(replies.edit(self.chat_id, message_id, text, markup, ref=self._ref()))

    async def edit_markup(self, markup: InlineKeyboardMarkup | None) -> None:
        """Replace only the buttons of the pressed message (calendar paging)."""
        pressed = self._pressed()
        if pressed is not None:
            self.replies.append(replies.buttons_only(self.chat_id, pressed, markup, ref=self._ref()))

    async def drop_buttons(self, message_id: int) -> None:
        """Remove the buttons of one of the bot's messages (a question answered by typing)."""
        self.replies.append(replies.buttons_only(self.chat_id, message_id, None, ref=self._ref()))

    def publish_commands(self, role: Role, locale: str) -> None:
        """Show this chat the command list of ``role`` in ``locale`` (best effort, after the replies)."""
        self.replies.append(replies.command_list(self.chat_id, role, locale))

    async def fail(self, error: ChronosError) -> None:
        """Tell the user what went wrong and what to do, in their language."""
        text = error.render(self.t)
        if self.query is not None and not self.answered:
            await self.answer(text, alert=True)
        else:
            await self.say(html.escape(text))

    def outgoing(self) -> list[Reply]:
        """The replies in the order they go out; the button's answer last (its spinner stops when all is done)."""
        found = list(self.replies)
        if self.query is not None:
            text, alert = self._answer if self._answer is not None else self._toast
            found.append(replies.answer(self.query.id, text, alert))
        return found


Step = Callable[[Turn], Awaitable[None]]
PTBCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]
