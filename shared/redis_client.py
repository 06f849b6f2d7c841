"""The Redis client every service shares: a real server, or an in-process store when REDIS_URL is empty."""

from __future__ import annotations

import functools

import fakeredis
from redis.asyncio import Redis


@functools.cache
def _in_process_server() -> fakeredis.FakeServer:
    # One server per process so the bot, the API and the scheduler of `chronos all` see the same keys.
    return fakeredis.FakeServer()


def create_redis(url: str) -> Redis:
    if not url:
        return fakeredis.FakeAsyncRedis(server=_in_process_server(), decode_responses=True)
    return Redis.from_url(url, decode_responses=True, health_check_interval=30)
