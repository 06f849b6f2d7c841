"""Two POSTs of one e-mail link at once (two API processes): one decision, the other finds the link used."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from shared.domain.enums import LeaveStatus
from shared.errors import ChronosError
from shared.model import ActionLink, Employee, LeaveLedgerEntry, LeaveRequest
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.mail_actions import act_on_decision_link
from shared.services.leave.mail_links import issue_decision_link
from shared.services.leave.requests import request_leave
from tests.factories import make_company

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.postgres
async def test_two_posts_of_the_same_link_make_one_decision(db: Database, db_url: str, mail_on):
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        await s.execute(update(Employee).where(Employee.id == company.manager_id).values(email="max@x.io"))
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 11, 30), end=date(2026, 12, 1), today=TODAY, now=NOW,
        )  # fmt: skip
        token = await issue_decision_link(s, request_id=request.id, approver_id=company.manager_id, now=NOW)
    engines = [Database.from_url(db_url) for _ in range(4)]

    async def click(engine: Database, approve: bool):
        async with engine.transaction() as s:
            return await act_on_decision_link(s, token=token, approve=approve, comment="x", today=TODAY, now=NOW)

    try:
        results = await asyncio.gather(*(click(e, i % 2 == 0) for i, e in enumerate(engines)), return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()
    decided = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, ChronosError)]
    assert len(decided) == 1 and decided[0].changed and len(refused) == 3, results
    async with db.session() as s:
        row = await s.get(LeaveRequest, request.id)
        link = await s.scalar(select(ActionLink))
        taken = list(await s.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.request_id == request.id)))
    assert row is not None and row.status in (LeaveStatus.APPROVED, LeaveStatus.REJECTED)
    assert link is not None and link.used_at is not None
    assert len(taken) == (1 if row.status is LeaveStatus.APPROVED else 0)
