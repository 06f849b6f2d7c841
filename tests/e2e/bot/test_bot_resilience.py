"""Bots of the tests' own: commands on start, a crash mid-flow, a 429/500 storm on the way out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.domain.enums import LeaveStatus, OutboxStatus
from shared.model import LeaveRequest, OutboxMessage
from shared.services.leave.requests import request_leave
from tests.e2e.bot.conftest import MakeDeployment, next_monday, seed, settle
from tests.e2e.bot.harness import BOB, MANAGER, has, reset_emulator, with_button

pytestmark = pytest.mark.e2e

EMPLOYEE_COMMANDS = [
    "checkin", "checkout", "leave", "myleaves", "balance", "whosout", "calendar", "holidays", "feed", "correct",
    "language", "settings", "cancel", "help",
]  # fmt: skip


async def test_commands_are_published_for_every_language_on_start(make_deployment: MakeDeployment) -> None:
    deployment = make_deployment("commands", "sqlite")
    reset_emulator(deployment.emulator)
    deployment.process().start()
    database, h = await seed(deployment)
    try:
        lists = {entry["language_code"]: entry for entry in await h.control.commands()}
        assert set(lists) == {"", "en", "ru", "ar"}
        for entry in lists.values():
            assert entry["scope"]["type"] == "default"
            assert [c["command"] for c in entry["commands"]] == EMPLOYEE_COMMANDS
        await h.send(MANAGER, "/start", has("Welcome back"))
        scoped = [e for e in await h.control.commands() if e["scope"]["type"] == "chat"]
        assert [c["command"] for c in scoped[0]["commands"]][10:14] == ["pending", "corrections", "overtime", "team"]
    finally:
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_bot_killed_mid_flow_is_resumed_by_a_new_process(make_deployment: MakeDeployment, backend: str) -> None:
    deployment = make_deployment("restart", backend)
    reset_emulator(deployment.emulator)
    first = deployment.process("first").start()
    database, h = await seed(deployment)
    try:
        start = next_monday(h.today)
        types = await h.send(BOB, "/leave", with_button("lt:"))
        await h.press(BOB, data=f"lt:{h.company.annual_id}", message_id=types["message_id"])
        await h.pick_date(BOB, start)
        await h.wait_for(BOB, has("Now pick the last day"))

        first.kill()  # a crash: nothing is flushed, nothing released
        deployment.process("second").start()

        await h.pick_date(BOB, start + timedelta(days=1))
        await h.press_then(BOB, has("Add a short reason"), data="hd:f")
        summary = await h.send(BOB, "After the crash", has("Please check your request"))
        assert "2 working days" in summary["text"]
        await h.press_then(BOB, has("Sent to Max Manager"), data="lf:ok")
        approval = await h.wait_for(MANAGER, has("New leave request from Bob"), timeout=15)
        assert "After the crash" in approval["text"]
    finally:
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()


async def test_a_429_and_500_storm_loses_no_notification_and_keeps_their_order(make_deployment: MakeDeployment) -> None:
    deployment = make_deployment("storm", "postgres")
    reset_emulator(deployment.emulator)
    deployment.process().start()
    database, h = await seed(deployment)
    try:
        await h.control.inject("sendMessage", status=429, retry_after=1, count=2)
        await h.control.inject("sendMessage", status=500, count=1)
        await h.control.inject("sendMessage", status=502, count=1)
        ids = []
        for week in range(1, 7):
            start = next_monday(h.today, weeks=week)
            async with database.transaction() as session:
                request = await request_leave(
                    session, actor=h.company.bob, employee_id=h.company.bob_id, leave_type_id=h.company.annual_id,
                    start=start, end=start, today=h.today, now=datetime.now(UTC),
                )  # fmt: skip
            ids.append(request.id)

        async def delivered() -> list[str]:
            return [t for t in await h.bot_texts(MANAGER) if "New leave request from Bob" in t]

        deadline = datetime.now(UTC) + timedelta(seconds=30)
        while len(await delivered()) < len(ids) and datetime.now(UTC) < deadline:
            await h.control.wait_for_change(MANAGER, since=(await h.control.chat(MANAGER))["version"], timeout=2)
        messages = [m for m in (await h.control.transcript(MANAGER))["messages"] if m["from_bot"]]

        assert [m["buttons"][0][0]["callback_data"] for m in messages] == [f"lv:a:{i}" for i in ids]
        await settle(database)  # the last one is in the chat; its row is marked sent a moment later
        async with database.session() as session:
            rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
            statuses = set(await session.scalars(select(LeaveRequest.status)))
        assert [r.status for r in rows] == [OutboxStatus.SENT] * len(ids)
        assert rows[0].attempts == 2  # the 500 and the 502 counted; the 429s only waited
        assert statuses == {LeaveStatus.PENDING}
        stats = await h.control.stats()
        assert stats["errors"]["sendMessage"] == 4
    finally:
        deployment.stop_all()
        await h.control.aclose()
        await database.dispose()
