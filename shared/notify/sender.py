"""Delivering the outbox to Telegram and by e-mail: in order per recipient, with retries, one process at a time.

Each row goes over its ``channel``: Telegram rows to ``chat_id`` through the Bot, e-mail rows to ``email_to``
through the :class:`~shared.notify.smtp.Mailer` (same order, retry, backoff and dead-letter rules; an SMTP 5xx
is permanent like Telegram's 403, a 4xx or a dropped connection is retried).

- A Redis lease makes sure exactly one sender works at a time however many bot replicas run. It is
  short (``lease_seconds``, OUTBOX_LEASE_SECONDS) and renewed at every poll and while a drain runs, so
  when the holder is killed another replica takes over within seconds; a sender that lost its lease
  stops before its next message; a sender that stops lets go of it at once.
- The Bot we are given has a read timeout longer than Telegram's slow answers (TELEGRAM_TIMEOUT_SECONDS):
  a call that timed out may still have been delivered, and is retried (at least once, never lost).
- A chat's messages go out in the order they were written: a message waits while an older message of
  the same chat is still pending (for instance backing off after a 5xx).
- 429 → wait ``retry_after`` (not counted as a failure); 5xx / network → exponential backoff, counted;
  after ``max_attempts`` failures, or at once for permanent errors (bot blocked, chat not found), the
  message is marked dead: the metrics and the HR digest count dead messages.
- Telegram's own flood limits are respected by PTB's ``AIORateLimiter`` on the Bot we are given.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import select, update
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from shared.domain.enums import Channel, OutboxStatus
from shared.model import OutboxMessage, utcnow
from shared.notify.delivery import deliver
from shared.notify.smtp import MailDeferred, Mailer, MailRefused
from shared.persistence import Database
from shared.persistence.errors import is_unavailable, one_line
from shared.persistence.retry import patiently

log = logging.getLogger(__name__)

LEASE_KEY = "outbox:sender:lease"
RECORD_PATIENCE_SECONDS = 15.0
PERMANENT = (Forbidden, InvalidToken)


@dataclass
class DrainStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … capped at 5 minutes."""
    return timedelta(seconds=min(2 ** max(0, attempts - 1), 300))


