"""Overtime against the database: recorded by processing, decided per week, credited as time off in lieu."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.domain.enums import Accrual, Direction, LedgerKind, OvertimeStatus, PunchSource
from shared.errors import Forbidden, Invalid
from shared.model import DailyAttendance, LeaveLedgerEntry, LeaveType, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.timekeeping.overtime import (
    decide_overtime,
    reverse_overtime,
    send_weekly_summaries,
    undecided_overtime,
)
from tests.factories import Company, make_company

WEEK = date(2026, 11, 16)  # a Monday
SUNDAY = WEEK + timedelta(days=6)
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def _overtime_week(db: Database, company: Company) -> int:
    """Alice works 08:00–19:30 on Monday (shift 09–18) and 10:00–13:00 on Saturday; returns the TOIL type id."""
    async with db.transaction() as s:
        toil = LeaveType(code="TOIL", name="Time off in lieu", yearly_allowance=Decimal(0), accrual=Accrual.NONE)
        s.add(toil)
        for day, start, end in ((WEEK, 7, 18.5), (WEEK + timedelta(days=5), 9, 12)):
            for hour, direction in ((start, Direction.IN), (end, Direction.OUT)):
                await record_punch(
                    s, actor=company.hr, employee_id=company.alice_id, direction=direction, source=PunchSource.MANUAL,
                    instant=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour), now=NOW,
                    company_timezone="UTC", note="device down",
                )  # fmt: skip
        await process_days(s, date_from=WEEK, date_to=SUNDAY, now=NOW, company_timezone="UTC")
        await s.flush()
        return toil.id


async def _ledger(db: Database, company: Company, type_id: int) -> list[LeaveLedgerEntry]:
    async with db.session() as s:
        return list(
            await s.scalars(
                select(LeaveLedgerEntry)
                .where(LeaveLedgerEntry.employee_id == company.alice_id, LeaveLedgerEntry.leave_type_id == type_id)
                .order_by(LeaveLedgerEntry.id)
            )
        )


async def test_processing_records_overtime_beyond_the_shift_and_on_days_off(db: Database):
    company = await make_company(db)
    await _overtime_week(db, company)
    async with db.session() as s:
        rows = {
            r.date: r.overtime_minutes
            for r in await s.scalars(select(DailyAttendance).where(DailyAttendance.employee_id == company.alice_id))
        }
        pending = await undecided_overtime(s, date_from=WEEK, date_to=SUNDAY)
    assert rows[WEEK] == 150 and rows[WEEK + timedelta(days=5)] == 180
    assert [(p.date, p.minutes) for p in pending] == [(WEEK, 150), (WEEK + timedelta(days=5), 180)]


async def test_re_processing_keeps_the_same_overtime(db: Database):
    company = await make_company(db)
    await _overtime_week(db, company)
    async with db.transaction() as s:
        await process_days(s, date_from=WEEK, date_to=SUNDAY, now=NOW, company_timezone="UTC")
    async with db.session() as s:
        assert [p.minutes for p in await undecided_overtime(s, date_from=WEEK, date_to=SUNDAY)] == [150, 180]


async def test_approving_the_week_credits_time_off_in_lieu_once(db: Database):
    company = await make_company(db)
    toil = await _overtime_week(db, company)
    for _ in range(2):
        async with db.transaction() as s:
            outcome = await decide_overtime(
                s, actor=company.manager, employee_id=company.alice_id, date_from=WEEK, date_to=SUNDAY, approve=True,
                today=TODAY, now=NOW,
            )  # fmt: skip
    assert not outcome.changed, "the second decision finds nothing left to decide"
    entries = await _ledger(db, company, toil)
    assert [(e.kind, e.delta) for e in entries] == [
        (LedgerKind.TOIL, Decimal("0.31")),
        (LedgerKind.TOIL, Decimal("0.38")),
    ]
    async with db.session() as s:
        told = [m.payload["text"] for m in await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 9003))]
    assert any("0,69" in t or "0.69" in t for t in told)


async def test_hr_takes_back_an_approved_day_with_a_reversal_never_an_edit(db: Database):
    company = await make_company(db)
    toil = await _overtime_week(db, company)
    async with db.transaction() as s:
        await decide_overtime(
            s, actor=company.manager, employee_id=company.alice_id, date_from=WEEK, date_to=SUNDAY, approve=True,
            today=TODAY, now=NOW,
        )  # fmt: skip
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await reverse_overtime(
                s, actor=company.hr, employee_id=company.alice_id, day=WEEK, reason="", today=TODAY, now=NOW
            )
    async with db.transaction() as s:
        row = await reverse_overtime(
            s, actor=company.hr, employee_id=company.alice_id, day=WEEK, reason="was a training", today=TODAY, now=NOW
        )
    assert row.status is OvertimeStatus.REVERSED
    entries = await _ledger(db, company, toil)
    assert [e.delta for e in entries] == [Decimal("0.31"), Decimal("0.38"), Decimal("-0.31")]
    assert entries[-1].kind is LedgerKind.REVERSAL


async def test_a_rejected_week_credits_nothing_and_only_the_approver_or_hr_decide(db: Database):
    company = await make_company(db)
    toil = await _overtime_week(db, company)
    for actor in (company.alice, company.bob):
        with pytest.raises(Forbidden):
            async with db.transaction() as s:
                await decide_overtime(
                    s, actor=actor, employee_id=company.alice_id, date_from=WEEK, date_to=SUNDAY, approve=True,
                    today=TODAY, now=NOW,
                )  # fmt: skip
    async with db.transaction() as s:
        outcome = await decide_overtime(
            s, actor=Actor.cli(), employee_id=company.alice_id, date_from=WEEK, date_to=SUNDAY, approve=False,
            today=TODAY, now=NOW,
        )  # fmt: skip
    assert {d.status for d in outcome.decisions} == {OvertimeStatus.REJECTED}
    assert await _ledger(db, company, toil) == []


async def test_the_weekly_summary_goes_to_the_approver_with_buttons(db: Database):
    company = await make_company(db)
    await _overtime_week(db, company)
    async with db.transaction() as s:
        assert await send_weekly_summaries(s, week=WEEK, today=TODAY) == 1
    async with db.session() as s:
        message = await s.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 9002))
    assert "Alice" in message.payload["text"]
    assert message.payload["buttons"][0][0]["callback_data"] == f"ot:a:{company.alice_id}:20261116"
