"""What the bot did with an update, in Redis: handled or not, and the replies still to send.

Handling an update ends with one atomic Redis transaction (``SessionStore.save`` under the user's lock):
the session as the step left it, the update's replies in a list, and a "done" mark for its ``update_id``.
The replies are sent after that, each one taken off the list once Telegram has it. So:

- a crash before the transaction leaves no trace in Redis (a database change made by the step is kept
  and is idempotent when the update is handled again: see docs/reliability.md);
- a crash after it leaves a done mark (a redelivered update is not handled twice) and the replies not
  yet sent (they go out when the update is seen again, at least once).
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from shared.sessions import Command, SessionStore, UserLock

Reply = dict[str, Any]
KEEP_SECONDS = 2 * 24 * 3600  # Telegram keeps an unconfirmed update for 24 hours


class UpdateJournal:
    def __init__(self, redis: Redis, *, prefix: str, keep_seconds: int = KEEP_SECONDS) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:bot:update"
        self.keep_seconds = keep_seconds

    def done_key(self, update_id: int) -> str:
        return f"{self.prefix}:{update_id}:done"

    def replies_key(self, update_id: int) -> str:
        return f"{self.prefix}:{update_id}:replies"

    async def is_done(self, update_id: int) -> bool:
        return bool(await self.redis.exists(self.done_key(update_id)))

    @staticmethod
    def encode(replies: list[Reply]) -> list[str]:
        """The replies as the list stores them (``decode`` gives back what ``pending`` would read)."""
        return [json.dumps(r, default=str) for r in replies]

    @staticmethod
    def decode(stored: list[str] | list[bytes | str]) -> list[Reply]:
        return [json.loads(raw) for raw in stored]

    def stage(self, update_id: int, replies: list[Reply] | list[str]) -> list[Command]:
        """The commands that record the update as handled with ``replies`` (or their ``encode``) to send
        (for ``SessionStore.save``)."""
        key = self.replies_key(update_id)
        commands: list[Command] = [("DEL", key)]
        if replies:
            commands += [("RPUSH", key, *(r if isinstance(r, str) else json.dumps(r, default=str) for r in replies)),
                         ("EXPIRE", key, self.keep_seconds)]  # fmt: skip
        commands.append(("SET", self.done_key(update_id), "1", "EX", self.keep_seconds))
        return commands

    async def pending(self, update_id: int) -> list[Reply]:
        """The replies of ``update_id`` not sent yet, in order."""
        return self.decode(await self.redis.lrange(self.replies_key(update_id), 0, -1))

    def pop(self, update_id: int) -> list[Command]:
        """The command that takes the first reply off the list (once it is sent)."""
        return [("LPOP", self.replies_key(update_id))]

    async def sent_first(self, sessions: SessionStore, lock: UserLock, update_id: int) -> None:
        await sessions.fenced(lock, self.pop(update_id))

    def sent_first_on_release(self, lock: UserLock, update_id: int) -> None:
        """Take the first reply off the list when ``lock`` is released (the last reply: one round trip less)."""
        lock.on_release += self.pop(update_id)

    async def forget_replies(self, sessions: SessionStore, lock: UserLock, update_id: int) -> None:
        """Drop what is left of the list (it was handed over to the outbox, or cannot be sent at all)."""
        await sessions.fenced(lock, [("DEL", self.replies_key(update_id))])
