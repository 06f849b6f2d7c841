"""Check-then-write under concurrency (separate connections, as separate processes): two approvals of one
correction write one punch; two lateness evaluations record one notice and one deduction; two overtime
decisions credit once. On PostgreSQL they interleave for real; on SQLite write transactions queue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from shared.domain.enums import Accrual, Direction, LatenessPeriod, LedgerKind, PunchSource
from shared.domain.lateness import LatenessPolicy
from shared.model import LatenessNotice, LeaveLedgerEntry, LeaveType, OvertimeDecision, Punch
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.timekeeping.corrections import decide_correction, request_correction
from shared.services.timekeeping.lateness import evaluate_lateness
from shared.services.timekeeping.overtime import decide_overtime
from tests.factories import Company, make_company

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


async def _in_parallel(db_url: str, calls: list[Callable[[Database], Awaitable[Any]]]) -> list[Any]:
    engines = [Database.from_url(db_url) for _ in calls]
    try:
        return await asyncio.gather(*(c(e) for e, c in zip(engines, calls, strict=True)), return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()


async def _count(db: Database, query: Any) -> int:
    async with db.session() as s:
        return int(await s.scalar(query) or 0)


async def test_two_approvals_of_one_correction_at_once_write_one_punch(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        correction = await request_correction(
            s, actor=company.alice, employee_id=company.alice_id, day=date(2026, 11, 23), at=time(18, 10),
            direction=Direction.OUT, reason="forgot", now=NOW,
        )  # fmt: skip

    def approve(actor: Actor):
        async def call(database: Database) -> Any:
            async with database.transaction() as s:
                return await decide_correction(s, actor=actor, correction_id=correction.id, approve=True, now=NOW)

        return call

    results = await _in_parallel(db_url, [approve(company.manager), approve(company.hr), approve(company.manager)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for r in results if r.changed) == 1
    assert await _count(db, select(func.count()).select_from(Punch).where(Punch.source == PunchSource.CORRECTION)) == 1


async def _late_three_times(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        for day in (date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)):
            base = datetime.combine(day, datetime.min.time(), UTC)
            for hours, direction in ((8.5, Direction.IN), (17, Direction.OUT)):
                await record_punch(
                    s, actor=company.hr, employee_id=company.alice_id, direction=direction, source=PunchSource.MANUAL,
                    instant=base + timedelta(hours=hours), now=NOW, company_timezone="UTC", note="device down",
                )  # fmt: skip
        await process_days(s, date_from=date(2026, 11, 16), date_to=date(2026, 11, 23), now=NOW, company_timezone="UTC")


async def test_two_lateness_evaluations_at_once_record_one_notice_and_one_deduction(db: Database, db_url: str):
    company = await make_company(db)
    await _late_three_times(db, company)
    policy = LatenessPolicy(3, LatenessPeriod.MONTH, Decimal("0.5"), company.annual_id)

    async def evaluate(database: Database) -> Any:
        async with database.transaction() as s:
            return await evaluate_lateness(
                s, as_of=date(2026, 11, 23), now=NOW, actor=Actor.system("process_attendance"), policy=policy
            )

    results = await _in_parallel(db_url, [evaluate, evaluate, evaluate])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert await _count(db, select(func.count()).select_from(LatenessNotice)) == 1
    deductions = select(func.count()).select_from(LeaveLedgerEntry).where(LeaveLedgerEntry.kind == LedgerKind.LATENESS)
    assert await _count(db, deductions) == 1


async def test_two_overtime_approvals_at_once_credit_once(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        s.add(LeaveType(code="TOIL", name="Time off in lieu", yearly_allowance=Decimal(0), accrual=Accrual.NONE))
        base = datetime(2026, 11, 16, tzinfo=UTC)
        for hours, direction in ((6, Direction.IN), (19, Direction.OUT)):
            await record_punch(
                s, actor=company.hr, employee_id=company.alice_id, direction=direction, source=PunchSource.MANUAL,
                instant=base + timedelta(hours=hours), now=NOW, company_timezone="UTC", note="device down",
            )  # fmt: skip
        await process_days(s, date_from=date(2026, 11, 16), date_to=date(2026, 11, 16), now=NOW, company_timezone="UTC")

    def approve(actor: Actor):
        async def call(database: Database) -> Any:
            async with database.transaction() as s:
                return await decide_overtime(
                    s, actor=actor, employee_id=company.alice_id, date_from=date(2026, 11, 16),
                    date_to=date(2026, 11, 22), approve=True, today=TODAY, now=NOW,
                )  # fmt: skip

        return call

    results = await _in_parallel(db_url, [approve(company.manager), approve(company.hr)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert await _count(db, select(func.count()).select_from(OvertimeDecision)) == 1
    credits = select(func.count()).select_from(LeaveLedgerEntry).where(LeaveLedgerEntry.kind == LedgerKind.TOIL)
    assert await _count(db, credits) == 1


async def test_a_request_retried_at_once_with_the_same_key_makes_one_correction(db: Database, db_url: str):
    company = await make_company(db)

    async def ask(database: Database) -> Any:
        async with database.transaction() as s:
            return await request_correction(
                s, actor=company.alice, employee_id=company.alice_id, day=date(2026, 11, 23), at=time(18, 10),
                direction=Direction.OUT, reason="forgot", now=NOW, idempotency_key="same",
            )  # fmt: skip

    results = await _in_parallel(db_url, [ask, ask, ask])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.id for r in results}) == 1
