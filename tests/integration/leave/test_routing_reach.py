"""Routing through the service: up the manager chain, past whoever cannot be reached, HR told at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from shared.model import Employee, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.requests import request_leave
from tests.factories import make_company

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


async def _ask(db: Database, company, employee_id: int):
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        return await request_leave(
            s, actor=Actor.cli(), employee_id=employee_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 1), end=date(2026, 12, 2), today=TODAY, now=NOW,
        )  # fmt: skip


async def _sent_to(db: Database) -> list[tuple[int, str]]:
    async with db.session() as s:
        return [(m.chat_id, m.payload.get("text", "")) for m in await s.scalars(select(OutboxMessage))]


async def test_a_manager_without_telegram_is_passed_over_for_their_own_manager(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:  # Max (manager, head of the department) reports to Hana (HR)
        await s.execute(update(Employee).where(Employee.id == company.manager_id).values(telegram_user_id=None))
    request = await _ask(db, company, company.alice_id)
    assert request.approver_id == company.hr_id
    messages = await _sent_to(db)
    assert any(chat == 9001 for chat, _ in messages)  # Hana got the buttons
    (to_alice,) = [text for chat, text in messages if chat == 9003]
    assert "Hana HR" in to_alice  # told who decides (in Russian: her language)


async def test_when_nobody_in_the_chain_can_be_reached_hr_is_told_at_once(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.id == company.manager_id).values(telegram_user_id=None))
        hr2 = Employee(code="HR2", full_name="Hugo HR", role="hr", telegram_user_id=9099, hire_date=date(2020, 1, 1))
        s.add(hr2)
        await s.execute(update(Employee).where(Employee.id == company.hr_id).values(telegram_user_id=None))
    request = await _ask(db, company, company.alice_id)
    assert request.approver_id == hr2.id  # the chain (Max, Hana) cannot be reached: the next HR person
    assert any(chat == 9099 for chat, _ in await _sent_to(db))


async def test_a_request_nobody_can_be_reached_for_waits_unrouted_for_hr_and_is_logged(db: Database, caplog):
    company = await make_company(db)
    async with db.transaction() as s:
        await s.execute(update(Employee).values(telegram_user_id=None))
    request = await _ask(db, company, company.bob_id)
    assert request.approver_id is None  # HR sees unrouted requests in their pending list
    assert "reaches nobody" in caplog.text
