"""Updates received but not yet handled, kept in Redis until handled: a killed bot loses none.

Telegram forgets an update once the bot confirms it (the next ``getUpdates`` offset, or a 200 to the
webhook). PTB confirms as soon as the update is in its queue, long before it is handled, so a crash in
between would lose it. :class:`DurableQueue` is PTB's update queue with one change: ``put`` records the
update in the inbox (a Redis hash, ``update_id`` → the update and the process that owns it) before PTB
may confirm it. When the update has been handled the processor takes it out (``done``).

Every bot process beats (a key that expires in ``3 × beat``). A :class:`InboxKeeper` in every process
looks for updates whose owner no longer beats (killed), claims them and puts them back into its own
queue; the update journal makes sure one that was in fact handled is not handled twice. If Redis is down
``put`` waits for it: polling stops confirming, so Telegram keeps the updates until Redis is back.
When polling, :class:`RecordingBot` records each ``getUpdates`` answer as a whole, in one round trip
instead of one per update (``put`` then records nothing more; it still does when that write failed).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from telegram import Bot, Update
from telegram.ext import ExtBot

from shared.sessions import Command

log = logging.getLogger(__name__)

BEAT_SECONDS = 1.0
SCAN_LIMIT = 1000
_CLAIM = """
if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('hset', KEYS[1], ARGV[1], ARGV[3]) return 1
end
return 0
"""


class Inbox:
    def __init__(self, redis: Redis, *, prefix: str, beat_seconds: float = BEAT_SECONDS) -> None:
        self.redis = redis
        self.key = f"{prefix}:bot:inbox"
        self.alive_prefix = f"{prefix}:bot:alive:"
        self.owner = uuid.uuid4().hex
        self.beat_seconds = beat_seconds
        self._unacked: set[int] = set()
        self._settled: set[int] = set()
        self._recorded: set[int] = set()

    def _entry(self, update: dict[str, Any]) -> str:
        return json.dumps({"owner": self.owner, "update": update}, default=str)

    async def record(self, update: Update) -> None:
        await self.redis.hset(self.key, str(update.update_id), self._entry(update.to_dict()))

    async def record_batch(self, updates: Sequence[Update]) -> None:
        """Record the updates of one ``getUpdates`` answer in one round trip (``RecordingBot``); queueing
        them then records nothing more (``recorded``)."""
        if not updates:
            return
        await self.redis.hset(self.key, mapping={str(u.update_id): self._entry(u.to_dict()) for u in updates})
        self._recorded.update(u.update_id for u in updates)

    def recorded(self, update_id: int) -> bool:
        """Whether ``record_batch`` recorded this update already (asked once, when it is queued)."""
        if update_id in self._recorded:
            self._recorded.discard(update_id)
            return True
        return False

    def done_command(self, update_id: int) -> Command:
        """What ``done`` does, as a command to run with other Redis work (``settled`` says it ran)."""
        return ("HDEL", self.key, str(update_id))

    def settled(self, update_id: int) -> None:
        """``done_command`` ran: the coming ``done`` has nothing left to do."""
        self._settled.add(update_id)

    async def done(self, update_id: int) -> None:
        """The update was handled (or failed and was answered): forget it (retried later if Redis fails)."""
        if update_id in self._settled:
            self._settled.discard(update_id)
            return
        try:
            await self.redis.hdel(self.key, str(update_id))
        except (RedisError, OSError):
            self._unacked.add(update_id)
            log.warning("could not take update %s out of the inbox; will retry", update_id)

    async def beat(self) -> None:
        """Say this process is alive, and retry the acknowledgements that failed."""
        await self.redis.set(self.alive_prefix + self.owner, "1", px=int(self.beat_seconds * 3000))
        if self._unacked:
            pending = list(self._unacked)
            await self.redis.hdel(self.key, *(str(u) for u in pending))
            self._unacked.difference_update(pending)

    async def leave(self) -> None:
        """Stop beating at once (a clean stop): whatever is left in the inbox may be claimed right away."""
        await self.redis.delete(self.alive_prefix + self.owner)

    async def claim_orphans(self) -> list[dict[str, Any]]:
        """Updates whose owner no longer beats, now owned by this process (as Bot API dicts, oldest first)."""
        entries: dict[str, str] = {}
        async for field, raw in self.redis.hscan_iter(self.key, count=200):
            entries[field] = raw
            if len(entries) >= SCAN_LIMIT:
                break
        parsed = {field: json.loads(raw) for field, raw in entries.items()}
        owners = sorted({entry["owner"] for entry in parsed.values() if entry["owner"] != self.owner})
        if not owners:
            return []
        alive = await self.redis.mget([self.alive_prefix + owner for owner in owners])
        dead = {owner for owner, beat in zip(owners, alive, strict=True) if beat is None}
        claimed = []
        for field in sorted(parsed, key=int):
            entry = parsed[field]
            if entry["owner"] in dead and await self.redis.eval(
                _CLAIM, 1, self.key, field, entries[field], self._entry(entry["update"])
            ):
                claimed.append(entry["update"])
        return claimed


class DurableQueue(asyncio.Queue[object]):
    """PTB's update queue, recording every update in the :class:`Inbox` before PTB can confirm it."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not self.inbox.recorded(item.update_id):
            delay = 0.2
            while True:
                try:
                    await self.inbox.record(item)
                    break
                except (RedisError, OSError) as exc:
                    log.warning("cannot record update %s (Redis: %s); waiting", item.update_id, exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
        await super().put(item)


class InboxKeeper:
    """Beats for this process and brings back the updates of processes that died."""

    def __init__(self, inbox: Inbox, queue: asyncio.Queue[object], bot: Bot) -> None:
        self.inbox = inbox
        self.queue = queue
        self.bot = bot

    async def round(self) -> int:
        """One beat and one look for orphans; how many were put back in the queue."""
        await self.inbox.beat()
        orphans = await self.inbox.claim_orphans()
        for data in orphans:
            update = Update.de_json(data, self.bot)
            log.warning("resuming update %s of a bot process that stopped", update.update_id)
            self.queue.put_nowait(update)  # already in the inbox, now as ours: no second record
        return len(orphans)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.round()
            except (RedisError, OSError) as exc:
                log.warning("inbox keeper: Redis unavailable (%s)", exc)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.inbox.beat_seconds)
            except TimeoutError:
                pass
        try:
            await self.inbox.leave()
        except (RedisError, OSError):
            log.warning("could not say goodbye in the inbox; this process's updates wait for its beat to expire")


class RecordingBot(ExtBot[None]):
    """PTB's bot whose ``getUpdates`` records the updates it got in the :class:`Inbox` before returning them,
    all in one round trip: PTB confirms them (the next ``getUpdates`` offset) only after they are queued."""

    def __init__(self, *args: Any, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self.inbox = inbox

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        try:
            await self.inbox.record_batch(updates)
        except (RedisError, OSError) as exc:  # queueing records them one by one, waiting for Redis
            log.warning("cannot record %d updates at once (Redis: %s)", len(updates), exc)
        return updates
