"""One update, end to end: user lock → session → employee → the step's callback → session saved.

Every PTB handler is a :class:`Pipeline`-wrapped ``async def step(turn: Turn) -> None``. The pipeline

1. takes the user's Redis lock (``SessionStore.lock``), so one user's updates run one at a time on
   every replica (``PerUserUpdateProcessor`` keeps their order inside this process);
2. loads the Redis session and the employee linked to the Telegram account;
3. refuses strangers (they are sent to onboarding) and deactivated employees, unless the step is open;
4. runs the step; a ``ChronosError`` from a service is shown to the user in their language;
5. saves the session if the step changed it, lets go of the lock, and answers the callback query if the
   step did not (so a stopped spinner means the state is saved and the next update may run).
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from redis.asyncio import Redis
from telegram import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from chronos_bot.limits import AttemptLimiter
from shared.config import Settings
from shared.domain.employment import has_access
from shared.errors import ChronosError
from shared.i18n import Translator, negotiate_locale, translator
from shared.log import request_id_var
from shared.model import Employee
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.org.profile import employee_by_telegram_id
from shared.sessions import SessionBusy, SessionStore, UserSession

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | Any
CALLBACK_ANSWER_LIMIT = 200


@dataclass
class BotDeps:
    """The clients main() built, shared by every handler."""

    settings: Settings
    db: Database
    redis: Redis
    sessions: SessionStore
    limiter: AttemptLimiter
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
    answered: bool = False
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

    async def say(self, text: str, markup: Markup | None = None) -> Message:
        """Send ``text`` (HTML) to the user's chat."""
        return await self.context.bot.send_message(self.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the pressed button now, once (a short toast, or an alert)."""
        if self.query is None or self.answered:
            return
        self.answered = True
        short = text if text is None or len(text) <= CALLBACK_ANSWER_LIMIT else text[: CALLBACK_ANSWER_LIMIT - 1] + "…"
        await self.query.answer(short, show_alert=alert)

    def toast(self, text: str, *, alert: bool = False) -> None:
        """Answer the pressed button with ``text`` once the step's state is saved (the pipeline does it)."""
        self._toast = (text, alert)

    async def finish(self) -> None:
        """The pipeline's last word: the toast a step asked for, or a silent answer."""
        text, alert = self._toast
        await self.answer(text, alert=alert)

    async def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the text (and buttons) of the message whose button was pressed."""
        if self.query is None or self.query.message is None:
            return
        try:
            await self.context.bot.edit_message_text(
                text, chat_id=self.chat_id, message_id=self.query.message.message_id,
                parse_mode=ParseMode.HTML, reply_markup=markup,
            )  # fmt: skip
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def edit_markup(self, markup: InlineKeyboardMarkup | None) -> None:
        """Replace only the buttons of the pressed message (calendar paging)."""
        if self.query is None or self.query.message is None:
            return
        try:
            await self.context.bot.edit_message_reply_markup(
                chat_id=self.chat_id, message_id=self.query.message.message_id, reply_markup=markup
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def fail(self, error: ChronosError) -> None:
        """Tell the user what went wrong and what to do, in their language."""
        text = error.render(self.t)
        if self.query is not None and not self.answered:
            await self.answer(text, alert=True)
        else:
            await self.say(html.escape(text))


Step = Callable[[Turn], Awaitable[None]]
PTBCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class Pipeline:
    """Wraps step callbacks into PTB callbacks (see the module docstring)."""

    def __init__(self, deps: BotDeps, *, stranger: Step, deactivated: Step) -> None:
        self.deps = deps
        self.stranger = stranger
        self.deactivated = deactivated

    def __call__(self, step: Step, *, open_to_strangers: bool = False) -> PTBCallback:
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await self.run(step, update, context, open_to_strangers=open_to_strangers)

        callback.__name__ = callback.__qualname__ = getattr(step, "__name__", "step")
        callback.__doc__ = step.__doc__
        return callback

    async def run(
        self, step: Step, update: Update, context: ContextTypes.DEFAULT_TYPE, *, open_to_strangers: bool
    ) -> None:
        user = update.effective_user
        if user is None:
            return
        token = request_id_var.set(f"tg-{update.update_id}")
        try:
            async with self.deps.sessions.lock(user.id):
                turn = await self._locked(step, update, context, open_to_strangers)
            await turn.finish()  # after the lock: once the button's spinner stops, the next update may run
        except SessionBusy as exc:
            t = translator(negotiate_locale(user.language_code, self.deps.settings.default_locale))
            if update.callback_query is not None:
                await update.callback_query.answer(exc.render(t))
            elif update.effective_chat is not None:
                await context.bot.send_message(update.effective_chat.id, exc.render(t))
        finally:
            request_id_var.reset(token)

    async def _locked(
        self, step: Step, update: Update, context: ContextTypes.DEFAULT_TYPE, open_to_strangers: bool
    ) -> Turn:
        assert update.effective_user is not None
        user_id = update.effective_user.id
        session = await self.deps.sessions.load(user_id)
        before = copy.deepcopy(session.data)
        async with self.deps.db.session() as db_session:
            employee = await employee_by_telegram_id(db_session, user_id)
        locale = (employee.locale if employee else None) or negotiate_locale(
            update.effective_user.language_code, self.deps.settings.default_locale
        )
        turn = Turn(update, context, self.deps, session, employee, translator(locale), datetime.now(UTC))
        try:
            if employee is not None and not has_access(employee.active, employee.leaving_date, turn.today):
                await self.deactivated(turn)  # deactivated, or past their leaving date
            elif employee is None and not open_to_strangers:
                await self.stranger(turn)
            else:
                await step(turn)
        except ChronosError as exc:
            log.info("step refused: %s", exc, extra={"update_id": update.update_id, "code": exc.code})
            await turn.fail(exc)
        if session.data != before:
            await self.deps.sessions.save(session)
        return turn
