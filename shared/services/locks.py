"""Leases in Redis: short, renewed while the holder is alive, released only by their owner.

A lease is ``SET key owner NX PX ttl``. The holder renews it every third of the TTL while its work runs
(:meth:`RedisLock.kept_alive`) and deletes it with a compare-and-delete when done. A holder that dies (SIGKILL,
power loss, a hung event loop) stops renewing, so the lease frees itself within one TTL: keep TTLs short
(JOB_LOCK_TTL_SECONDS, 15 s by default) rather than as long as the longest job.

:func:`claim_once` is the "first one wins" claim used for scheduled instants and for the jobs run once when
the scheduler cluster starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator

from redis.asyncio import Redis

log = logging.getLogger(__name__)

DEFAULT_LOCK_TTL = 15.0
MIN_TTL_MS = 1000
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
)


def owner_id() -> str:
    """Who holds a lock: host, process and a random part (two runs of one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RedisLock:
    """A lease in Redis: SET NX PX, renewed while held, released only by its owner.

    ``lost`` turns true when a renewal finds the lease gone or taken over: the holder must then stop doing
    what the lease protects (check it before every step that must not run twice).
    """

    def __init__(self, redis: Redis, key: str, *, ttl: float = DEFAULT_LOCK_TTL, owner: str | None = None) -> None:
        self.redis = redis
        self.key = key
        self.ttl_ms = max(MIN_TTL_MS, int(ttl * 1000))
        self.owner = owner or owner_id()
        self.lost = False

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.owner, nx=True, px=self.ttl_ms))

    async def holder(self) -> str | None:
        value = await self.redis.get(self.key)
        return None if value is None else str(value)

    async def release(self) -> None:
        with contextlib.suppress(Exception):  # an unreachable Redis lets the lease expire on its own
            await self.redis.eval(_RELEASE, 1, self.key, self.owner)  # type: ignore[misc]

    async def renew(self) -> bool:
        return bool(await self.redis.eval(_RENEW, 1, self.key, self.owner, str(self.ttl_ms)))  # type: ignore[misc]

    @contextlib.asynccontextmanager
    async def kept_alive(self) -> AsyncIterator[None]:
        """Renew the lease every third of its TTL while the block runs."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.ttl_ms / 3000)
                try:
                    if not await self.renew():
                        self.lost = True
                        log.error("lock %s was lost (expired or taken over) while held", self.key)
                        return
                except Exception as exc:  # a Redis hiccup: try again at the next tick
                    log.warning("could not renew lock %s: %r", self.key, exc)

        task = asyncio.create_task(keep(), name=f"renew {self.key}")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def claim_once(redis: Redis, key: str, *, owner: str, ttl_seconds: float) -> bool:
    """True for the first caller that claims ``key``; the claim is kept for ``ttl_seconds`` (never released)."""
    return bool(await redis.set(key, owner, nx=True, px=max(MIN_TTL_MS, int(ttl_seconds * 1000))))
