"""Allocation, accrual, carry-over and expiry post each entry once, whatever the reruns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from shared.domain.enums import Accrual, LedgerKind
from shared.domain.leave import RuleViolated
from shared.errors import Forbidden
from shared.model import AuditLog, LeaveLedgerEntry, LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import (
    accrue_month,
    adjust_balance,
    allocate_year,
    balances,
    carry_over,
    expire_carry_over,
)
from tests.factories import make_company

JOB = Actor.system("test")


async def _entries(db: Database, employee_id: int, type_id: int):
    async with db.session() as s:
        return list(
            await s.scalars(
                select(LeaveLedgerEntry).where(
                    LeaveLedgerEntry.employee_id == employee_id, LeaveLedgerEntry.leave_type_id == type_id
                )
            )
        )


async def test_allocating_a_year_twice_posts_once(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        first = await allocate_year(s, year=2026, actor=JOB)
    async with db.transaction() as s:
        second = await allocate_year(s, year=2026, actor=JOB)
    assert first == 4 * 3 and second == 0  # 4 people × 3 yearly types
    assert [e.delta for e in await _entries(db, company.alice_id, company.annual_id)] == [Decimal(20)]


async def test_twelve_monthly_accruals_sum_to_the_allowance(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        await s.execute(
            update(LeaveType)
            .where(LeaveType.id == company.annual_id)
            .values(accrual=Accrual.MONTHLY, yearly_allowance=Decimal(25), accrual_rounding=Decimal("0.5"))
        )
    for month in range(1, 13):
        async with db.transaction() as s:
            await accrue_month(s, year=2026, month=month, actor=JOB)
        async with db.transaction() as s:  # a rerun of the same month adds nothing
            assert await accrue_month(s, year=2026, month=month, actor=JOB) == 0
    entries = await _entries(db, company.alice_id, company.annual_id)
    assert sum(e.delta for e in entries) == Decimal(25)
    assert all(e.kind is LedgerKind.ACCRUAL for e in entries)


async def test_carry_over_is_capped_and_the_rest_expires(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        await s.execute(
            update(LeaveType)
            .where(LeaveType.id == company.annual_id)
            .values(carry_over_cap=Decimal(5), carry_over_expiry_months=3)
        )
        await allocate_year(s, year=2026, actor=JOB)
    async with db.transaction() as s:
        await carry_over(s, into_year=2027, actor=JOB)
    async with db.transaction() as s:
        assert await carry_over(s, into_year=2027, actor=JOB) == 0
    async with db.session() as s:
        jan = {
            line.leave_type_id: line for line in await balances(s, employee_id=company.alice_id, as_of=date(2027, 1, 1))
        }
    assert jan[company.annual_id].balance == Decimal(5)
    async with db.transaction() as s:
        assert await expire_carry_over(s, today=date(2027, 3, 31), actor=JOB) == 0  # still usable
    async with db.transaction() as s:
        assert await expire_carry_over(s, today=date(2027, 4, 1), actor=JOB) > 0
    async with db.session() as s:
        april = {
            line.leave_type_id: line for line in await balances(s, employee_id=company.alice_id, as_of=date(2027, 4, 1))
        }
    assert april[company.annual_id].balance == 0
    kinds = [e.kind for e in await _entries(db, company.alice_id, company.annual_id)]
    assert kinds.count(LedgerKind.EXPIRY) == 1


async def test_hr_adjusts_with_a_note_and_it_is_audited(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        await adjust_balance(
            s,
            actor=company.hr,
            employee_id=company.bob_id,
            leave_type_id=company.annual_id,
            delta=Decimal("1.5"),
            note="Worked on a holiday",
            on=date(2026, 11, 23),
        )
    (entry,) = await _entries(db, company.bob_id, company.annual_id)
    assert (
        entry.kind is LedgerKind.ADJUSTMENT
        and entry.delta == Decimal("1.5")
        and entry.actor == f"employee:{company.hr_id}"
    )
    async with db.session() as s:
        assert await s.scalar(select(AuditLog).where(AuditLog.action == "adjust")) is not None


async def test_an_adjustment_needs_hr_and_a_note(db: Database):
    company = await make_company(db)
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await adjust_balance(
                s,
                actor=company.alice,
                employee_id=company.alice_id,
                leave_type_id=company.annual_id,
                delta=Decimal(1),
                note="please",
                on=date(2026, 11, 23),
            )
    with pytest.raises(RuleViolated):
        async with db.transaction() as s:
            await adjust_balance(
                s,
                actor=company.hr,
                employee_id=company.alice_id,
                leave_type_id=company.annual_id,
                delta=Decimal(1),
                note="  ",
                on=date(2026, 11, 23),
            )
