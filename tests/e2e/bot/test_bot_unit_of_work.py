"""The update as the bot's unit of work, through the real bot: stale prompts end on a change of subject, a
dead lock holder frees the user within seconds, a redelivered update is not handled twice."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from shared.domain.enums import LeaveStatus
from shared.model import LeaveRequest
from shared.services.leave.requests import request_leave
from tests.e2e.bot.conftest import next_monday
from tests.e2e.bot.harness import BOB, MANAGER, Harness, has, with_button

pytestmark = pytest.mark.e2e


async def _bobs_request(h: Harness) -> LeaveRequest:
    start = next_monday(h.today)
    async with h.db.transaction() as session:
        return await request_leave(
            session, actor=h.company.bob, employee_id=h.company.bob_id, leave_type_id=h.company.annual_id,
            start=start, end=start, today=h.today, now=datetime.now(UTC),
        )  # fmt: skip


async def _status(h: Harness, request_id: int) -> LeaveStatus:
    async with h.db.session() as session:
        request = await session.get(LeaveRequest, request_id)
        assert request is not None
        return request.status


async def test_a_reject_prompt_ends_when_the_manager_moves_on_and_ok_rejects_nothing(h: Harness) -> None:
    request = await _bobs_request(h)
    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))
    await h.press(MANAGER, data=f"lv:r:{request.id}", message_id=approval["message_id"])
    await h.wait_for(MANAGER, has("Why do you reject"))

    team = await h.send(MANAGER, "/team", has("I stopped the rejection of the leave of Bob"))
    assert "still waits for your decision" in team["text"]
    await h.wait_for(MANAGER, has("Your team on"), after=team["message_id"])
    await h.send(MANAGER, "ok", has("did not understand"))

    assert await _status(h, request.id) is LeaveStatus.PENDING
    assert not [t for t in await h.bot_texts(BOB) if "rejected" in t.lower()]


async def test_a_menu_button_also_ends_the_reject_prompt(h: Harness) -> None:
    request = await _bobs_request(h)
    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))
    await h.press(MANAGER, data=f"lv:r:{request.id}", message_id=approval["message_id"])
    await h.wait_for(MANAGER, has("Why do you reject"))

    await h.send(MANAGER, "💼 Balance", has("I stopped the rejection"))
    await h.send(MANAGER, "ok", has("did not understand"))
    assert await _status(h, request.id) is LeaveStatus.PENDING


async def test_the_reject_reason_still_works_when_nothing_else_came_between(h: Harness) -> None:
    request = await _bobs_request(h)
    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))
    await h.press(MANAGER, data=f"lv:r:{request.id}", message_id=approval["message_id"])
    await h.wait_for(MANAGER, has("Why do you reject"))
    await h.send(MANAGER, "Team offsite that week", has("Rejected. The employee has been told."))
    assert await _status(h, request.id) is LeaveStatus.REJECTED


async def test_a_leave_reason_prompt_ends_on_a_command_and_its_buttons_go(h: Harness) -> None:
    start = next_monday(h.today)
    types = await h.send(BOB, "/leave", with_button("lt:"))
    await h.press(BOB, data=f"lt:{h.company.annual_id}", message_id=types["message_id"])
    await h.pick_date(BOB, start)
    await h.press_then(BOB, has("Whole days, or half days?"), data="lf:same")
    await h.press_then(BOB, has("Add a short reason"), data="hd:f")
    prompt = await h.wait_for_latest(BOB, has("Add a short reason"))

    stopped = await h.send(BOB, "/balance", has("I stopped your leave request"))
    assert "it was not sent" in stopped["text"]
    await h.send(BOB, "ok", has("did not understand"))

    async with h.db.session() as session:
        assert list(await session.scalars(select(LeaveRequest))) == []
    assert (await h.control.message(BOB, prompt["message_id"]))["buttons"] is None


async def test_a_killed_holder_of_the_users_lock_frees_the_user_within_seconds(h: Harness) -> None:
    redis = Redis.from_url(h.deployment.redis_url)
    try:  # what a bot killed in the middle of an update leaves: the user's lock, never renewed again
        await redis.set(f"{h.deployment.prefix}:lock:user:{BOB}", "a-killed-process", px=3000)
        started = time.monotonic()
        await h.send(BOB, "/balance", has("Your leave balance"), timeout=8)
        assert time.monotonic() - started < 5
        assert not [t for t in await h.bot_texts(BOB) if "Still working" in t]
    finally:
        await redis.aclose()


async def test_an_update_handled_before_is_not_handled_again(h: Harness) -> None:
    """A redelivery (webhook retry, a process killed after handling it) finds the update's handled-mark."""
    redis = Redis.from_url(h.deployment.redis_url)
    try:
        first = await h.control.send_text(BOB, "/checkin")
        await h.wait_for(BOB, has("Checked in"), after=first["message"]["message_id"])
        next_id = first["update_id"] + 1
        await redis.set(f"{h.deployment.prefix}:bot:update:{next_id}:done", "1", ex=60)  # as if seen already
        second = await h.control.send_text(BOB, "/checkout")
        assert second["update_id"] == next_id
        probe = await h.send(BOB, "/help", has("Here is what I can do"))
        assert probe["message_id"] > second["message"]["message_id"]
        assert not [t for t in await h.bot_texts(BOB) if "Checked out" in t]
    finally:
        await redis.aclose()


async def test_a_reply_delayed_past_the_old_timeout_is_sent_once(h: Harness) -> None:
    await h.control.inject("sendMessage", delay_ms=6000, count=1)
    sent = await h.control.send_text(BOB, "/balance")
    await h.wait_for(BOB, has("Your leave balance"), after=sent["message"]["message_id"], timeout=15)
    await h.send(BOB, "/help", has("Here is what I can do"), timeout=15)
    assert len([t for t in await h.bot_texts(BOB) if "Your leave balance" in t]) == 1
