"""The bot killed with SIGKILL at random points while people use it, and Telegram answering 429, 5xx and
slowly: no leave request, decision, ledger entry, punch or notification is lost or doubled.

Two employees check in, then ask for one day off after another through the wizard (type, calendar, half
days, a typed reason, Confirm) until the bot has been killed KILLS times; their manager approves every
request from the notification's button. Meanwhile the bot process is killed every few seconds and
started again, and Telegram fails some calls.
The random schedule is printed (FAULT_SEED=<n> repeats one).

Telegram has no idempotency key, so a message whose send was in flight when the process died may be sent
again (at least once, never lost): the test reads the sender's log to know which sends were in flight
and allows exactly those a second copy. Everything else must appear exactly once.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sandbox.telegram import EmulatorClient
from shared.domain.enums import Direction, LeaveStatus, LedgerKind, OutboxStatus
from shared.model import AuditLog, Employee, LeaveLedgerEntry, LeaveRequest, OutboxMessage, Punch
from shared.persistence import Database
from tests.e2e.bot.conftest import MakeDeployment, next_monday, seed, settle
from tests.e2e.bot.harness import ALICE, BOB, MANAGER, BotProcess, Deployment, reset_emulator
from tests.faults.bot_load import User, approve_everything, ask_for_leave, check_in, ever_had_button

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

KILLS = 6
MOST_EACH = 8  # weeks ahead: within this year's and next year's balance
SENDING = re.compile(r"outbox (\d+): sending")
RECORDED = re.compile(r"outbox (\d+): recorded")


class Killer:
    """Kills the bot at random moments and starts a new process at once, until told to stop."""

    def __init__(self, deployment: Deployment, control: EmulatorClient, rng: random.Random) -> None:
        self.deployment = deployment
        self.control = control
        self.rng = rng
        self.processes: list[BotProcess] = []
        self.killed: list[BotProcess] = []
        self.stop = asyncio.Event()
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
                pause = self.rng.uniform(0.5, 4.0)
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=pause)
                    return
                except TimeoutError:
                    pass
                if faults and number % 2 == 1:
                    await faults.pop(0)()
                victim = self.processes[-1]
                victim.kill()
                self.killed.append(victim)
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

    def in_flight(self) -> set[int]:
        """Outbox rows a killed process was sending when it died (they may reach the chat twice)."""
        found: set[int] = set()
        for process in self.killed:
            text = Path(process.log_path).read_text(errors="replace")
            sending = set(map(int, SENDING.findall(text)))
            found |= sending - set(map(int, RECORDED.findall(text)))
        return found


def _days(today: date, weeks: list[int]) -> list[date]:
    return [next_monday(today, weeks=w) for w in weeks]


async def test_killing_the_bot_at_random_points_under_load_loses_and_doubles_nothing(
    make_deployment: MakeDeployment,
) -> None:
    seed_value = int(os.environ.get("FAULT_SEED") or time.time())
    print(f"FAULT_SEED={seed_value}")
    rng = random.Random(seed_value)
    deployment = make_deployment("crashes", "postgres", LOG_LEVEL="DEBUG")
    reset_emulator(deployment.emulator)
    database, h = await seed(deployment)
    async with database.transaction() as session:  # everyone reads English here
        await session.execute(update(Employee).values(locale="en"))
    killer = Killer(deployment, h.control, rng)
    await asyncio.to_thread(killer.start_one)
    weeks = {ALICE: range(2, 2 * MOST_EACH + 1, 2), BOB: range(1, 2 * MOST_EACH, 2)}
    plans: dict[int, list[date]] = {ALICE: [], BOB: []}
    users = {chat: User(h.control, chat) for chat in (ALICE, BOB, MANAGER)}
    employees_done = asyncio.Event()

    async def employee(chat: int) -> None:
        await check_in(users[chat])
        for day in _days(h.today, list(weeks[chat])):
            if killer.done.is_set():
                return
            plans[chat].append(day)
            await ask_for_leave(users[chat], leave_type_id=h.company.annual_id, day=day,
                                reason=f"trip {chat}-{len(plans[chat])}", approver="Max Manager")  # fmt: skip

    async def employees() -> None:
        try:
            await asyncio.gather(employee(ALICE), employee(BOB))
        finally:
            employees_done.set()

    async def asked() -> int | None:
        return sum(map(len, plans.values())) if employees_done.is_set() else None

    async def is_approved(request_id: int) -> bool:
        async with database.session() as session:
            request = await session.get(LeaveRequest, request_id)
            return request is not None and request.status is LeaveStatus.APPROVED

    try:
        killing = asyncio.create_task(killer.run())
        await asyncio.gather(employees(), approve_everything(users[MANAGER], expected=asked, is_decided=is_approved))
        killer.stop.set()
        await killing
        await settle(database, timeout=60)
        await _assert_nothing_lost_or_doubled(database, h.control, killer, plans, h.today)
    finally:
        for chat, user in users.items():
            print(chat, user.log[-20:])
        print("killed:", len(killer.killed), "in flight:", killer.in_flight())
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()


async def _assert_nothing_lost_or_doubled(
    database: Database, control: EmulatorClient, killer: Killer, plans: dict[int, list[date]], today: date
) -> None:
    assert len(killer.killed) == KILLS, "the load ended before every kill happened"
    async with database.session() as session:
        employees = {e.telegram_user_id: e for e in await session.scalars(select(Employee))}
        requests = list(await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)))
        approvals = Counter(
            a.entity_id for a in await session.scalars(select(AuditLog).where(AuditLog.action == "approve"))
        )
        taken = Counter(
            e.request_id
            for e in await session.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.kind == LedgerKind.TAKEN))
        )
        punches = Counter(
            p.employee_id for p in await session.scalars(select(Punch).where(Punch.direction == Direction.IN))
        )
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    # requests: every one asked for, once, approved once, one ledger entry each
    for chat, days in plans.items():
        mine = [r for r in requests if r.employee_id == employees[chat].id]
        assert sorted(r.start_date for r in mine) == days, f"chat {chat}: {[r.start_date for r in mine]}"
        assert sorted(r.reason or "" for r in mine) == [f"trip {chat}-{n}" for n in range(1, len(days) + 1)]
        assert punches[employees[chat].id] == 1
    assert {r.status for r in requests} == {LeaveStatus.APPROVED}
    assert all(approvals[str(r.id)] == 1 for r in requests), approvals
    assert all(taken[r.id] == 1 for r in requests), taken
    assert sum(taken.values()) == len(requests)

    # notifications: queued once per event, all delivered; in a chat once (twice only if a kill caught the send)
    notices = [r for r in rows if not (r.ref or "").startswith("tg:")]
    assert {r.status for r in rows} <= {OutboxStatus.SENT}, [(r.id, r.status, r.last_error) for r in rows]
    asks = [r for r in notices if r.chat_id == MANAGER and "New leave request from" in r.payload.get("text", "")]
    assert len(asks) == len(requests)
    in_flight = killer.in_flight()
    manager_chat = [m for m in await _bot_messages(control, MANAGER)]
    for request in requests:
        copies = [m for m in manager_chat if ever_had_button(m, f"lv:a:{request.id}")]
        ask_rows = [r for r in asks if f"lv:a:{request.id}" in _callback_data(r)]
        assert len(ask_rows) == 1
        allowed = 1 + sum(1 for r in ask_rows if r.id in in_flight)
        assert 1 <= len(copies) <= allowed, (request.id, len(copies), allowed)
    for chat in plans:
        told = [r for r in notices if r.chat_id == chat and "Your leave was approved" in r.payload.get("text", "")]
        assert len(told) == len(plans[chat])
        seen = [m for m in await _bot_messages(control, chat) if "Your leave was approved" in (m.get("text") or "")]
        allowed = len(told) + sum(1 for r in told if r.id in in_flight)
        assert len(told) <= len(seen) <= allowed, (chat, len(seen), allowed)


def _callback_data(row: OutboxMessage) -> list[str]:
    return [b["callback_data"] for line in row.payload.get("buttons") or [] for b in line]


async def _bot_messages(control: EmulatorClient, chat: int) -> list[dict]:
    return [m for m in (await control.transcript(chat))["messages"] if m["from_bot"] and not m["deleted"]]
