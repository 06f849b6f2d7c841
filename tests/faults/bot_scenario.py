"""The load every bot fault test runs, and what must be true after it.

Two employees check in, then ask for one day off after another through the wizard (type, calendar, half
days, a typed reason, Confirm) until the fault schedule is over; their manager approves every request
from the notification's button. Afterwards: every request asked for exists once, was approved once, has
one ledger entry; each employee has one check-in; every notification was queued once and delivered, and
shows in its chat once (a second copy only for a send the sender's log shows was cut off).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select, update

from sandbox.telegram import EmulatorClient
from shared.domain.enums import Direction, LeaveStatus, LedgerKind, OutboxStatus
from shared.model import AuditLog, Employee, LeaveLedgerEntry, LeaveRequest, OutboxMessage, Punch
from shared.persistence import Database
from tests.e2e.bot.conftest import next_monday, settle
from tests.e2e.bot.harness import ALICE, BOB, MANAGER, Harness
from tests.faults.bot_load import User, approve_everything, ask_for_leave, check_in, ever_had_button

MOST_EACH = 8  # weeks ahead: within this year's and next year's balance
SENDING = re.compile(r"outbox (\d+): sending")
RECORDED = re.compile(r"outbox (\d+): recorded")


def cut_off_sends(logs: list[Path]) -> set[int]:
    """Outbox rows whose send started but was never recorded (the process died, or the record failed)."""
    found: set[int] = set()
    for path in logs:  # per process: another process may have sent it again, and recorded that
        text = path.read_text(errors="replace") if path.exists() else ""
        found |= set(map(int, SENDING.findall(text))) - set(map(int, RECORDED.findall(text)))
    return found


@dataclass
class Scenario:
    h: Harness
    plans: dict[int, list[date]] = field(default_factory=lambda: {ALICE: [], BOB: []})
    users: dict[int, User] = field(default_factory=dict)

    async def prepare(self) -> None:
        async with self.h.db.transaction() as session:  # everyone reads English here
            await session.execute(update(Employee).values(locale="en"))
        self.users = {chat: User(self.h.control, chat) for chat in (ALICE, BOB, MANAGER)}

    async def run(self, faults_over: asyncio.Event) -> None:
        """The load, until ``faults_over`` is set (the employees stop asking) and everything is approved."""
        weeks = {ALICE: range(2, 2 * MOST_EACH + 1, 2), BOB: range(1, 2 * MOST_EACH, 2)}
        asking_done = asyncio.Event()

        async def employee(chat: int) -> None:
            await check_in(self.users[chat])
            for week in weeks[chat]:
                if faults_over.is_set():
                    return
                day = next_monday(self.h.today, weeks=week)
                self.plans[chat].append(day)
                await ask_for_leave(self.users[chat], leave_type_id=self.h.company.annual_id, day=day,
                                    reason=f"trip {chat}-{len(self.plans[chat])}", approver="Max Manager")  # fmt: skip

        async def employees() -> None:
            try:
                await asyncio.gather(employee(ALICE), employee(BOB))
            finally:
                asking_done.set()

        async def asked() -> int | None:
            return sum(map(len, self.plans.values())) if asking_done.is_set() else None

        async def is_approved(request_id: int) -> bool:
            async with self.h.db.session() as session:
                request = await session.get(LeaveRequest, request_id)
                return request is not None and request.status is LeaveStatus.APPROVED

        await asyncio.gather(employees(), approve_everything(self.users[MANAGER], expected=asked,
                                                             is_decided=is_approved))  # fmt: skip

    def report(self) -> None:
        for chat, user in self.users.items():
            print(chat, "asked for", self.plans.get(chat), "notes:", user.log[-20:])

    async def check(self, logs: list[Path]) -> None:
        """Nothing lost, nothing doubled (see the module docstring)."""
        await settle(self.h.db, timeout=60)
        await assert_nothing_lost_or_doubled(self.h.db, self.h.control, self.plans, cut_off_sends(logs))


async def assert_nothing_lost_or_doubled(
    database: Database, control: EmulatorClient, plans: dict[int, list[date]], cut_off: set[int]
) -> None:
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

    # requests: every one asked for, once, approved once, one ledger entry each; one check-in each
    assert sum(map(len, plans.values())) >= 2, "the load asked for too little to prove anything"
    for chat, days in plans.items():
        mine = [r for r in requests if r.employee_id == employees[chat].id]
        assert sorted(r.start_date for r in mine) == days, f"chat {chat}: {[r.start_date for r in mine]}"
        assert sorted(r.reason or "" for r in mine) == sorted(f"trip {chat}-{n}" for n in range(1, len(days) + 1))
        assert punches[employees[chat].id] == 1
    assert {r.status for r in requests} == {LeaveStatus.APPROVED}
    assert all(approvals[str(r.id)] == 1 for r in requests), approvals
    assert all(taken[r.id] == 1 for r in requests) and sum(taken.values()) == len(requests), taken

    # notifications: queued once per event, all delivered; in a chat once (twice only for a cut-off send)
    assert {r.status for r in rows} <= {OutboxStatus.SENT}, [(r.id, r.status, r.last_error) for r in rows]
    notices = [r for r in rows if not (r.ref or "").startswith("tg:")]
    asks = [r for r in notices if r.chat_id == MANAGER and "New leave request from" in r.payload.get("text", "")]
    assert len(asks) == len(requests)
    manager_chat = await _bot_messages(control, MANAGER)
    for request in requests:
        (row,) = [r for r in asks if f"lv:a:{request.id}" in _callback_data(r)]
        copies = [m for m in manager_chat if ever_had_button(m, f"lv:a:{request.id}")]
        assert 1 <= len(copies) <= 1 + (row.id in cut_off), (request.id, len(copies), row.id, cut_off)
    for chat in plans:
        told = [r for r in notices if r.chat_id == chat and "Your leave was approved" in r.payload.get("text", "")]
        assert len(told) == len(plans[chat])
        seen = [m for m in await _bot_messages(control, chat) if "Your leave was approved" in (m.get("text") or "")]
        allowed = len(told) + sum(1 for r in told if r.id in cut_off)
        assert len(told) <= len(seen) <= allowed, (chat, len(seen), allowed)


def _callback_data(row: OutboxMessage) -> list[str]:
    return [b["callback_data"] for line in row.payload.get("buttons") or [] for b in line]


async def _bot_messages(control: EmulatorClient, chat: int) -> list[dict]:
    return [m for m in (await control.transcript(chat))["messages"] if m["from_bot"] and not m["deleted"]]
