"""A two-level approval through the real bot: the manager approves level 1, HR gets the buttons for level 2,
the employee sees where the request stands; and /delegate sends a manager's approvals to a delegate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.approval import ChainLevel, LevelKind
from shared.domain.enums import LeaveStatus
from shared.model import LeaveRequest
from shared.services.leave.chain_admin import set_chain
from shared.services.leave.requests import request_leave
from tests.e2e.bot.conftest import next_monday
from tests.e2e.bot.harness import BOB, HR, MANAGER, Harness, button_data, has

pytestmark = pytest.mark.e2e


async def _bob_asks(h: Harness) -> LeaveRequest:
    start = next_monday(h.today, weeks=2)
    async with h.db.transaction() as session:
        return await request_leave(
            session, actor=h.company.bob, employee_id=h.company.bob_id, leave_type_id=h.company.annual_id,
            start=start, end=start + timedelta(days=1), today=h.today, now=datetime.now(UTC),
        )  # fmt: skip


async def _status(h: Harness, request_id: int) -> tuple[LeaveStatus, int | None]:
    async with h.db.session() as session:
        row = await session.get(LeaveRequest, request_id)
        return row.status, row.stage


async def test_a_two_level_request_is_approved_by_the_manager_then_by_hr(h: Harness) -> None:
    async with h.db.transaction() as session:
        levels = [ChainLevel(LevelKind.MANAGER), ChainLevel(LevelKind.HR)]
        await set_chain(session, actor=h.company.hr, leave_type_id=h.company.annual_id, levels=levels)
    request = await _bob_asks(h)
    first = await h.wait_for(MANAGER, has("New leave request from Bob", "Approval level 1 of 2"))
    assert button_data(first) == [f"lv:a:{request.id}:0", f"lv:r:{request.id}:0"]

    answered = await h.press(MANAGER, data=f"lv:a:{request.id}:0", message_id=first["message_id"])
    assert answered["answer"]["text"] == "✅ Approved; passed on to Hana HR"
    assert await _status(h, request.id) == (LeaveStatus.PENDING, 1)
    second = await h.wait_for(HR, has("New leave request from Bob", "Approval level 2 of 2"))
    assert button_data(second) == [f"lv:a:{request.id}:1", f"lv:r:{request.id}:1"]
    await h.wait_for(BOB, has("Max Manager approved your leave; it now waits for Hana HR"))
    standing = await h.send(BOB, "/myleaves", has("Your leave requests"))
    assert "waits for Hana HR (level 2 of 2)" in standing["text"]

    edited = await h.control.message(MANAGER, first["message_id"])  # nothing left to press at level 1
    assert edited["buttons"] is None and "passed on to Hana HR" in edited["text"]
    done = await h.press(HR, data=f"lv:a:{request.id}:1", message_id=second["message_id"])
    assert done["answer"]["text"] == "✅ Approved"
    assert (await _status(h, request.id))[0] is LeaveStatus.APPROVED
    await h.wait_for(BOB, has("Your leave was approved by Hana HR"))


async def test_a_manager_delegates_with_buttons_and_both_are_told(h: Harness) -> None:
    prompt = await h.send(MANAGER, "/delegate", has("Who should decide your approvals"))
    bob_button = f"dg:p:{h.company.bob_id}"
    assert bob_button in button_data(prompt)
    await h.press(MANAGER, data=bob_button, message_id=prompt["message_id"])
    period = await h.wait_for(MANAGER, has("For how long?"))
    await h.press(MANAGER, data="dg:d:7", message_id=period["message_id"])
    await h.wait_for(MANAGER, has("Done. Bob has been told."))
    await h.wait_for(BOB, has("you decide the approvals of Max Manager"))

    request = await _bob_asks(h)  # Bob's own request cannot go to Bob: it stays with Max
    assert request.approver_id == h.company.manager_id
    listed = await h.send(MANAGER, "/delegate", has("Your delegations"))
    assert any(d.startswith("dg:x:") for d in button_data(listed))
