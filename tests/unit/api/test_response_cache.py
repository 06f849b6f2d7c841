"""The report cache: computed once per key while fresh (also for concurrent callers), per database, and
never in the way — no cache when disabled, the answer computed when Redis is down."""

from __future__ import annotations

import asyncio

import fakeredis
from redis.exceptions import ConnectionError as RedisConnectionError

from api.cache import ResponseCache


def _cache(redis, *, url: str = "postgresql://db/one", seconds: float = 60) -> ResponseCache:
    return ResponseCache(redis, namespace="test", database_url=url, seconds=seconds)


class _Builder:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(0.01)
        return f'{{"n": {self.calls}}}'


async def test_concurrent_readers_share_one_computation_and_later_ones_the_stored_answer():
    redis = fakeredis.FakeAsyncRedis(decode_responses=True)
    cache, build = _cache(redis), _Builder()
    answers = await asyncio.gather(*(cache.json("k", build) for _ in range(10)))
    assert set(answers) == {'{"n": 1}'} and build.calls == 1
    assert await cache.json("k", build) == '{"n": 1}' and build.calls == 1
    assert 0 < await redis.pttl(next(iter(await redis.keys("test:api-cache:*")))) <= 60_000
    assert cache._building == {}


async def test_keys_are_per_database_and_a_zero_lifetime_disables_the_cache():
    redis = fakeredis.FakeAsyncRedis(decode_responses=True)
    build = _Builder()
    await _cache(redis, url="sqlite:///a").json("k", build)
    await _cache(redis, url="sqlite:///b").json("k", build)
    assert build.calls == 2
    off = _cache(redis, seconds=0)
    await off.json("k", build)
    await off.json("k", build)
    assert build.calls == 4


async def test_redis_down_means_computing_the_answer():
    class Down:
        async def get(self, *_a, **_k):
            raise RedisConnectionError("down")

        async def set(self, *_a, **_k):
            raise RedisConnectionError("down")

    build = _Builder()
    cache = _cache(Down())  # type: ignore[arg-type]
    assert await cache.json("k", build) == '{"n": 1}'
    assert await cache.json("k", build) == '{"n": 2}'


async def test_a_hung_redis_costs_one_short_wait_then_is_left_alone_for_a_while():
    class Hung:
        calls = 0

        async def get(self, *_a, **_k):
            Hung.calls += 1
            await asyncio.sleep(60)

        async def set(self, *_a, **_k):
            Hung.calls += 1
            await asyncio.sleep(60)

    build = _Builder()
    cache = _cache(Hung())  # type: ignore[arg-type]
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await cache.json("k", build) == '{"n": 1}'
    assert await cache.json("k", build) == '{"n": 2}'
    assert loop.time() - started < 1.5  # one bounded wait, not one per call
    assert Hung.calls == 1
