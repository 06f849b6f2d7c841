"""Per-user conversation sessions in Redis, shared by every bot replica.

A session is a small JSON document (the flow the user is in, its step and collected answers) stored
under one key with a TTL and a version. Every update of a user runs under that user's lock, so two
replicas never interleave one user's updates; the version lets a writer notice it lost a race.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError

from shared.errors import N_, Conflict

log = logging.getLogger(__name__)


@dataclass
class UserSession:
    user_id: int
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0

    @property
    def flow(self) -> str | None:
        return self.data.get("flow")

    @property
    def step(self) -> str | None:
        return self.data.get("step")


class SessionBusy(Conflict):
    """Another update of the same user holds the lock for too long."""


class SessionStore:
    def __init__(self, redis: Redis, *, prefix: str = "chronos", ttl_seconds: int = 24 * 3600) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds

    def _key(self, user_id: int) -> str:
        return f"{self.prefix}:session:{user_id}"

    def _lock_key(self, user_id: int) -> str:
        return f"{self.prefix}:lock:user:{user_id}"

    async def load(self, user_id: int) -> UserSession:
        raw = await self.redis.get(self._key(user_id))
        if raw is None:
            return UserSession(user_id)
        doc = json.loads(raw)
        return UserSession(user_id, doc.get("data", {}), int(doc.get("version", 0)))

    async def save(self, session: UserSession) -> UserSession:
        """Store ``session`` if nobody saved since it was loaded; bumps and returns the new version."""
        key = self._key(session.user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                raw = await pipe.get(key)
                current = int(json.loads(raw).get("version", 0)) if raw else 0
                if current != session.version:
                    raise Conflict(N_("This conversation changed elsewhere; please start the step again."))
                pipe.multi()
                doc = {"version": current + 1, "data": session.data}
                pipe.set(key, json.dumps(doc, default=str), ex=self.ttl_seconds)
                await pipe.execute()
            except WatchError as exc:
                raise Conflict(N_("This conversation changed elsewhere; please start the step again.")) from exc
        session.version += 1
        return session

    async def clear(self, user_id: int) -> None:
        await self.redis.delete(self._key(user_id))

    async def ttl(self, user_id: int) -> int:
        return int(await self.redis.ttl(self._key(user_id)))

    @contextlib.asynccontextmanager
    async def lock(self, user_id: int, *, timeout: float = 30.0, wait: float = 10.0) -> AsyncIterator[None]:
        """Hold the user's lock: their updates run one at a time across every replica.

        ``timeout`` bounds how long a crashed holder can block others; ``wait`` how long we queue.
        """
        lock = self.redis.lock(self._lock_key(user_id), timeout=timeout, blocking_timeout=wait)
        token = uuid.uuid4().hex
        if not await lock.acquire(token=token):
            raise SessionBusy(N_("Still working on your previous message; please try again in a moment."))
        try:
            yield
        finally:
            try:
                await lock.release()
            except Exception:  # the lock expired while we held it: log, the work is done anyway
                log.warning("user lock expired before release", extra={"user_id": user_id})
