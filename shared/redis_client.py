"""The Redis client every service shares: a real server, or an in-process store when REDIS_URL is empty.

A real server's client has deadlines: connecting (``connect_timeout``) and every command
(``socket_timeout``), so a Redis that hangs fails a call in seconds instead of holding it for minutes.
"""

from __future__ import annotations

import functools

import fakeredis
from redis.asyncio import Redis

from shared.config import Settings

CONNECT_TIMEOUT_SECONDS = 2.0
SOCKET_TIMEOUT_SECONDS = 5.0


@functools.cache
def _in_process_server() -> fakeredis.FakeServer:
    # One server per process so the bot, the API and the scheduler of `chronos all` see the same keys.
    return fakeredis.FakeServer()


def create_redis(
    url: str,
    *,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
) -> Redis:
    if not url:
        return fakeredis.FakeAsyncRedis(server=_in_process_server(), decode_responses=True)
    return Redis.from_url(
        url,
        decode_responses=True,
        health_check_interval=30,
        socket_connect_timeout=connect_timeout,
        socket_timeout=socket_timeout,
    )


def redis_from_settings(settings: Settings) -> Redis:
    """REDIS_URL with the REDIS_*_TIMEOUT_SECONDS deadlines."""
    return create_redis(
        settings.redis_url,
        connect_timeout=settings.redis_connect_timeout_seconds,
        socket_timeout=settings.redis_socket_timeout_seconds,
    )
