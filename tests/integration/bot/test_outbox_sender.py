"""The outbox sender against the Telegram emulator: order per chat, edits, 429 / 5xx / 403, dead letters, the lease."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot

from sandbox.telegram import EmulatorClient, TelegramEmulator
from shared.domain.enums import OutboxStatus
from shared.model import OutboxMessage, utcnow
from shared.notify.outbox import Button, enqueue_edit, enqueue_message
from shared.notify.sender import OutboxSender
from shared.persistence import Database

pytestmark = [pytest.mark.redis, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

ANN, BEN = 501, 502


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(port=0) as emu:
        yield emu


@pytest.fixture
async def tg(emulator: TelegramEmulator) -> AsyncIterator[EmulatorClient]:
    async with emulator.client() as client:
        for user in (ANN, BEN):
            await client.ensure_user(user, f"user{user}")
        yield client


@pytest.fixture
async def bot(emulator: TelegramEmulator) -> AsyncIterator[Bot]:
    async with Bot(emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url) as client:
        yield client


def sender(db: Database, bot: Bot, redis: Any, prefix: str, **kw: Any) -> OutboxSender:
    return OutboxSender(db, bot, redis, prefix=prefix, poll_seconds=0.05, **kw)


async def _write(db: Database, *messages: tuple[int, str]) -> None:
    async with db.transaction() as s:
        for chat_id, text in messages:
            enqueue_message(s, chat_id=chat_id, text=text)


async def _rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def _texts(tg: EmulatorClient, chat: int) -> list[str]:
    return [m["text"] for m in await tg.messages(chat) if m["from_bot"]]


async def test_messages_go_out_in_order_and_an_edit_finds_its_message(
    db: Database, bot: Bot, tg: EmulatorClient, real_redis: Any, redis_prefix: str
) -> None:
    async with db.transaction() as s:
        enqueue_message(s, chat_id=ANN, text="approve?", buttons=[[Button("OK", "lv:a:1")]], ref="leave:1:approver:7")
        enqueue_message(s, chat_id=ANN, text="second")
        enqueue_message(s, chat_id=BEN, text="for Ben")
    async with db.transaction() as s:
        enqueue_edit(s, chat_id=ANN, edit_ref="leave:1:approver:7", text="approved")
    stats = await sender(db, bot, real_redis, redis_prefix).drain_once()

    assert stats.sent == 4
    messages = [m for m in await tg.messages(ANN) if m["from_bot"]]
    assert [m["text"] for m in messages] == ["approved", "second"]
    assert messages[0]["buttons"] is None and messages[0]["history"][0]["text"] == "approve?"
    assert await _texts(tg, BEN) == ["for Ben"]


async def test_a_429_waits_retry_after_without_counting_and_holds_the_chat_back(
    db: Database, bot: Bot, tg: EmulatorClient, real_redis: Any, redis_prefix: str
) -> None:
    await _write(db, (ANN, "one"), (ANN, "two"), (BEN, "other chat"))
    await tg.inject("sendMessage", status=429, retry_after=7, count=1)
    outbox = sender(db, bot, real_redis, redis_prefix)

    first = await outbox.drain_once()
    rows = await _rows(db)
    assert (first.waiting, first.sent) == (1, 1)  # Ann's first waits; Ben's goes; Ann's second stays behind
    assert rows[0].attempts == 0 and rows[0].next_attempt_at > utcnow() + timedelta(seconds=5)
    assert [r.status for r in rows] == [OutboxStatus.PENDING, OutboxStatus.PENDING, OutboxStatus.SENT]

    assert (await outbox.drain_once()).sent == 0  # not yet due
    later = await outbox.drain_once(now=utcnow() + timedelta(seconds=8))
    assert later.sent == 2 and await _texts(tg, ANN) == ["one", "two"]


async def test_server_errors_back_off_and_after_max_attempts_the_message_is_dead(
    db: Database, bot: Bot, tg: EmulatorClient, real_redis: Any, redis_prefix: str
) -> None:
    await _write(db, (ANN, "doomed"), (ANN, "next"))
    await tg.inject("sendMessage", status=500, count=3)
    outbox = sender(db, bot, real_redis, redis_prefix, max_attempts=3)
    clock = utcnow()
    for _ in range(3):
        clock += timedelta(minutes=10)
        await outbox.drain_once(now=clock)

    rows = await _rows(db)
    assert (
        rows[0].status is OutboxStatus.DEAD and rows[0].attempts == 3 and "Internal Server Error" in rows[0].last_error
    )
    await outbox.drain_once(now=clock + timedelta(minutes=10))
    assert (await _rows(db))[1].status is OutboxStatus.SENT  # a dead message no longer holds its chat


async def test_a_blocked_user_is_dead_at_once(
    db: Database, bot: Bot, tg: EmulatorClient, real_redis: Any, redis_prefix: str
) -> None:
    await tg.block_bot(BEN)
    await _write(db, (BEN, "hello?"))
    stats = await sender(db, bot, real_redis, redis_prefix).drain_once()
    assert stats.dead == 1 and (await _rows(db))[0].attempts == 1


async def test_only_the_lease_holder_sends_and_another_takes_over_when_it_expires(
    db: Database, bot: Bot, tg: EmulatorClient, real_redis: Any, redis_prefix: str
) -> None:
    first = sender(db, bot, real_redis, redis_prefix, lease_seconds=1)
    second = sender(db, bot, real_redis, redis_prefix, lease_seconds=1)
    await _write(db, (ANN, "a"))
    assert (await first.drain_once()).sent == 1

    await _write(db, (ANN, "b"))
    assert (await second.drain_once()).sent == 0  # the first still holds the lease
    await real_redis.delete(f"{redis_prefix}:outbox:sender:lease")  # as if the first crashed and its lease ran out
    assert (await second.drain_once()).sent == 1
    assert (await first.drain_once()).sent == 0
    await second.release()
    assert await real_redis.get(f"{redis_prefix}:outbox:sender:lease") is None
    assert await _texts(tg, ANN) == ["a", "b"]
