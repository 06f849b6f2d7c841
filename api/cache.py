"""A short-lived cache of computed JSON answers in Redis, for reports that are costly and change slowly.

The digest of a day for 10,000 employees takes ~0.3 s of CPU to load and serialise; a dashboard polling it
must not cost that on every request. Answers are kept for ``seconds`` under a key naming the database
(so two deployments sharing a Redis never mix), and computed once per key at a time in each process
(the other requests wait for it). A write through the API that changes what a report shows forgets
that report's answers (``forget``); changes made elsewhere (the nightly job, the bot) show within
``seconds``. Redis being down only means no caching: the answer is computed. A Redis that hangs costs a
request at most ``CALL_TIMEOUT`` once: the cache then leaves Redis alone for ``PAUSE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DIGEST = "exceptions:"  # the exception digest's answers (attendance rows, punches, who is out)
CALL_TIMEOUT = 0.5  # a cache answers at once or not at all
PAUSE_SECONDS = 10.0  # after a failure, compute without the cache for a while instead of waiting again


class ResponseCache:
    def __init__(self, redis: Redis, *, namespace: str, database_url: str, seconds: float) -> None:
        digest = hashlib.sha256(database_url.encode()).hexdigest()[:12]
        self.redis = redis
        self.prefix = f"{namespace}:api-cache:{digest}"
        self.seconds = seconds
        self._building: dict[str, asyncio.Lock] = {}
        self._paused_until = 0.0

    async def _call(self, what: str, key: str, call: Awaitable[Any]) -> Any:
        """One bounded Redis call; None (and a pause) when Redis fails or is slow."""
        if time.monotonic() < self._paused_until:
            if asyncio.iscoroutine(call):
                call.close()
            return None
        try:
            return await asyncio.wait_for(call, timeout=CALL_TIMEOUT)
        except (RedisError, OSError, TimeoutError) as exc:
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("response cache: Redis unavailable (%s %s: %r); not caching for %.0f s",
                           what, key, exc, PAUSE_SECONDS)  # fmt: skip
            return None

    async def _get(self, key: str) -> str | None:
        found = await self._call("get", key, self.redis.get(key))
        return str(found) if found is not None else None

    async def _put(self, key: str, value: str) -> None:
        await self._call("set", key, self.redis.set(key, value, px=max(1, int(self.seconds * 1000))))

    async def json(self, key: str, build: Callable[[], Awaitable[str]]) -> str:
        """The cached answer for ``key``, or ``build()``'s (then kept for ``seconds``)."""
        if self.seconds <= 0:
            return await build()
        full = f"{self.prefix}:{key}"
        found = await self._get(full)
        if found is not None:
            return found
        lock = self._building.setdefault(full, asyncio.Lock())
        try:
            async with lock:
                found = await self._get(full)
                if found is None:
                    found = await build()
                    await self._put(full, found)
            return found
        finally:
            if not lock.locked() and self._building.get(full) is lock:
                del self._building[full]

    async def forget(self, key_prefix: str) -> None:
        """Drop every cached answer whose key starts with ``key_prefix`` (after a write that changes them)."""
        if self.seconds <= 0:
            return
        try:
            keys = [key async for key in self.redis.scan_iter(match=f"{self.prefix}:{key_prefix}*", count=500)]
            if keys:
                await self.redis.delete(*keys)
        except (RedisError, OSError):
            logger.warning("response cache: could not forget %s*", key_prefix, exc_info=True)
