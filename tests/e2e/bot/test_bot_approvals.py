"""Approval buttons are re-authorised on the server: forged presses refused and audited, one decision only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.domain.enums import LeaveStatus
from shared.model import AuditLog, Employee, LeaveRequest, LeaveType
from shared.notify import leave_messages as msg
from shared.notify.outbox import enqueue_message
from shared.services.leave.notify import leave_view
from shared.services.leave.requests import request_leave
from tests.e2e.bot.conftest import next_monday
from tests.e2e.bot.harness import ALICE, BOB, HR, MANAGER, Harness, button_data, has, plant_button

pytestmark = pytest.mark.e2e


async def _request(h: Harness, employee: str = "alice", weeks: int = 1) -> LeaveRequest:
    start = next_monday(h.today, weeks=weeks)
    actor = getattr(h.company, employee)
    async with h.db.transaction() as session:
        return await request_leave(
            session, actor=actor, employee_id=actor.employee_id, leave_type_id=h.company.annual_id,
            start=start, end=start + timedelta(days=1), today=h.today, now=datetime.now(UTC),
        )  # fmt: skip


async def _audit(h: Harness, action: str) -> list[AuditLog]:
    async with h.db.session() as session:
        return list(await session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


async def _status(h: Harness, request_id: int) -> LeaveStatus:
    async with h.db.session() as session:
        return (await session.get(LeaveRequest, request_id)).status


async def test_a_forged_approve_from_someone_else_is_refused_and_audited(h: Harness) -> None:
    request = await _request(h, "alice")
    await h.wait_for(MANAGER, has("New leave request from Alice"))

    planted = await plant_button(h, BOB, f"lv:a:{request.id}")
    answered = await h.press(BOB, data=f"lv:a:{request.id}", message_id=planted)

    assert answered["answer"]["text"] == "⛔ You cannot decide on this request."
    assert await _status(h, request.id) is LeaveStatus.PENDING
    (row,) = await _audit(h, "forged_callback")
    assert row.actor == f"employee:{h.company.bob_id}" and row.entity_id == str(request.id)
    assert row.new["callback_data"] == f"lv:a:{request.id}" and row.new["reason"] == "not_approver"


async def test_deciding_on_your_own_request_is_refused(h: Harness) -> None:
    request = await _request(h, "alice")
    planted = await plant_button(h, ALICE, f"lv:r:{request.id}")

    answered = await h.press(ALICE, data=f"lv:r:{request.id}", message_id=planted)

    assert answered["answer"]["show_alert"] is True
    assert (await _audit(h, "forged_callback"))[0].new["reason"] == "own_request"


async def test_data_the_bot_never_made_is_refused_and_audited(h: Harness) -> None:
    planted = await plant_button(h, BOB, "lv:a:99999")
    unknown = await plant_button(h, BOB, "zz:drop-tables")

    missing = await h.press(BOB, data="lv:a:99999", message_id=planted)
    garbage = await h.press(BOB, data="zz:drop-tables", message_id=unknown)

    assert missing["answer"]["text"] == "⛔ You cannot decide on this request."
    assert garbage["answer"]["text"] == "This button is not valid."
    reasons = sorted(row.new["reason"] for row in await _audit(h, "forged_callback"))
    assert reasons == ["not_found", "unknown_data"]


async def test_a_double_press_decides_once_and_the_second_is_told_who_decided(h: Harness) -> None:
    request = await _request(h, "bob")
    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))

    first, second = await asyncio.gather(
        h.control.press_button(MANAGER, data=f"lv:a:{request.id}", message_id=approval["message_id"]),
        h.control.press_button(MANAGER, data=f"lv:a:{request.id}", message_id=approval["message_id"]),
    )
    answers = [
        (await h.control.wait_callback_answer(p["callback_query_id"], timeout=10))["answer"]["text"]
        for p in (first, second)
    ]

    assert answers[0] == "✅ Approved"
    assert answers[1].startswith("Already approved by Max Manager at ")
    assert len(await _audit(h, "approve")) == 1 and len(await _audit(h, "stale_callback")) == 1
    await h.wait_for(BOB, has("Your leave was approved"))
    await asyncio.sleep(0.5)  # the outbox's edit of the same message arrives: it must change nothing
    edited = await h.control.message(MANAGER, approval["message_id"])
    assert len(edited["history"]) == 1 and edited["buttons"] is None
    assert len([t for t in await h.bot_texts(BOB) if "Your leave was approved" in t]) == 1


async def test_manager_and_hr_pressing_at_once_give_one_decision(h: Harness) -> None:
    request = await _request(h, "bob")
    await h.wait_for(MANAGER, has("New leave request from Bob"))
    async with h.db.transaction() as session:  # what the escalation job sends HR after a few days
        bob = await session.get(Employee, h.company.bob_id)
        view = leave_view(
            await session.get(LeaveRequest, request.id), bob, await session.get(LeaveType, h.company.annual_id)
        )
        text, keyboard = msg.escalation_for_hr("en", view, "Max Manager", 3)
        enqueue_message(
            session, chat_id=HR, text=text, buttons=keyboard, ref=msg.approver_ref(request.id, h.company.hr_id)
        )
    await h.wait_for(HR, has("Waiting for 3 days on Max Manager"))

    presses = await asyncio.gather(
        h.control.press_button(MANAGER, data=f"lv:a:{request.id}"),
        h.control.press_button(HR, data=f"lv:a:{request.id}"),
    )
    answers = [
        (await h.control.wait_callback_answer(p["callback_query_id"], timeout=10))["answer"]["text"] for p in presses
    ]

    assert sorted(a.startswith("Already approved by ") for a in answers) == [False, True], answers
    assert "✅ Approved" in answers, answers
    assert len(await _audit(h, "approve")) == 1
    assert await _status(h, request.id) is LeaveStatus.APPROVED
    for chat in (MANAGER, HR):
        latest = await h.wait_for(chat, lambda m: "Approved by" in (m["text"] or "") and m["buttons"] is None)
        assert latest


async def test_pending_lists_what_waits_with_buttons_that_work(h: Harness) -> None:
    first = await _request(h, "bob", weeks=1)
    second = await _request(h, "alice", weeks=3)
    await h.wait_for(MANAGER, has("New leave request from Alice"))

    header = await h.send(MANAGER, "/pending", has("2 requests wait for your decision"))
    cards = [await h.wait_for(MANAGER, has(f"from {name}"), after=header["message_id"]) for name in ("Bob", "Alice")]
    assert button_data(cards[0]) == [f"lv:a:{first.id}", f"lv:r:{first.id}"]
    answered = await h.press(MANAGER, data=f"lv:a:{second.id}", message_id=cards[1]["message_id"])

    assert answered["answer"]["text"] == "✅ Approved"
    assert await _status(h, second.id) is LeaveStatus.APPROVED
    await h.press(MANAGER, data=f"lv:a:{first.id}", message_id=cards[0]["message_id"])
    assert await h.send(MANAGER, "/pending", has("Nothing waits for your decision"))


async def test_pending_for_an_employee_answers_like_team_managers_only(h: Harness) -> None:
    pending = await h.send(BOB, "/pending", has("This is for managers and HR"))
    team = await h.send(BOB, "/team", has("This is for managers and HR"))
    assert "Nothing waits" not in pending["text"] and pending["text"] == team["text"]
