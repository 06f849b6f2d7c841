"""Overtime and lateness through the real bot: the manager approves a week of overtime from the summary's
button (time off in lieu credited once); HR waives a lateness notice from /lateness with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.domain.enums import Accrual, Direction, LatenessPeriod, LatenessStatus, LedgerKind, PunchSource
from shared.domain.lateness import LatenessPolicy
from shared.domain.overtime import week_start
from shared.model import LatenessNotice, LeaveLedgerEntry, LeaveType, Punch
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.timekeeping.lateness import evaluate_lateness
from shared.services.timekeeping.overtime import send_weekly_summaries
from tests.e2e.bot.harness import BOB, HR, MANAGER, Harness, button_data, eventually, has, with_button

pytestmark = pytest.mark.e2e


async def _worked(h: Harness, employee_id: int, days: list, start: int, end: int) -> None:
    """Device punches (UTC hours) on these days, then the days processed."""
    async with h.db.transaction() as session:
        for day in days:
            base = datetime.combine(day, datetime.min.time(), UTC)
            for hours, direction in ((start, Direction.IN), (end, Direction.OUT)):
                session.add(Punch(employee_id=employee_id, source=PunchSource.DEVICE, direction=direction,
                                  instant=base + timedelta(hours=hours), device_user_id=str(employee_id)))  # fmt: skip
        await session.flush()
        await process_days(session, date_from=min(days), date_to=max(days), now=datetime.now(UTC),
                           company_timezone="Europe/Berlin")  # fmt: skip


async def test_the_manager_approves_last_weeks_overtime_from_the_summary(h: Harness) -> None:
    async with h.db.transaction() as session:
        session.add(LeaveType(code="TOIL", name="Time off in lieu", yearly_allowance=Decimal(0), accrual=Accrual.NONE))
    monday = week_start(h.today) - timedelta(days=7)
    await _worked(h, h.company.bob_id, [monday, monday + timedelta(days=1)], 5, 19)  # 07:00–21:00 Berlin
    async with h.db.transaction() as session:
        assert await send_weekly_summaries(session, week=monday, today=h.today) == 1
    summary = await h.wait_for(MANAGER, with_button("ot:a:"))
    assert "Bob" in summary["text"]
    data = f"ot:a:{h.company.bob_id}:{monday:%Y%m%d}"
    assert data in button_data(summary)
    answered = await h.press(MANAGER, data=data, message_id=summary["message_id"])
    assert answered["answer"]["text"] == "Done"
    await h.wait_for(BOB, has("Max Manager approved your overtime"))

    async def credits() -> list[LeaveLedgerEntry]:
        async with h.db.session() as session:
            return list(await session.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.kind == LedgerKind.TOIL)))

    assert len(await eventually(credits)) == 2
    again = await h.press(MANAGER, data=data, message_id=summary["message_id"])
    assert "already decided" in again["answer"]["text"]
    assert len(await credits()) == 2
    await h.send(MANAGER, "/overtime", has("No overtime waits for your decision."))


async def test_the_manager_asks_for_the_teams_overtime_on_demand(h: Harness) -> None:
    monday = week_start(h.today) - timedelta(days=7)
    await _worked(h, h.company.bob_id, [monday], 5, 19)
    summary = await h.send(MANAGER, "/overtime", with_button("ot:a:"))
    assert "Bob" in summary["text"] and f"ot:r:{h.company.bob_id}:{monday:%Y%m%d}" in button_data(summary)
    await h.send(BOB, "/overtime", has("This is for managers and HR."))


async def test_hr_waives_a_lateness_notice_from_the_bot(h: Harness) -> None:
    days = [h.today - timedelta(days=back) for back in range(1, 12)]
    days = [d for d in days if d.isoweekday() <= 5 and (d.month, d.day) != (12, 25)][:3]  # three working days
    await _worked(h, h.company.bob_id, days, 9, 17)  # 10:00 Berlin for a 09:00 shift: late
    async with h.db.transaction() as session:
        policy = LatenessPolicy(3, LatenessPeriod.ROLLING_30, Decimal(1), h.company.annual_id)
        (notice,) = await evaluate_lateness(
            session, as_of=h.today - timedelta(days=1), now=datetime.now(UTC), actor=Actor.system("e2e"), policy=policy
        )
    await h.wait_for(BOB, has("You were late 3 times"))
    card = await h.send(HR, "/lateness", with_button("lw:"))
    assert f"lw:{notice.id}" in button_data(card) and "Bob" in card["text"]
    await h.press(HR, data=f"lw:{notice.id}", message_id=card["message_id"])
    await h.wait_for(HR, has(f"Why do you waive notice #{notice.id}?"))
    await h.send(HR, "Train strike", has(f"Notice #{notice.id} waived"))
    await h.wait_for(BOB, has("waived the lateness notice"))
    async with h.db.session() as session:
        row = await session.get(LatenessNotice, notice.id)
        entries = list(await session.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.key.like("lateness%"))))
    assert row.status is LatenessStatus.WAIVED and row.waive_reason == "Train strike"
    assert sum(e.delta for e in entries) == 0 and len(entries) == 2
