"""Attempt limits in Redis: at most ``limit`` failures per ``window`` per Telegram user (wrong invitation codes).

The window starts at the first failure (fixed window, like a login lockout): after five wrong codes in an
hour the user waits until the hour since the first one is over. Shared by every bot replica.
"""

from __future__ import annotations

from redis.asyncio import Redis


class AttemptLimiter:
    def __init__(self, redis: Redis, *, prefix: str, name: str, limit: int = 5, window_seconds: int = 3600) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:limit:{name}"
        self.limit = limit
        self.window_seconds = window_seconds

    def _key(self, user_id: int) -> str:
        return f"{self.prefix}:{user_id}"

    async def wait_seconds(self, user_id: int) -> int:
        """0 when the user may try; otherwise how long until the window is over."""
        key = self._key(user_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.ttl(key)
            raw, ttl = await pipe.execute()
        if raw is None or int(raw) < self.limit:
            return 0
        return max(1, int(ttl)) if ttl and ttl > 0 else self.window_seconds

    async def failed(self, user_id: int) -> int:
        """Count one failure; returns the failures in the current window."""
        key = self._key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def left(self, user_id: int) -> int:
        raw = await self.redis.get(self._key(user_id))
        return max(0, self.limit - int(raw or 0))

    async def reset(self, user_id: int) -> None:
        await self.redis.delete(self._key(user_id))
