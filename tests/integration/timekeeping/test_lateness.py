"""The lateness policy against the database: one notice per crossing, a deduction, an exact waiver."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shared.domain.enums import Direction, LatenessPeriod, LatenessStatus, LedgerKind, PunchSource
from shared.domain.lateness import LatenessPolicy
from shared.errors import Forbidden, Invalid
from shared.model import AuditLog, LatenessNotice, LeaveLedgerEntry, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.timekeeping.lateness import evaluate_lateness, waive_lateness
from tests.factories import Company, make_company

LATE_DAYS = [date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
SYSTEM = Actor.system("process_attendance")


async def _late_three_times(db: Database, company: Company) -> LatenessPolicy:
    """Alice comes in at 09:30 (shift 09:00, grace 10 min) on three days; the policy deducts half a day."""
    async with db.transaction() as s:
        for day in LATE_DAYS:
            base = datetime.combine(day, datetime.min.time(), UTC)
            for hours, direction in ((8.5, Direction.IN), (17, Direction.OUT)):
                await record_punch(
                    s, actor=company.hr, employee_id=company.alice_id, direction=direction, source=PunchSource.MANUAL,
                    instant=base + timedelta(hours=hours), now=NOW, company_timezone="UTC", note="device down",
                )  # fmt: skip
        await process_days(
            s, date_from=LATE_DAYS[0], date_to=TODAY - timedelta(days=1), now=NOW, company_timezone="UTC"
        )
    return LatenessPolicy(3, LatenessPeriod.MONTH, Decimal("0.5"), company.annual_id)


async def _evaluate(db: Database, policy: LatenessPolicy) -> list[LatenessNotice]:
    async with db.transaction() as s:
        return await evaluate_lateness(s, as_of=TODAY - timedelta(days=1), now=NOW, actor=SYSTEM, policy=policy)


async def _annual(db: Database, company: Company) -> list[LeaveLedgerEntry]:
    async with db.session() as s:
        return list(
            await s.scalars(
                select(LeaveLedgerEntry)
                .where(
                    LeaveLedgerEntry.employee_id == company.alice_id,
                    LeaveLedgerEntry.leave_type_id == company.annual_id,
                )
                .order_by(LeaveLedgerEntry.id)
            )
        )


async def test_three_late_arrivals_in_a_month_give_one_notice_and_one_deduction(db: Database):
    company = await make_company(db)
    policy = await _late_three_times(db, company)
    notices = await _evaluate(db, policy)
    assert len(notices) == 1 and notices[0].late_days == [d.isoformat() for d in LATE_DAYS]
    assert notices[0].deducted_days == Decimal("0.5")
    entries = await _annual(db, company)
    assert [(e.kind, e.delta) for e in entries] == [(LedgerKind.LATENESS, Decimal("-0.50"))]
    assert "2026-11-16, 2026-11-17, 2026-11-18" in entries[0].note
    async with db.session() as s:
        chats = set(await s.scalars(select(OutboxMessage.chat_id)))
        audited = await s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "lateness_notice"))
    assert {9003, 9002} <= chats, "Alice and her manager are told"
    assert audited == 1


async def test_evaluating_again_and_re_processing_never_deduct_twice(db: Database):
    company = await make_company(db)
    policy = await _late_three_times(db, company)
    await _evaluate(db, policy)
    async with db.transaction() as s:
        await process_days(
            s, date_from=LATE_DAYS[0], date_to=TODAY - timedelta(days=1), now=NOW, company_timezone="UTC"
        )
    assert await _evaluate(db, policy) == []
    assert len(await _annual(db, company)) == 1


async def test_a_waiver_restores_the_balance_exactly_and_a_second_waiver_changes_nothing(db: Database):
    company = await make_company(db)
    policy = await _late_three_times(db, company)
    notice = (await _evaluate(db, policy))[0]
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await waive_lateness(s, actor=company.hr, notice_id=notice.id, reason=" ", today=TODAY, now=NOW)
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await waive_lateness(s, actor=company.manager, notice_id=notice.id, reason="x", today=TODAY, now=NOW)
    for expected in (True, False):
        async with db.transaction() as s:
            outcome = await waive_lateness(
                s, actor=company.hr, notice_id=notice.id, reason="train strike", today=TODAY, now=NOW
            )
        assert outcome.changed is expected
    assert outcome.notice.status is LatenessStatus.WAIVED
    entries = await _annual(db, company)
    assert sum(e.delta for e in entries) == 0 and [e.kind for e in entries] == [
        LedgerKind.LATENESS,
        LedgerKind.REVERSAL,
    ]
    assert await _evaluate(db, policy) == [], "a waived crossing is not raised again"


async def test_a_policy_that_only_notifies_posts_nothing(db: Database):
    company = await make_company(db)
    await _late_three_times(db, company)
    notices = await _evaluate(db, LatenessPolicy(3, LatenessPeriod.ROLLING_30))
    assert len(notices) == 1 and notices[0].deducted_days == 0
    assert await _annual(db, company) == []


async def test_the_deduction_names_the_leave_type_in_each_readers_language(db: Database):
    from shared.model import LeaveType

    company = await make_company(db)  # Alice reads Russian, her manager English
    async with db.transaction() as s:
        (await s.get(LeaveType, company.annual_id)).name_translations = {"ru": "Ежегодный отпуск"}
    await _evaluate(db, await _late_three_times(db, company))
    async with db.session() as s:
        texts = {m.chat_id: m.payload["text"] for m in await s.scalars(select(OutboxMessage))}
    assert "Ежегодный отпуск" in texts[9003]
    assert "Annual leave" in texts[9002] and "Ежегодный отпуск" not in texts[9002]
