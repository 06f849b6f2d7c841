"""Hourly leave through the real bot: the day on the calendar, the hours typed, the shift enforced, hours
shown in the summary and to the approver."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.domain.enums import Accrual
from shared.domain.hourly import LeaveUnit
from shared.model import LeaveRequest, LeaveType
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from tests.e2e.bot.conftest import next_monday
from tests.e2e.bot.harness import BOB, MANAGER, Harness, button_texts, has, with_button

pytestmark = pytest.mark.e2e


async def _permission(h: Harness) -> int:
    async with h.db.transaction() as session:
        kind = LeaveType(code="PERM", name="Permission", unit=LeaveUnit.HOURS, yearly_allowance=Decimal(16),
                         accrual=Accrual.YEARLY, min_minutes=30, step_minutes=30, half_days_allowed=False)  # fmt: skip
        session.add(kind)
        await session.flush()
        await allocate_year(session, year=h.today.year, actor=Actor.system("test"))
        return kind.id


async def test_two_hours_are_booked_inside_the_shift_and_the_manager_sees_the_range(h: Harness) -> None:
    type_id = await _permission(h)
    day = next_monday(h.today)
    types = await h.send(BOB, "/leave", with_button("lt:"))
    assert f"Permission: 16 hours left in {h.today.year}" in button_texts(types)
    await h.press(BOB, data=f"lt:{type_id}", message_id=types["message_id"])
    await h.wait_for(BOB, has("Pick the day:"))
    await h.pick_date(BOB, day)
    await h.wait_for(BOB, has("Which hours?"))

    await h.send(BOB, "after lunch", has("Please type the hours as a range"))
    await h.send(BOB, "08:00-10:00", has("The hours must lie inside your shift."))
    await h.wait_for_latest(BOB, has("Pick the day:"))
    await h.pick_date(BOB, day)
    await h.wait_for_latest(BOB, has("Which hours?"))
    await h.send(BOB, "10-12", has("Add a short reason"))
    skip = await h.wait_for_latest(BOB, with_button("lf:skip"))
    await h.press(BOB, data="lf:skip", message_id=skip["message_id"])
    summary = await h.wait_for(BOB, has("Please check your request"))
    assert "10:00" in summary["text"] and "12:00" in summary["text"] and "2 hours" in summary["text"]
    assert "after this request: 14 hours" in summary["text"]

    await h.press(BOB, data="lf:ok", message_id=summary["message_id"])
    await h.wait_for(BOB, has("Sent to Max Manager for approval"))
    async with h.db.session() as session:
        (request,) = list(await session.scalars(select(LeaveRequest)))
    assert (request.minutes, request.working_days, request.start_date) == (120, Decimal(2), day)
    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))
    assert "10:00" in approval["text"] and "2 hours" in approval["text"]
