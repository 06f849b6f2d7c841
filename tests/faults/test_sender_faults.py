"""The outbox sender when Telegram is slow and when a sender dies: nothing sent twice, nothing held for long."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot

from chronos_bot.app import telegram_request
from sandbox.telegram import EmulatorClient, TelegramEmulator
from shared.config import Settings
from shared.domain.enums import OutboxStatus
from shared.model import OutboxMessage
from shared.notify.outbox import enqueue_message
from shared.notify.sender import OutboxSender
from shared.persistence import Database

pytestmark = [pytest.mark.redis, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

ANN = 601
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(port=0) as emu:
        yield emu


@pytest.fixture
async def tg(emulator: TelegramEmulator) -> AsyncIterator[EmulatorClient]:
    async with emulator.client() as client:
        await client.ensure_user(ANN, "ann")
        yield client


@pytest.fixture
async def bot(emulator: TelegramEmulator) -> AsyncIterator[Bot]:
    """The sender's Bot as the bot service builds it (TELEGRAM_TIMEOUT_SECONDS deadlines)."""
    request = telegram_request(SETTINGS)
    async with Bot(emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url,
                   request=request) as client:  # fmt: skip
        yield client


async def _write(db: Database, *texts: str) -> None:
    async with db.transaction() as s:
        for text in texts:
            enqueue_message(s, chat_id=ANN, text=text)


async def test_a_send_message_that_takes_7_seconds_is_sent_once(
    db: Database, bot: Bot, tg: EmulatorClient, real_redis: Any, redis_prefix: str
) -> None:
    await _write(db, "slow but sure")
    await tg.inject("sendMessage", delay_ms=7000, count=1)
    stats = await OutboxSender(db, bot, real_redis, prefix=redis_prefix).drain_once()

    assert stats.sent == 1 and stats.retried == 0
    texts = [m["text"] for m in await tg.messages(ANN) if m["from_bot"]]
    assert texts == ["slow but sure"]
    async with db.session() as s:
        row = await s.scalar(select(OutboxMessage))
    assert row is not None and row.status is OutboxStatus.SENT and row.attempts == 0


async def test_a_stopping_sender_lets_go_of_its_lease_at_once(
    db: Database, bot: Bot, real_redis: Any, redis_prefix: str
) -> None:
    sender = OutboxSender(db, bot, real_redis, prefix=redis_prefix, poll_seconds=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    lease = f"{redis_prefix}:outbox:sender:lease"
    deadline = time.monotonic() + 5
    while await real_redis.get(lease) != sender.owner:
        assert time.monotonic() < deadline, "the sender never took its lease"
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert await real_redis.get(lease) is None


async def test_when_a_sender_dies_another_takes_over_within_its_short_lease(
    db: Database, bot: Bot, tg: EmulatorClient, real_redis: Any, redis_prefix: str
) -> None:
    dead = OutboxSender(db, bot, real_redis, prefix=redis_prefix)  # the default lease: OUTBOX_LEASE_SECONDS
    assert (await dead.drain_once()).sent == 0  # it holds the lease, then is killed (never renews, never releases)
    survivor = OutboxSender(db, bot, real_redis, prefix=redis_prefix, poll_seconds=0.05)
    await _write(db, "after the crash")
    stop = asyncio.Event()
    started = time.monotonic()
    task = asyncio.create_task(survivor.run(stop))
    try:
        while not [m for m in await tg.messages(ANN) if m["from_bot"]]:
            assert time.monotonic() - started < SETTINGS.outbox_lease_seconds + 3, "nobody took the lease over"
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert time.monotonic() - started < SETTINGS.outbox_lease_seconds + 3
