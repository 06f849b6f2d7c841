"""Conversation sessions and per-user locks on real Redis (and the in-process default)."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from shared.errors import Conflict
from shared.redis_client import create_redis
from shared.sessions import LockLost, SessionBusy, SessionStore, UserSession
from tests.conftest import TEST_REDIS_URL


@pytest.fixture(params=["real", "in-process"])
async def store(request, real_redis, redis_prefix):
    client = real_redis if request.param == "real" else create_redis("")
    return SessionStore(client, prefix=redis_prefix, ttl_seconds=60)


async def test_a_new_user_has_an_empty_session(store: SessionStore):
    session = await store.load(42)
    assert session.data == {} and session.version == 0


async def test_a_saved_session_loads_back_with_a_new_version(store: SessionStore):
    session = await store.load(1)
    session.data = {"flow": "leave", "step": "start", "answers": {"type": 3}}
    await store.save(session)
    again = await store.load(1)
    assert again.data["answers"] == {"type": 3}
    assert again.flow == "leave" and again.version == 1


async def test_a_stale_writer_is_told_it_lost_the_race(store: SessionStore):
    first = await store.load(2)
    second = await store.load(2)
    first.data["step"] = "a"
    await store.save(first)
    second.data["step"] = "b"
    with pytest.raises(Conflict):
        await store.save(second)
    assert (await store.load(2)).step == "a"


async def test_clear_forgets_the_session(store: SessionStore):
    s = await store.load(3)
    s.data["flow"] = "x"
    await store.save(s)
    await store.clear(3)
    assert (await store.load(3)).data == {}


async def test_a_session_expires_after_its_ttl(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix, ttl_seconds=1)
    s = UserSession(9, {"flow": "leave"})
    await store.save(s)
    assert 0 < await store.ttl(9) <= 1
    await asyncio.sleep(1.3)
    assert (await store.load(9)).data == {}


async def test_a_second_client_sees_the_first_clients_state(real_redis: Redis, redis_prefix: str):
    other = Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    try:
        a = SessionStore(real_redis, prefix=redis_prefix)
        b = SessionStore(other, prefix=redis_prefix)
        s = await a.load(5)
        s.data = {"flow": "leave", "step": "end_date"}
        await a.save(s)
        seen = await b.load(5)
        assert seen.step == "end_date" and seen.version == 1
    finally:
        await other.aclose()


async def test_the_user_lock_excludes_a_second_client(real_redis: Redis, redis_prefix: str):
    other = Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    order: list[str] = []
    try:
        a = SessionStore(real_redis, prefix=redis_prefix)
        b = SessionStore(other, prefix=redis_prefix)

        async def hold() -> None:
            async with a.lock(7):
                order.append("a-in")
                await asyncio.sleep(0.3)
                order.append("a-out")

        async def wait_then_enter() -> None:
            await asyncio.sleep(0.05)
            async with b.lock(7):
                order.append("b-in")

        await asyncio.gather(hold(), wait_then_enter())
        assert order == ["a-in", "a-out", "b-in"]
    finally:
        await other.aclose()


async def test_a_lock_held_too_long_makes_the_next_update_busy(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    async with store.lock(8, ttl=5):
        with pytest.raises(SessionBusy):
            async with store.lock(8, wait=0.2):
                pass


async def test_different_users_do_not_block_each_other(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    async with store.lock(10):
        async with store.lock(11, wait=0.2):
            pass


async def test_a_dead_holder_frees_the_user_within_the_short_ttl(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    await real_redis.set(store.lock_key(12), "a-process-that-was-killed", px=1000)  # never renewed, never released
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with store.lock(12, ttl=1, wait=5):
        waited = loop.time() - started
    assert waited < 1.5


async def test_a_holder_that_works_longer_than_the_ttl_keeps_its_lock(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    async with store.lock(13, ttl=0.3) as lock:
        await asyncio.sleep(1.0)  # three TTLs: renewed in the background
        with pytest.raises(SessionBusy):
            async with store.lock(13, wait=0.2):
                pass
        session = await store.load(13)
        session.data["step"] = "done"
        await store.save(session, lock=lock)
    assert (await store.load(13)).step == "done"
    assert await real_redis.get(store.lock_key(13)) is None  # released on the way out


async def test_a_holder_that_lost_its_lock_writes_nothing(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    async with store.lock(14, ttl=5) as lock:
        session = await store.load(14)
        await real_redis.set(store.lock_key(14), "another-replica")  # ours expired; someone else holds it now
        session.data["step"] = "late"
        with pytest.raises(LockLost):
            await store.save(session, lock=lock, also=[("SET", f"{redis_prefix}:also", "1")])
    assert (await store.load(14)).data == {}
    assert await real_redis.get(f"{redis_prefix}:also") is None
    assert await real_redis.get(store.lock_key(14)) == "another-replica"  # and we did not release theirs


async def test_taking_the_lock_with_a_marker_reads_the_session_and_the_marker_at_once(store: SessionStore):
    session = await store.load(7)
    session.data = {"flow": "checkin", "step": "where"}
    await store.save(session)
    marker = f"{store.prefix}:test-marker:7"
    async with store.lock(7, ttl=1, wait=1, marker=marker) as held:
        assert held.session is not None and held.session.data == {"flow": "checkin", "step": "where"}
        assert held.session.version == 1 and held.marked is False
    await store.redis.set(marker, "1", ex=60)
    async with store.lock(7, ttl=1, wait=1, marker=marker) as held:
        assert held.marked is True


async def test_a_marker_lock_on_a_new_user_gives_an_empty_session_and_still_excludes_others(store: SessionStore):
    marker = f"{store.prefix}:test-marker:8"
    async with store.lock(8, ttl=1, wait=1, marker=marker) as held:
        assert held.session == UserSession(8) and held.marked is False
        with pytest.raises(SessionBusy):
            async with store.lock(8, ttl=1, wait=0.2, marker=marker):
                pass


async def test_commands_left_for_the_release_run_only_while_the_lock_is_ours(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    async with store.lock(15) as lock:
        lock.on_release.append(("SET", f"{redis_prefix}:left:15", "1"))
    assert lock.released and await real_redis.get(f"{redis_prefix}:left:15") == "1"
    assert await real_redis.get(store.lock_key(15)) is None
    async with store.lock(16) as lock:
        lock.on_release.append(("SET", f"{redis_prefix}:left:16", "1"))
        await real_redis.set(store.lock_key(16), "another-replica")  # ours expired; someone else holds it now
    assert not lock.released and await real_redis.get(f"{redis_prefix}:left:16") is None
    assert await real_redis.get(store.lock_key(16)) == "another-replica"


async def test_renewing_the_lock_while_saving_does_not_count_as_losing_it(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    async with store.lock(17, ttl=0.1) as lock:  # renewed every 33 ms meanwhile
        session = await store.load(17)
        for n in range(60):
            session.data["n"] = n
            await store.save(session, lock=lock, also=[("SET", f"{redis_prefix}:n", n)])
            await asyncio.sleep(0.003)
    assert (await store.load(17)).data["n"] == 59 and not lock.lost


async def test_a_keeper_whose_redis_call_swallows_the_cancellation_still_stops(real_redis: Redis, redis_prefix: str):
    store = SessionStore(real_redis, prefix=redis_prefix)
    renewals = 0

    async def stubborn_renew() -> bool:  # a client that catches the cancellation of its call and goes on
        nonlocal renewals
        renewals += 1
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            await asyncio.sleep(0.05)
        return True

    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(5):  # a backstop: before the fix, leaving the lock waited for the keeper forever
        async with store.lock(18, ttl=0.1) as lock:
            lock.renew = stubborn_renew  # type: ignore[method-assign]
            await asyncio.sleep(0.3)
    assert loop.time() - started < 2, "leaving the lock waits a bounded time"
    seen = renewals
    await asyncio.sleep(0.3)
    assert renewals == seen, "the keeper renews nothing after the holder left"
