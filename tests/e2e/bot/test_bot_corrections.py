"""A missed punch corrected through the real bot: Bob asks with /correct, Max approves or rejects with the
buttons, the punch of source ``correction`` is written once and Bob is told."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from shared.domain.enums import CorrectionStatus, PunchSource
from shared.model import Punch, PunchCorrection
from tests.e2e.bot.harness import BOB, MANAGER, Harness, button_data, eventually, has, with_button

pytestmark = pytest.mark.e2e


async def _plant_button(h: Harness, chat_id: int, data: str) -> int:
    """A modified client's button: posted through the Bot API into the user's chat, then pressed."""
    url = f"{h.deployment.emulator.base_url}{h.deployment.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "Approve", "callback_data": data}]]}
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(url, data={"chat_id": chat_id, "text": "x", "reply_markup": json.dumps(markup)})
    response.raise_for_status()
    return int(response.json()["result"]["message_id"])


async def _ask(h: Harness, reason: str = "forgot to check out") -> PunchCorrection:
    """Bob: /correct → yesterday → check-out → 18:10 → the reason."""
    yesterday = h.today - timedelta(days=1)
    days = await h.send(BOB, "/correct", with_button("cf:d:"))
    assert f"cf:d:{yesterday:%Y%m%d}" in button_data(days)
    await h.press(BOB, data=f"cf:d:{yesterday:%Y%m%d}", message_id=days["message_id"])
    await h.press(BOB, data="cf:out", message_id=days["message_id"])
    await h.wait_for(BOB, has("At what time?"))
    await h.send(BOB, "18:10", has("Why is the punch missing?"))
    sent = await h.send(BOB, reason, has("sent to Max Manager"))
    assert "Correction #" in sent["text"]
    async with h.db.session() as session:
        return (await session.scalars(select(PunchCorrection))).one()


async def test_a_correction_asked_in_the_bot_and_approved_with_the_button_becomes_one_punch(h: Harness) -> None:
    correction = await _ask(h)
    assert correction.status is CorrectionStatus.PENDING and correction.reason == "forgot to check out"
    card = await h.wait_for(MANAGER, has("Missed-punch correction from Bob"))
    assert button_data(card) == [f"cr:a:{correction.id}", f"cr:r:{correction.id}"]

    answered = await h.press(MANAGER, data=f"cr:a:{correction.id}", message_id=card["message_id"])
    assert answered["answer"]["text"] == "✅ Approved"
    await h.wait_for(BOB, has("Your correction was approved by Max Manager"))

    async def punches() -> list[Punch]:
        async with h.db.session() as session:
            return list(await session.scalars(select(Punch).where(Punch.source == PunchSource.CORRECTION)))

    (punch,) = await eventually(punches)
    assert punch.instant == correction.instant and punch.created_by == f"employee:{h.company.manager_id}"
    stale = await _plant_button(h, MANAGER, f"cr:a:{correction.id}")  # an old copy of the button, pressed again
    again = await h.press(MANAGER, data=f"cr:a:{correction.id}", message_id=stale)
    assert "Already approved by Max Manager" in again["answer"]["text"]
    assert len(await punches()) == 1


async def test_a_rejection_asks_for_the_reason_and_someone_else_cannot_decide(h: Harness) -> None:
    correction = await _ask(h, "the device was down")
    await h.wait_for(MANAGER, has("Missed-punch correction from Bob"))
    card = await h.send(MANAGER, "/corrections", with_button("cr:r:"))  # the same card, on demand
    assert button_data(card) == [f"cr:a:{correction.id}", f"cr:r:{correction.id}"]
    planted = await _plant_button(h, BOB, f"cr:a:{correction.id}")  # Bob forges an Approve of his own
    refused = await h.press(BOB, data=f"cr:a:{correction.id}", message_id=planted)
    assert refused["answer"]["text"] == "⛔ You cannot decide on this correction."
    prompt_after = await h.last_id(MANAGER)
    await h.press(MANAGER, data=f"cr:r:{correction.id}", message_id=card["message_id"])
    await h.wait_for(MANAGER, has("Why do you reject the correction of Bob?"), after=prompt_after)
    await h.send(MANAGER, "You left at 17:00", has("Rejected. The employee has been told."))
    await h.wait_for(BOB, has("Your correction was rejected by Max Manager", "You left at 17:00"))
    async with h.db.session() as session:
        row = await session.get(PunchCorrection, correction.id)
    assert row.status is CorrectionStatus.REJECTED and row.punch_id is None
    await h.send(MANAGER, "/corrections", has("No correction waits for your decision."))
