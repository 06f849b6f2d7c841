"""Concurrent evaluations and acknowledgements: parallel connections (real interleaving on PostgreSQL) leave one
row per (employee, rule, period) and one acknowledgement."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from shared.domain.enums import Direction, PunchSource
from shared.errors import Conflict
from shared.model import ComplianceViolation, Punch
from shared.persistence import Database
from shared.services.compliance.evaluation import evaluate_window
from shared.services.compliance.violations import acknowledge_violation
from tests.factories import make_company

MONDAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


async def _in_parallel(db_url: str, calls: list[Callable[[Database], Awaitable[Any]]]) -> list[Any]:
    engines = [Database.from_url(db_url) for _ in calls]
    try:
        return await asyncio.gather(*(c(e) for e, c in zip(engines, calls, strict=True)), return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()


def _evaluate(ids: list[int] | None):
    async def call(database: Database) -> Any:
        async with database.transaction() as s:
            return await evaluate_window(
                s, date_from=MONDAY, date_to=MONDAY + timedelta(days=6), now=NOW, company_timezone="UTC",
                employee_ids=ids,
            )  # fmt: skip

    return call


async def test_parallel_evaluations_of_the_same_days_store_each_violation_once(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        for who in (company.alice_id, company.bob_id):
            for day in range(7):  # seven days in a row, each longer than six hours without a break
                start = datetime.combine(MONDAY + timedelta(days=day), time(8), UTC)
                s.add(Punch(employee_id=who, source=PunchSource.API, instant=start, direction=Direction.IN))
                s.add(
                    Punch(employee_id=who, source=PunchSource.API, instant=start + timedelta(hours=7),
                          direction=Direction.OUT)
                )  # fmt: skip
    results = await _in_parallel(
        db_url,
        [_evaluate(None), _evaluate([company.alice_id]), _evaluate(None), _evaluate([company.bob_id]), _evaluate(None)],
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    async with db.session() as s:
        rows = list(await s.scalars(select(ComplianceViolation)))
    keys = [(r.employee_id, r.rule, r.period_start) for r in rows]
    assert len(keys) == len(set(keys)) == 2 * (7 + 1)  # seven breaks and one run of days each


async def test_two_people_acknowledging_at_once_make_one_acknowledgement(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        row = ComplianceViolation(
            employee_id=company.alice_id, rule="break", period_start=MONDAY, period_end=MONDAY, limit_value=360,
            actual=400, excess=40, unit="minutes",
        )  # fmt: skip
        s.add(row)
        await s.flush()
        violation_id = row.id

    def ack(comment: str):
        async def call(database: Database) -> Any:
            async with database.transaction() as s:
                return await acknowledge_violation(
                    s, actor=company.hr, violation_id=violation_id, comment=comment, now=NOW
                )

        return call

    results = await _in_parallel(db_url, [ack("first"), ack("second"), ack("third")])
    assert sum(isinstance(r, Conflict) for r in results) == 2
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
