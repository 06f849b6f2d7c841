"""One update, end to end, as one unit of work: lock → (already handled?) → step → commit → send.

1. Take the user's Redis lock: short (BOT_LOCK_SECONDS), renewed while we work, so a killed holder frees
   the user within seconds; one user's updates run one at a time on every replica
   (``PerUserUpdateProcessor`` keeps their order inside this process).
2. If the update journal says this ``update_id`` was handled (a redelivery, or a process killed after
   handling it), run nothing again: only send what is left of its replies.
3. Load the session and the employee; refuse strangers and deactivated employees unless the step is open;
   end a free-text prompt the update moves away from (``prompts``); run the step. A ``ChronosError`` is a
   reply in the user's language. A database or Redis that fails for a moment during the step (a dropped
   connection) makes the step run again, a few times.
4. Commit: the session, the replies and the "handled" mark in one Redis transaction, fenced by the lock;
   tried again (never the step) while Redis is away, within BOT_UPDATE_TIMEOUT_SECONDS for the whole.
5. Send the replies (``replies.ReplyFlusher``); the button's answer last.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import ContextTypes

from chronos_bot.inbox import Inbox
from chronos_bot.replies import ReplyFlusher
from chronos_bot.turn import BotDeps, PTBCallback, Step, Turn
from shared.domain.employment import has_access
from shared.domain.enums import OutboxStatus
from shared.errors import ChronosError
from shared.i18n import negotiate_locale, translator
from shared.log import request_id_var
from shared.model import OutboxMessage
from shared.persistence.errors import is_unavailable, one_line
from shared.persistence.retry import patiently
from shared.services.org.profile import linked_employee
from shared.sessions import SessionBusy, UserLock, UserSession

log = logging.getLogger(__name__)

ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.5
LOCK_WAIT_SECONDS = 10.0


Hook = Callable[[Turn, str | None], Awaitable[None]]  # runs before a linked user's step (``prompts.expire``)


@dataclass
class Pipeline:
    """Wraps step callbacks into PTB callbacks (see the module docstring)."""

    deps: BotDeps
    stranger: Step
    deactivated: Step
    flusher: ReplyFlusher
    before: Hook | None = None
    inbox: Inbox | None = None
    """The update leaves it with the lock's release (one round trip less); else the processor takes it out."""

    def __call__(self, step: Step, *, open_to_strangers: bool = False, subject: str | None = None) -> PTBCallback:
        """The PTB callback running ``step``; ``subject`` is the flow the update belongs to (None: none in
        particular), for ending a free-text prompt the user moved away from."""

        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await self.run(step, update, context, open_to_strangers=open_to_strangers, subject=subject)

        callback.__name__ = callback.__qualname__ = getattr(step, "__name__", "step")
        callback.__doc__ = step.__doc__
        return callback

    async def run(
        self,
        step: Step,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        *,
        open_to_strangers: bool = False,
        subject: str | None = None,
    ) -> None:
        user = update.effective_user
        if user is None:
            return
        token = request_id_var.set(f"tg-{update.update_id}")
        settings = self.deps.settings
        try:
            # Only this user's updates queue replies for their private chat: whether some wait there can be
            # read with the lock (one round trip less than asking before sending).
            private = update.effective_chat is not None and update.effective_chat.id == user.id
            async with self.deps.sessions.lock(
                user.id, ttl=settings.bot_lock_seconds, wait=LOCK_WAIT_SECONDS,
                marker=self.deps.journal.done_key(update.update_id),
                peek=self.flusher.backlog_key(user.id) if private else None,
            ) as lock:  # fmt: skip  # the lock, the session, the "handled" mark and the backlog in one round trip
                staged: list[str] | None = None  # None: read what is left of the replies from Redis
                if lock.marked:
                    log.info("update already handled; sending what is left of its replies")
                    session = lock.session or await self.deps.sessions.load(user.id)
                else:
                    async with asyncio.timeout(settings.bot_update_timeout_seconds):
                        session, staged = await self._handle(step, update, context, lock, open_to_strangers,
                                                             subject)  # fmt: skip
                clear = user.id if private and not lock.peeked else None  # no backlog in the private chat
                await self._send(update, context, session, lock, staged, clear)
                if self.inbox is not None:
                    lock.on_release.append(self.inbox.done_command(update.update_id))
            if self.inbox is not None and lock.released:
                self.inbox.settled(update.update_id)
        except SessionBusy as exc:
            t = translator(negotiate_locale(user.language_code, settings.default_locale))
            if update.callback_query is not None:
                await update.callback_query.answer(exc.render(t))
            elif update.effective_chat is not None:
                await context.bot.send_message(update.effective_chat.id, exc.render(t))
        finally:
            request_id_var.reset(token)

    async def _send(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        session: UserSession,
        lock: UserLock,
        staged: list[str] | None,
        clear: int | None,
    ) -> None:
        """Send the replies; a failure here is logged, not apologised for (the step's work is saved).

        ``staged``: the replies just committed, as stored (no need to read them back from Redis); ``clear``:
        a chat known to have no replies waiting in the outbox."""
        pending = None if staged is None else self.deps.journal.decode(staged)
        try:
            await self.flusher.flush(context.bot, update_id=update.update_id, session=session, lock=lock,
                                     pending=pending, clear=clear)  # fmt: skip
        except Exception:
            log.exception("could not send the replies; they wait in Redis for a redelivery of the update")

    async def _handle(
        self,
        step: Step,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        lock: UserLock,
        open_to_strangers: bool,
        subject: str | None,
    ) -> tuple[UserSession, list[str]]:
        """Run the step (again when a dependency failed for a moment), then commit; the committed session
        and the replies as stored."""
        preloaded = lock.session
        for attempt in range(1, ATTEMPTS + 1):
            try:
                turn, loaded = await self._turn(step, update, context, open_to_strangers, subject, preloaded)
                break
            except Exception as exc:
                if attempt == ATTEMPTS or not is_unavailable(exc):
                    raise
                log.warning("update %s: %s; running it again", update.update_id, one_line(exc))
                preloaded = None  # the step may have changed nothing, but read the session afresh
                await asyncio.sleep(RETRY_PAUSE_SECONDS * attempt)

        staged = self.deps.journal.encode(turn.outgoing())

        async def commit() -> None:
            await self.deps.sessions.save(
                turn.session,
                lock=lock,
                write=turn.session.data != loaded,
                also=self.deps.journal.stage(update.update_id, staged),
            )

        # the step's database work is done: only the commit is tried again (until the update's budget ends)
        await patiently(commit, seconds=self.deps.settings.bot_update_timeout_seconds, what="saving the update")
        return turn.session, staged

    async def _turn(
        self, step: Step, update: Update, context: ContextTypes.DEFAULT_TYPE, open_to_strangers: bool,
        subject: str | None, preloaded: UserSession | None = None,
    ) -> tuple[Turn, dict[str, Any]]:  # fmt: skip
        """The step run on the session read with the lock (or a freshly loaded one); the turn and the
        session's data as loaded."""
        assert update.effective_user is not None
        user_id = update.effective_user.id
        session = preloaded if preloaded is not None else await self.deps.sessions.load(user_id)
        before = copy.deepcopy(session.data)
        employee = await linked_employee(self.deps.db, user_id)  # on the driver, no transaction
        if isinstance(session.data.get("msg"), str):
            async with self.deps.db.read() as db_session:
                await _known_prompt(db_session, session, update)
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
                if employee is not None and self.before is not None:
                    await self.before(turn, subject)
                await step(turn)
        except ChronosError as exc:
            log.info("step refused: %s", exc, extra={"update_id": update.update_id, "code": exc.code})
            await turn.fail(exc)
        return turn, before


async def _known_prompt(db_session: Any, session: UserSession, update: Update) -> None:
    """A prompt whose reply went through the outbox: its message id, once the sender has sent it."""
    ref = session.data.get("msg")
    if not isinstance(ref, str) or update.effective_chat is None:
        return
    message_id = await db_session.scalar(
        select(OutboxMessage.telegram_message_id).where(
            OutboxMessage.ref == ref,
            OutboxMessage.chat_id == update.effective_chat.id,
            OutboxMessage.status == OutboxStatus.SENT,
        )
    )
    if message_id is not None:
        session.data["msg"] = int(message_id)