def _retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` as seconds: PTB 22 gives an int (deprecated, with a warning) or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return float(value if isinstance(value, int | float) else value.total_seconds())


class OutboxSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        redis: Redis,
        *,
        max_attempts: int = 8,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        prefix: str = "chronos",
        lease_seconds: float = 5.0,
        mailer: Mailer | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.mailer = mailer
        self.redis = redis
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.lease_key = f"{prefix}:{LEASE_KEY}"
        self.lease_ms = max(1000, int(lease_seconds * 1000))
        self.owner = uuid.uuid4().hex
        self.wake = asyncio.Event()
        self._lost = False
        self._waiting_for_dependency = False

    async def _hold_lease(self) -> bool:
        """Take or extend the sender lease; False when another process holds it."""
        if await self.redis.set(self.lease_key, self.owner, nx=True, px=self.lease_ms):
            return True
        if await self.redis.get(self.lease_key) == self.owner:
            await self.redis.pexpire(self.lease_key, self.lease_ms)
            return True
        return False

    async def _keep_lease(self) -> None:
        """While a drain runs: renew the lease every third of its life; note when it was lost."""
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            try:
                if not await self._hold_lease():
                    self._lost = True
                    log.warning("outbox sender lost its lease; stopping this drain")
                    return
            except Exception:
                log.warning("could not renew the outbox sender lease", exc_info=True)

    async def release(self) -> None:
        """Let go of the lease (if we hold it) so another sender need not wait for it to expire."""
        try:
            if await self.redis.get(self.lease_key) == self.owner:
                await self.redis.delete(self.lease_key)
        except Exception:
            log.warning("could not release the outbox sender lease; it expires on its own", exc_info=True)

    async def _due(self, now: datetime) -> list[list[OutboxMessage]]:
        """Pending messages that may go now, grouped by recipient (a chat, an address), oldest first, never
        overtaking a waiting one."""
        async with self.db.session() as session:
            rows: Sequence[OutboxMessage] = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.PENDING)
                    .order_by(OutboxMessage.id)
                    .limit(self.batch_size)
                )
            ).all()
        by_chat: dict[tuple[str, object], list[OutboxMessage]] = defaultdict(list)
        blocked: set[tuple[str, object]] = set()
        for row in rows:
            key = (row.channel, row.email_to if row.channel is Channel.EMAIL else row.chat_id)
            if key in blocked:
                continue
            if row.next_attempt_at > now:
                blocked.add(key)
                continue
            by_chat[key].append(row)
        return list(by_chat.values())

    async def drain_once(self, now: datetime | None = None) -> DrainStats:
        stats = DrainStats()
        if not await self._hold_lease():
            return stats
        self._lost = False
        chats = await self._due(now or utcnow())
        if not chats:
            return stats
        keeper = asyncio.create_task(self._keep_lease())
        try:
            await asyncio.gather(*(self._send_chat(rows, stats) for rows in chats))
        finally:
            keeper.cancel()
        return stats

    async def _send_chat(self, rows: list[OutboxMessage], stats: DrainStats) -> None:
        for row in rows:
            if self._lost:
                return  # another sender has the lease now: it will send the rest
            if not await self._send_one(row, stats):
                return  # keep the chat's order: the rest waits for this one

    async def _edit_target(self, row: OutboxMessage) -> int | None:
        async with self.db.session() as session:
            return await session.scalar(
                select(OutboxMessage.telegram_message_id)
                .where(
                    OutboxMessage.ref == row.payload.get("edit_ref"),
                    OutboxMessage.chat_id == row.chat_id,
                    OutboxMessage.status == OutboxStatus.SENT,
                )
                .order_by(OutboxMessage.id.desc())
                .limit(1)
            )

    async def _deliver(self, row: OutboxMessage) -> int | None:
        payload = row.payload
        if row.channel is Channel.EMAIL:
            if self.mailer is None:
                raise MailRefused("no SMTP server: set SMTP_URL and MAIL_FROM for the process that sends")
            if not row.email_to:
                raise MailRefused("the row names no address")
            await self.mailer.send(to=row.email_to, payload=payload, attachment=row.attachment)
            return None
        if row.chat_id is None:
            raise BadRequest("the row names no chat")
        target = None
        if payload.get("kind") == "edit" and not payload.get("message_id") and payload.get("edit_ref"):
            target = await self._edit_target(row)
        return await deliver(self.bot, chat_id=row.chat_id, payload=payload, attachment=row.attachment,
                             edit_target=target)  # fmt: skip

    async def _send_one(self, row: OutboxMessage, stats: DrainStats) -> bool:
        values: dict[str, object]
        ok = False
        log.debug("outbox %s: sending", row.id)  # with "recorded" below: the window a crash may double a message
        try:
            message_id = await self._deliver(row)
        except RetryAfter as exc:
            wait = _retry_after_seconds(exc)
            values = {"next_attempt_at": utcnow() + timedelta(seconds=float(wait)), "last_error": f"429 {exc}"}
            stats.waiting += 1
        except (*PERMANENT, BadRequest, MailRefused) as exc:
            values = {"status": OutboxStatus.DEAD, "attempts": row.attempts + 1, "last_error": str(exc)[:500]}
            stats.dead += 1
            log.warning("outbox message is undeliverable", extra={"outbox_id": row.id, "error": str(exc)})
        except (TelegramError, OSError, MailDeferred) as exc:
            attempts = row.attempts + 1
            if attempts >= self.max_attempts:
                values = {"status": OutboxStatus.DEAD, "attempts": attempts, "last_error": str(exc)[:500]}
                stats.dead += 1
                log.error("outbox message is dead after retries", extra={"outbox_id": row.id, "attempts": attempts})
            else:
                values = {
                    "attempts": attempts,
                    "next_attempt_at": utcnow() + backoff(attempts),
                    "last_error": str(exc)[:500],
                }
                stats.retried += 1
        else:
            values = {
                "status": OutboxStatus.SENT,
                "sent_at": utcnow(),
                "telegram_message_id": message_id,
                "last_error": None,
            }
            stats.sent += 1
            ok = True

        async def record() -> None:
            async with self.db.transaction() as session:
                await session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))

        # Telegram has the message now: losing the record would send it again, so try hard (a dropped
        # database connection, a restart) before giving up
        await patiently(record, seconds=RECORD_PATIENCE_SECONDS, what=f"recording outbox {row.id}")
        log.debug("outbox %s: recorded", row.id)
        return ok

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until ``stop`` is set; wakes early when ``wake`` is set by a writer in this process."""
        log.info("outbox sender started")
        try:
            while not stop.is_set():
                self.wake.clear()  # before draining: a row written during the drain wakes the next round
                try:
                    stats = await self.drain_once()
                    if stats.sent or stats.dead or stats.retried:
                        log.info(
                            "outbox drained",
                            extra={"sent": stats.sent, "retried": stats.retried, "dead": stats.dead},
                        )
                except Exception as exc:
                    if not is_unavailable(exc):
                        log.exception("outbox drain failed; retrying")
                    elif not self._waiting_for_dependency:  # one line per outage, not one per poll
                        log.warning("outbox drain: %s; retrying until it is back", one_line(exc))
                    self._waiting_for_dependency = is_unavailable(exc)
                else:
                    self._waiting_for_dependency = False
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
                _done, pending = await asyncio.wait(
                    waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
                for task in pending:
                    task.cancel()
        finally:
            await self.release()
            log.info("outbox sender stopped")
