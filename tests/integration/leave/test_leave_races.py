"""Check-then-write under concurrency: parallel connections never overdraw a balance or a department's
capacity, and identical requests make one row. Each test opens several engines (separate connections,
as separate processes would) and fires the calls at once; on PostgreSQL they interleave for real."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from shared.domain.enums import LeaveStatus, Role
from shared.errors import ChronosError
from shared.model import Department, Employee, LeaveLedgerEntry, LeaveRequest
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import adjust_balance, allocate_year, balances
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import request_leave
from tests.factories import Company, make_company

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
MONDAY = date(2026, 11, 30)


async def _in_parallel(db_url: str, calls: list[Callable[[Database], Awaitable[Any]]]) -> list[Any]:
    """Run each call in its own transaction on its own engine, all at once; exceptions are returned."""
    engines = [Database.from_url(db_url) for _ in calls]

    async def run(engine: Database, call: Callable[[Database], Awaitable[Any]]) -> Any:
        return await call(engine)

    try:
        return await asyncio.gather(*(run(e, c) for e, c in zip(engines, calls, strict=True)), return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()


def _ask(company: Company, employee_id: int, start: date, end: date, key: str | None = None):
    async def call(database: Database) -> LeaveRequest:
        async with database.transaction() as s:
            return await request_leave(
                s, actor=company.hr, employee_id=employee_id, leave_type_id=company.annual_id, start=start, end=end,
                today=TODAY, now=NOW, idempotency_key=key,
            )  # fmt: skip

    return call


async def _available(db: Database, company: Company, employee_id: int) -> Decimal:
    async with db.session() as s:
        lines = await balances(s, employee_id=employee_id, as_of=TODAY)
    return next(line.available for line in lines if line.leave_type_id == company.annual_id)


async def _set_balance(db: Database, company: Company, employee_id: int, days: int) -> None:
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        if days != 20:
            await adjust_balance(
                s, actor=Actor.cli(), employee_id=employee_id, leave_type_id=company.annual_id,
                delta=Decimal(days - 20), note="test balance", on=TODAY,
            )  # fmt: skip


async def _rows(db: Database, model: Any) -> list[Any]:
    async with db.session() as s:
        return list(await s.scalars(select(model).order_by(model.id)))


async def test_four_parallel_requests_of_two_days_against_three_available_accept_only_one(db: Database, db_url: str):
    company = await make_company(db)
    await _set_balance(db, company, company.alice_id, 3)
    weeks = [MONDAY + timedelta(days=7 * i) for i in range(4)]
    results = await _in_parallel(db_url, [_ask(company, company.alice_id, w, w + timedelta(days=1)) for w in weeks])
    made = [r for r in results if isinstance(r, LeaveRequest)]
    refused = [r for r in results if isinstance(r, ChronosError)]
    assert len(made) == 1 and len(refused) == 3, results
    assert {e.code for e in refused} == {"insufficient_balance"}
    assert await _available(db, company, company.alice_id) == Decimal(1)


async def test_approving_pending_requests_in_parallel_never_takes_more_than_the_balance(db: Database, db_url: str):
    company = await make_company(db)
    await _set_balance(db, company, company.alice_id, 8)
    weeks = [MONDAY + timedelta(days=7 * i) for i in range(4)]
    requests = [await _ask(company, company.alice_id, w, w + timedelta(days=1))(db) for w in weeks]
    async with db.transaction() as s:  # HR pays 5 days out: 3 left for 4 pending requests of 2 days
        await adjust_balance(
            s, actor=Actor.cli(), employee_id=company.alice_id, leave_type_id=company.annual_id,
            delta=Decimal(-5), note="payout", on=TODAY,
        )  # fmt: skip

    def approve(request_id: int):
        async def call(database: Database) -> Any:
            async with database.transaction() as s:
                return await decide_leave(
                    s, actor=company.manager, request_id=request_id, approve=True, today=TODAY, now=NOW
                )

        return call

    results = await _in_parallel(db_url, [approve(r.id) for r in requests])
    approved = [r for r in results if not isinstance(r, Exception) and r.changed]
    assert len(approved) == 1, results
    assert {r.code for r in results if isinstance(r, ChronosError)} == {"insufficient_balance"}
    entries = await _rows(db, LeaveLedgerEntry)
    mine = [e for e in entries if e.employee_id == company.alice_id and e.leave_type_id == company.annual_id]
    assert sum(e.delta for e in mine) == Decimal(1)


async def test_five_identical_parallel_requests_make_one_row(db: Database, db_url: str):
    company = await make_company(db)
    await _set_balance(db, company, company.bob_id, 20)
    results = await _in_parallel(db_url, [_ask(company, company.bob_id, MONDAY, MONDAY + timedelta(days=2))] * 5)
    assert len([r for r in results if isinstance(r, LeaveRequest)]) == 1, results
    assert {r.code for r in results if isinstance(r, ChronosError)} == {"overlap"}
    assert len(await _rows(db, LeaveRequest)) == 1


async def test_five_parallel_retries_with_one_idempotency_key_all_get_the_first_request(db: Database, db_url: str):
    company = await make_company(db)
    await _set_balance(db, company, company.bob_id, 20)
    call = _ask(company, company.bob_id, MONDAY, MONDAY + timedelta(days=2), key="retry-7f3a")
    results = await _in_parallel(db_url, [call] * 5)
    assert all(isinstance(r, LeaveRequest) for r in results), results
    assert len({r.id for r in results}) == 1
    assert len(await _rows(db, LeaveRequest)) == 1


async def test_a_department_capped_at_one_away_accepts_one_of_six_parallel_requests(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        people = [
            Employee(code=f"P{i}", full_name=f"Person {i}", role=Role.EMPLOYEE, department_id=company.department_id,
                     manager_id=company.manager_id, work_week="12345", hire_date=date(2020, 1, 1))
            for i in range(6)
        ]  # fmt: skip
        s.add_all(people)
        await s.flush()
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        # 10 people in the department: a share of 0.1 lets exactly one be away
        await s.execute(update(Department).where(Department.id == company.department_id).values(max_absent_share=0.1))
        ids = [p.id for p in people]
    results = await _in_parallel(db_url, [_ask(company, i, MONDAY, MONDAY) for i in ids])
    assert len([r for r in results if isinstance(r, LeaveRequest)]) == 1, results
    assert {r.code for r in results if isinstance(r, ChronosError)} == {"department_capacity"}
    away = [r for r in await _rows(db, LeaveRequest) if r.status in (LeaveStatus.PENDING, LeaveStatus.APPROVED)]
    assert len(away) == 1
