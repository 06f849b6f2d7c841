"""A step's replies as data, and sending them once the update is recorded as handled.

A step never calls Telegram: ``Turn.say`` / ``edit`` / ``answer`` … append a reply (plain JSON, the
payload shapes of ``shared.notify.delivery``). The pipeline stores them with the session in one Redis
transaction (``journal.UpdateJournal``), then :class:`ReplyFlusher` sends them in order, taking each off
the list once Telegram has it. A reply Telegram does not take now (429, 5xx, a timeout, a network error)
is handed over to the outbox with the ones after it, and the sender delivers them like notifications,
with retries and in the chat's order; until that backlog is gone the chat's next replies queue behind it.
A reply that can never be sent (400: the message to edit is gone, a query too old) is dropped and logged.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from chronos_bot import commands
from chronos_bot.journal import Reply, UpdateJournal
from shared.domain.enums import OutboxStatus, Role
from shared.model import OutboxMessage
from shared.notify.delivery import Markup, deliver, markup_to_json
from shared.persistence import Database
from shared.persistence.retry import patiently
from shared.sessions import SessionStore, UserLock, UserSession

log = logging.getLogger(__name__)

QUEUEABLE = frozenset({"message", "document", "edit", "markup", "photo", "media"})
BACKLOG_SECONDS = 24 * 3600
PATIENCE_SECONDS = 5.0  # for learning a prompt's message id (its buttons only work once it is known)


# ----------------------------------------------------------------- replies as data (Turn builds them)


def message(chat_id: int, text: str, markup: Markup | None, *, ref: str, parse_mode: str | None = "HTML") -> Reply:
    return {"kind": "message", "chat_id": chat_id, "text": text, "parse_mode": parse_mode,
            "markup": markup_to_json(markup), "ref": ref}  # fmt: skip


def edit(chat_id: int, message_id: int, text: str, markup: Markup | None, *, ref: str) -> Reply:
    return {"kind": "edit", "chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": "HTML",
            "markup": markup_to_json(markup), "ref": ref}  # fmt: skip


def buttons_only(chat_id: int, message_id: int, markup: Markup | None, *, ref: str) -> Reply:
    return {"kind": "markup", "chat_id": chat_id, "message_id": message_id, "markup": markup_to_json(markup),
            "ref": ref}  # fmt: skip


def document(chat_id: int, filename: str, content: bytes, caption: str | None, *, ref: str) -> Reply:
    return {"kind": "document", "chat_id": chat_id, "filename": filename, "caption": caption, "parse_mode": "HTML",
            "attachment_b64": base64.b64encode(content).decode(), "ref": ref}  # fmt: skip


def photo(chat_id: int, filename: str, content: bytes, caption: str | None, markup: Markup | None, *,
          ref: str) -> Reply:  # fmt: skip
    encoded = base64.b64encode(content).decode()
    return {"kind": "photo", "chat_id": chat_id, "filename": filename, "caption": caption, "parse_mode": "HTML",
            "markup": markup_to_json(markup), "attachment_b64": encoded, "ref": ref}  # fmt: skip


def media(chat_id: int, message_id: int, filename: str, content: bytes, caption: str | None, markup: Markup | None,
          *, ref: str) -> Reply:  # fmt: skip
    encoded = base64.b64encode(content).decode()
    return {"kind": "media", "chat_id": chat_id, "message_id": message_id, "filename": filename, "caption": caption,
            "parse_mode": "HTML", "markup": markup_to_json(markup), "attachment_b64": encoded, "ref": ref}  # fmt: skip


def answer(callback_query_id: str, text: str | None, alert: bool) -> Reply:
    return {"kind": "answer", "callback_query_id": callback_query_id, "text": text, "alert": alert}


def command_list(chat_id: int, role: Role, locale: str) -> Reply:
    return {"kind": "commands", "chat_id": chat_id, "role": role.value, "locale": locale}


def _attachment(reply: Reply) -> bytes | None:
    encoded = reply.get("attachment_b64")
    return base64.b64decode(encoded) if encoded else None


def _payload(reply: Reply) -> dict[str, Any]:
    return {k: v for k, v in reply.items() if k not in {"chat_id", "ref", "remember", "attachment_b64"}}


# ----------------------------------------------------------------- sending them


class ReplyFlusher:
    def __init__(
        self,
        *,
        db: Database,
        redis: Redis,
        prefix: str,
        journal: UpdateJournal,
        sessions: SessionStore,
        wake_sender: Callable[[], None],
    ) -> None:
        self.db = db
        self.redis = redis
        self.prefix = prefix
        self.journal = journal
        self.sessions = sessions
        self.wake_sender = wake_sender

    def backlog_key(self, chat_id: int) -> str:
        return f"{self.prefix}:bot:backlog:{chat_id}"

    async def _backlogged(self, chat_id: int) -> bool:
        """Whether replies of this chat wait in the outbox (then new ones must queue behind them)."""
        if not await self.redis.exists(self.backlog_key(chat_id)):
            return False
        async with self.db.session() as session:
            waiting = await session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
                )
            )
        if not waiting:
            await self.redis.delete(self.backlog_key(chat_id))
        return bool(waiting)

    async def flush(
        self,
        bot: Bot,
        *,
        update_id: int,
        session: UserSession,
        lock: UserLock,
        pending: list[Reply] | None = None,
        clear: int | None = None,
    ) -> None:
        """Send what is left of ``update_id``'s replies, in order (see the module docstring); ``pending``:
        what is left, when the caller knows it (it just stored them); ``clear``: a chat the caller knows has
        no backlog (``backlog_key`` read with the lock).

        The last reply leaves the list when the lock is released, in the same round trip."""
        replies = await self.journal.pending(update_id) if pending is None else pending
        backlogged: dict[int, bool] = {} if clear is None else {clear: False}
        for index, reply in enumerate(replies):
            kind = reply["kind"]
            if kind == "answer":
                await _answer(bot, reply)
            elif kind == "commands":
                await commands.publish_for_chat(bot, reply["chat_id"], Role(reply["role"]), reply["locale"])
            else:
                chat_id = int(reply["chat_id"])
                if chat_id not in backlogged:
                    backlogged[chat_id] = await self._backlogged(chat_id)
                if backlogged[chat_id]:
                    await self._hand_over(bot, update_id, replies[index:], lock)
                    return
                try:
                    message_id = await deliver(bot, chat_id=chat_id, payload=reply, attachment=_attachment(reply))
                except (Forbidden, InvalidToken) as exc:
                    log.warning("the user blocked the bot; replies dropped", extra={"update_id": update_id,
                                                                                   "error": str(exc)})  # fmt: skip
                    await self.journal.forget_replies(self.sessions, lock, update_id)
                    return
                except BadRequest as exc:
                    log.warning("a reply cannot be sent; dropped", extra={"update_id": update_id, "error": str(exc)})
                except (TelegramError, OSError) as exc:
                    log.warning("Telegram did not take a reply; it goes through the outbox",
                                extra={"update_id": update_id, "error": str(exc)})  # fmt: skip
                    await self._hand_over(bot, update_id, replies[index:], lock)
                    return
                else:
                    remember = reply.get("remember")
                    if remember and session.data.get(remember) == reply.get("ref"):
                        session.data[remember] = message_id  # the prompt whose buttons count, once it is known
                        await self._sent(update_id, lock, session)
                        continue
            if index == len(replies) - 1:
                self.journal.sent_first_on_release(lock, update_id)
            else:
                await self._sent(update_id, lock)

    async def _sent(self, update_id: int, lock: UserLock, session: UserSession | None = None) -> None:
        """Take the first reply off the list (with the session, when a prompt's id was learnt).

        Redis failing here does not stop the other replies: the list only matters if this process dies.
        """

        async def record() -> None:
            if session is None:
                await self.journal.sent_first(self.sessions, lock, update_id)
            else:
                await self.sessions.save(session, lock=lock, also=self.journal.pop(update_id))

        try:
            await patiently(record, seconds=PATIENCE_SECONDS if session is not None else 0, what="recording a reply")
        except (RedisError, OSError, TimeoutError):
            log.warning("could not record a reply as sent", extra={"update_id": update_id}, exc_info=True)

    async def _hand_over(self, bot: Bot, update_id: int, rest: list[Reply], lock: UserLock) -> None:
        """Queue ``rest`` in the outbox (once: a row per reply ``ref``), answer the button now, forget the list."""
        queued = [r for r in rest if r["kind"] in QUEUEABLE]
        refs = [str(r["ref"]) for r in queued]
        async with self.db.transaction() as session:
            present = set(await session.scalars(select(OutboxMessage.ref).where(OutboxMessage.ref.in_(refs))))
            for reply in queued:
                if reply["ref"] not in present:
                    session.add(OutboxMessage(chat_id=int(reply["chat_id"]), payload=_payload(reply),
                                              attachment=_attachment(reply), ref=reply["ref"]))  # fmt: skip
        for chat_id in {int(r["chat_id"]) for r in queued}:
            await self.redis.set(self.backlog_key(chat_id), "1", ex=BACKLOG_SECONDS)
        for reply in rest:
            if reply["kind"] == "answer":
                await _answer(bot, reply)
        await self.journal.forget_replies(self.sessions, lock, update_id)
        self.wake_sender()


async def _answer(bot: Bot, reply: Reply) -> None:
    """Stop the pressed button's spinner (best effort: a query answered late or twice is refused, harmlessly)."""
    try:
        await bot.answer_callback_query(reply["callback_query_id"], text=reply.get("text"),
                                        show_alert=bool(reply.get("alert")))  # fmt: skip
    except TelegramError as exc:
        log.info("could not answer a button press: %s", exc)
