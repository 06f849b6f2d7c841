"""The bot while its dependencies fail under load: PostgreSQL connections dropped again and again (through a
TCP proxy), Redis stopped and started again (a redis-server of the test's own), the outbox sender killed.
Nothing is lost or doubled, and nobody waits long."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from shared.domain.enums import OutboxStatus
from shared.model import OutboxMessage
from shared.notify.outbox import enqueue_message
from tests.e2e.bot.conftest import MakeDeployment, seed, settle
from tests.e2e.bot.harness import BOB, reset_emulator
from tests.faults.bot_scenario import Scenario
from tests.faults.proxy import TcpProxy
from tests.faults.redis_server import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

DROPS = 6


async def test_database_connections_dropped_under_load_lose_and_double_nothing(
    make_deployment: MakeDeployment, pg_proxy: TcpProxy
) -> None:
    deployment = make_deployment("pg-drops", "postgres", LOG_LEVEL="DEBUG")
    deployment.extra["DATABASE_URL"] = pg_proxy.url_for(deployment.db_url)
    reset_emulator(deployment.emulator)
    database, h = await seed(deployment)  # the test itself talks to the database directly
    scenario = Scenario(h)
    await scenario.prepare()
    bot = deployment.process()
    await asyncio.to_thread(bot.start)
    over = asyncio.Event()

    async def drop_connections() -> None:
        try:
            for _ in range(DROPS):
                await asyncio.sleep(1.5)
                pg_proxy.drop()  # as a PostgreSQL restart or a failover does to every open connection
        finally:
            over.set()

    try:
        dropping = asyncio.create_task(drop_connections())
        await scenario.run(over)
        await dropping
        assert pg_proxy.accepted > DROPS  # the bot did reconnect after the drops
        await scenario.check([bot.log_path])
    finally:
        scenario.report()
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()


async def test_redis_stopped_and_started_again_under_load_loses_and_doubles_nothing(
    make_deployment: MakeDeployment, redis_server: RedisServer
) -> None:
    deployment = make_deployment("redis-stop", "postgres", LOG_LEVEL="DEBUG", REDIS_URL=redis_server.url)
    reset_emulator(deployment.emulator)
    database, h = await seed(deployment)
    scenario = Scenario(h)
    await scenario.prepare()
    bot = deployment.process()
    await asyncio.to_thread(bot.start)
    over = asyncio.Event()

    async def outage() -> None:
        try:
            await asyncio.sleep(3)
            redis_server.stop()
            await asyncio.sleep(4)
            await asyncio.to_thread(redis_server.start)
            await asyncio.sleep(2)
        finally:
            over.set()

    try:
        stopping = asyncio.create_task(outage())
        await scenario.run(over)
        await stopping
        await scenario.check([bot.log_path])
    finally:
        scenario.report()
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()


async def test_after_a_killed_sender_another_process_sends_within_seconds(make_deployment: MakeDeployment) -> None:
    deployment = make_deployment("lease", "postgres")
    reset_emulator(deployment.emulator)
    database, h = await seed(deployment)
    first = deployment.process("first")
    await asyncio.to_thread(first.start)
    try:
        await h.send(BOB, "/help", lambda m: "Here is what I can do" in (m.get("text") or ""))  # it holds the lease
        first.kill()
        killed_at = time.monotonic()
        async with database.transaction() as session:
            enqueue_message(session, chat_id=BOB, text="after the crash")
        second = deployment.process("second", OUTBOX_LEASE_SECONDS="60")
        await asyncio.to_thread(second.start)
        ready_at = time.monotonic()
        await h.wait_for(BOB, lambda m: m.get("text") == "after the crash", timeout=20)
        # the dead process's 5 s lease runs out (or already has, while the new one started): then it goes
        assert time.monotonic() < max(ready_at, killed_at + 5) + 3

        second.stop()  # a clean stop lets go of its (60 s) lease at once
        async with database.transaction() as session:
            enqueue_message(session, chat_id=BOB, text="after a clean stop")
        third = deployment.process("third")
        await asyncio.to_thread(third.start)
        ready_at = time.monotonic()
        await h.wait_for(BOB, lambda m: m.get("text") == "after a clean stop", timeout=20)
        assert time.monotonic() - ready_at < 3
        await settle(database)  # in the chat already; marked sent a moment later
        async with database.session() as session:
            rows = list(await session.scalars(select(OutboxMessage)))
        assert {r.status for r in rows} == {OutboxStatus.SENT}, [(r.id, r.payload, r.status) for r in rows]
    finally:
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()
