"""accrual, carry_over and expire_carry_over as the scheduler runs them: posted once, whatever the reruns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from scheduler.runner import JobRunner
from shared.domain.enums import Accrual, JobStatus, LedgerKind
from shared.model import LeaveLedgerEntry, LeaveType
from shared.persistence import Database
from tests.factories import make_company
from tests.integration.scheduler.support import Clock


async def _count(db: Database, kind: LedgerKind) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).where(LeaveLedgerEntry.kind == kind)) or 0)


async def test_the_monthly_accrual_posts_this_month_and_catches_up_last_month_once(
    db: Database, runner: JobRunner, clock: Clock
):
    await make_company(db)
    async with db.transaction() as s:
        s.add(LeaveType(code="MON", name="Monthly", yearly_allowance=Decimal(12), accrual=Accrual.MONTHLY))
    clock.now = datetime(2026, 11, 1, 0, 15, tzinfo=UTC)
    first = await runner.run("accrual", trigger="schedule")
    second = await runner.run("accrual", trigger="cli")
    assert first is not None and first.status is JobStatus.SUCCESS
    assert (first.counts["caught_up"], first.counts["posted"]) == (4, 4)  # October and November, 4 people
    assert second is not None and (second.counts["caught_up"], second.counts["posted"]) == (0, 0)
    assert await _count(db, LedgerKind.ACCRUAL) == 8


async def test_the_year_start_carries_over_and_allocates_once(db: Database, runner: JobRunner, clock: Clock):
    await make_company(db)
    clock.now = datetime(2026, 12, 31, 23, 20, tzinfo=UTC)  # 00:20 on Jan 1 in Berlin
    first = await runner.run("carry_over", trigger="schedule")
    second = await runner.run("carry_over", trigger="schedule")
    assert first is not None and first.status is JobStatus.SUCCESS, first.error
    assert first.counts["allocated"] == 12  # 4 people × 3 yearly types for 2027
    assert second is not None and (second.counts["allocated"], second.counts["carried"]) == (0, 0)
    assert await _count(db, LedgerKind.ALLOCATION) == 12


async def test_the_daily_expiry_runs_and_reports_what_it_expired(db: Database, runner: JobRunner):
    await make_company(db)
    run = await runner.run("expire_carry_over", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS and run.counts == {"expired": 0}
