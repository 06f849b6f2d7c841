"""The bot's Redis inbox (updates kept until handled, resumed when their process died) and update journal
(handled-marks and replies saved atomically with the session, fenced by the user's lock), on real Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Bot, Update

from chronos_bot.inbox import DurableQueue, Inbox, InboxKeeper
from chronos_bot.journal import UpdateJournal
from shared.sessions import LockLost, SessionStore

pytestmark = pytest.mark.redis

BOT = Bot("123:ABC")


def _update(update_id: int, text: str = "/help", user: int = 77) -> Update:
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_700_000_000, "text": text,
            "chat": {"id": user, "type": "private"}, "from": {"id": user, "is_bot": False, "first_name": "U"},
        },
    }  # fmt: skip
    update = Update.de_json(data, BOT)
    assert update is not None
    return update


async def test_an_update_is_in_the_inbox_from_the_moment_it_is_queued_until_it_is_done(
    real_redis: Any, redis_prefix: str
) -> None:
    inbox = Inbox(real_redis, prefix=redis_prefix)
    queue = DurableQueue(inbox)
    await queue.put(_update(5))
    assert await real_redis.hexists(inbox.key, "5")
    assert (await queue.get()).update_id == 5  # type: ignore[attr-defined]
    await inbox.done(5)
    assert not await real_redis.hexists(inbox.key, "5")


async def test_the_updates_of_a_process_that_stopped_beating_are_resumed_by_another(
    real_redis: Any, redis_prefix: str
) -> None:
    dead = Inbox(real_redis, prefix=redis_prefix, beat_seconds=0.1)
    await dead.beat()
    await DurableQueue(dead).put(_update(11, "first"))
    await DurableQueue(dead).put(_update(12, "second"))
    alive = Inbox(real_redis, prefix=redis_prefix, beat_seconds=0.1)
    queue: asyncio.Queue[object] = asyncio.Queue()
    keeper = InboxKeeper(alive, queue, BOT)

    assert await keeper.round() == 0  # its owner still beats
    await asyncio.sleep(0.4)  # three beats missed: the process is gone
    assert await keeper.round() == 2
    resumed = [queue.get_nowait(), queue.get_nowait()]
    assert [u.update_id for u in resumed] == [11, 12]  # type: ignore[attr-defined]
    assert [u.message.text for u in resumed] == ["first", "second"]  # type: ignore[attr-defined]
    assert await keeper.round() == 0  # claimed once: a third process does not take them again
    other = InboxKeeper(Inbox(real_redis, prefix=redis_prefix, beat_seconds=0.1), asyncio.Queue(), BOT)
    assert await other.round() == 0


async def test_a_clean_stop_hands_the_unfinished_updates_over_at_once(real_redis: Any, redis_prefix: str) -> None:
    leaving = Inbox(real_redis, prefix=redis_prefix, beat_seconds=30)
    await leaving.beat()
    await DurableQueue(leaving).put(_update(21))
    await leaving.leave()
    queue: asyncio.Queue[object] = asyncio.Queue()
    assert await InboxKeeper(Inbox(real_redis, prefix=redis_prefix), queue, BOT).round() == 1


async def test_session_replies_and_the_handled_mark_are_saved_together_or_not_at_all(
    real_redis: Any, redis_prefix: str
) -> None:
    sessions = SessionStore(real_redis, prefix=redis_prefix)
    journal = UpdateJournal(real_redis, prefix=redis_prefix)
    replies = [{"kind": "message", "chat_id": 7, "text": "hi", "ref": "tg:31:0"}]
    async with sessions.lock(7) as lock:
        session = await sessions.load(7)
        session.data["step"] = "next"
        await sessions.save(session, lock=lock, also=journal.stage(31, replies))
    assert await journal.is_done(31) and await journal.pending(31) == replies
    assert (await sessions.load(7)).step == "next"

    async with sessions.lock(7) as lock:
        session = await sessions.load(7)
        session.data["step"] = "lost"
        await real_redis.set(sessions.lock_key(7), "someone-else")  # our lock expired and was taken
        with pytest.raises(LockLost):
            await sessions.save(session, lock=lock, also=journal.stage(32, replies))
    assert not await journal.is_done(32) and await journal.pending(32) == []
    assert (await sessions.load(7)).step == "next"


async def test_a_sent_reply_leaves_the_list_only_while_the_lock_is_ours(real_redis: Any, redis_prefix: str) -> None:
    sessions = SessionStore(real_redis, prefix=redis_prefix)
    journal = UpdateJournal(real_redis, prefix=redis_prefix)
    replies = [{"kind": "message", "chat_id": 8, "text": t, "ref": f"tg:41:{n}"} for n, t in enumerate("ab")]
    async with sessions.lock(8) as lock:
        session = await sessions.load(8)
        await sessions.save(session, lock=lock, write=False, also=journal.stage(41, replies))
        await journal.sent_first(sessions, lock, 41)
        assert [r["text"] for r in await journal.pending(41)] == ["b"]
        await real_redis.set(sessions.lock_key(8), "someone-else")
        with pytest.raises(LockLost):
            await journal.sent_first(sessions, lock, 41)
    assert [r["text"] for r in await journal.pending(41)] == ["b"]


async def test_a_polled_batch_is_recorded_at_once_and_queueing_it_records_nothing_more(
    real_redis: Any, redis_prefix: str
) -> None:
    inbox = Inbox(real_redis, prefix=redis_prefix)
    await inbox.record_batch([_update(31), _update(32, user=78)])
    assert sorted(await real_redis.hkeys(inbox.key)) == ["31", "32"]
    await real_redis.hdel(inbox.key, "31")  # were ``put`` to write again, 31 would be back
    queue = DurableQueue(inbox)
    await queue.put(_update(31))
    await queue.put(_update(32, user=78))
    assert await real_redis.hkeys(inbox.key) == ["32"]
    await queue.put(_update(31))  # a second put of the same update (resumed) is recorded as usual
    assert await real_redis.hexists(inbox.key, "31")
