"""Anonymising under concurrency (PostgreSQL interleaves for real): two erasures make one, a legal hold set at
the same moment either comes first (nothing is anonymised) or after (the person was anonymised), and a
retention run skips whoever was erased meanwhile instead of failing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from shared.errors import Conflict
from shared.model import AuditLog, Employee
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.privacy.retention import erase_employee, run_retention, set_legal_hold
from tests.factories import make_company

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
HR = Actor.cli()


async def _in_parallel(db_url: str, calls: list[Callable[[Database], Awaitable[Any]]]) -> list[Any]:
    engines = [Database.from_url(db_url) for _ in calls]
    try:
        return await asyncio.gather(*(c(e) for e, c in zip(engines, calls, strict=True)), return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()


def _erase(employee_id: int):
    async def call(database: Database) -> Any:
        async with database.transaction() as s:
            return await erase_employee(s, actor=HR, employee_id=employee_id, now=NOW)

    return call


def _hold(employee_id: int):
    async def call(database: Database) -> Any:
        async with database.transaction() as s:
            return await set_legal_hold(s, actor=HR, employee_id=employee_id, hold=True, reason="Case 1")

    return call


def _retention():
    async def call(database: Database) -> Any:
        async with database.transaction() as s:
            return await run_retention(s, actor=HR, today=date(2026, 11, 23), now=NOW, years=5, dry_run=False)

    return call


async def _anonymisations(db: Database) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "anonymise"))


async def test_two_erasures_at_once_anonymise_once(db: Database, db_url: str):
    company = await make_company(db)
    results = await _in_parallel(db_url, [_erase(company.alice_id) for _ in range(3)])
    assert sum(isinstance(r, Conflict) for r in results) == 2
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    assert await _anonymisations(db) == 1


async def test_a_hold_and_an_erasure_at_once_never_leave_a_held_person_anonymised_by_the_erasure(
    db: Database, db_url: str
):
    company = await make_company(db)
    erased, held = await _in_parallel(db_url, [_erase(company.alice_id), _hold(company.alice_id)])
    assert not isinstance(held, BaseException)
    async with db.session() as s:
        alice = await s.get(Employee, company.alice_id)
    if isinstance(erased, Conflict):  # the hold came first
        assert alice.anonymised_at is None and alice.full_name == "Alice"
    else:  # the erasure came first; the hold is set on the anonymised person
        assert alice.anonymised_at is not None and alice.legal_hold


async def test_retention_skips_whoever_was_erased_meanwhile(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        for who in (company.alice_id, company.bob_id):
            person = await s.get(Employee, who)
            person.leaving_date, person.active = date(2015, 1, 31), False
    results = await _in_parallel(db_url, [_retention(), _erase(company.alice_id), _retention()])
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)], results
    assert await _anonymisations(db) == 2  # Alice and Bob, once each
