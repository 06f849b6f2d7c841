"""The bot killed with SIGKILL at random points while people use it, and Telegram answering 429, 5xx and
slowly: no leave request, decision, ledger entry, punch or notification is lost or doubled.

The load is ``bot_scenario.Scenario``; meanwhile the bot process is killed every few seconds and started
again at once, and Telegram fails some calls. The random schedule is printed (FAULT_SEED=<n> repeats it).
"""

from __future__ import annotations

import asyncio
import os
import random
import time

import pytest

from sandbox.telegram import EmulatorClient
from tests.e2e.bot.conftest import MakeDeployment, seed
from tests.e2e.bot.harness import BotProcess, Deployment, reset_emulator
from tests.faults.bot_scenario import Scenario

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

KILLS = 6


class Killer:
    """Kills the bot at random moments and starts a new process at once; Telegram fails now and then."""

    def __init__(self, deployment: Deployment, control: EmulatorClient, rng: random.Random) -> None:
        self.deployment = deployment
        self.control = control
        self.rng = rng
        self.processes: list[BotProcess] = []
        self.killed = 0
        self.done = asyncio.Event()

    def start_one(self) -> BotProcess:
        process = self.deployment.process(f"bot-{len(self.processes)}")
        self.processes.append(process)
        process.start(timeout=60)
        return process

    async def run(self) -> None:
        faults = [self._429, self._5xx, self._slow]
        try:
            for number in range(KILLS):
                await asyncio.sleep(self.rng.uniform(0.5, 4.0))
                if faults and number % 2 == 1:
                    await faults.pop(0)()
                self.processes[-1].kill()
                self.killed += 1
                await asyncio.to_thread(self.start_one)
        finally:
            self.done.set()

    async def _429(self) -> None:
        await self.control.inject("sendMessage", status=429, retry_after=1, count=2)

    async def _5xx(self) -> None:
        await self.control.inject("sendMessage", status=500, count=2)
        await self.control.inject("editMessageText", status=502, count=1)

    async def _slow(self) -> None:
        await self.control.inject("sendMessage", delay_ms=6000, count=1)


async def test_killing_the_bot_at_random_points_under_load_loses_and_doubles_nothing(
    make_deployment: MakeDeployment,
) -> None:
    seed_value = int(os.environ.get("FAULT_SEED") or time.time())
    print(f"FAULT_SEED={seed_value}")
    deployment = make_deployment("crashes", "postgres", LOG_LEVEL="DEBUG")
    reset_emulator(deployment.emulator)
    database, h = await seed(deployment)
    scenario = Scenario(h)
    await scenario.prepare()
    killer = Killer(deployment, h.control, random.Random(seed_value))
    await asyncio.to_thread(killer.start_one)
    try:
        killing = asyncio.create_task(killer.run())
        await scenario.run(killer.done)
        await killing
        assert killer.killed == KILLS
        await scenario.check([p.log_path for p in killer.processes])
    finally:
        scenario.report()
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()
