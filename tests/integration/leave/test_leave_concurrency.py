"""Two deciders pressing at the same moment: one decision, one ledger entry, one set of notifications."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import select

from shared.domain.enums import LeaveStatus, LedgerKind
from shared.model import AuditLog, LeaveLedgerEntry, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import request_leave
from tests.factories import make_company

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


async def test_two_concurrent_decisions_give_exactly_one_outcome(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        request = await request_leave(
            s,
            actor=company.alice,
            employee_id=company.alice_id,
            leave_type_id=company.annual_id,
            start=date(2026, 12, 1),
            end=date(2026, 12, 4),
            today=TODAY,
            now=NOW,
        )
    outbox_before = len(list(await _all(db, OutboxMessage)))
    other = Database.from_url(db_url)  # a second process, as far as the database can tell
    try:

        async def decide(database: Database, actor: Actor, approve: bool):
            async with database.transaction() as s:
                return await decide_leave(
                    s,
                    actor=actor,
                    request_id=request.id,
                    approve=approve,
                    comment=None if approve else "clash",
                    today=TODAY,
                    now=NOW,
                )

        first, second = await asyncio.gather(decide(db, company.manager, True), decide(other, company.hr, False))
    finally:
        await other.dispose()
    outcomes = sorted([first, second], key=lambda o: not o.changed)
    winner, loser = outcomes
    assert winner.changed and not loser.changed
    assert loser.request.status is winner.request.status
    assert loser.decided_by == winner.decided_by
    taken = [e for e in await _all(db, LeaveLedgerEntry) if e.kind is LedgerKind.TAKEN]
    assert len(taken) == (1 if winner.request.status is LeaveStatus.APPROVED else 0)
    decisions = [a for a in await _all(db, AuditLog) if a.action in ("approve", "reject")]
    assert len(decisions) == 1
    new_messages = list(await _all(db, OutboxMessage))[outbox_before:]
    to_alice = [m for m in new_messages if m.chat_id == 9003]
    assert len(to_alice) == 1


async def test_many_concurrent_presses_still_decide_once(db: Database, db_url: str):
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        request = await request_leave(
            s,
            actor=company.bob,
            employee_id=company.bob_id,
            leave_type_id=company.annual_id,
            start=date(2026, 12, 7),
            end=date(2026, 12, 8),
            today=TODAY,
            now=NOW,
        )
    engines = [Database.from_url(db_url) for _ in range(5)]
    try:

        async def press(database: Database):
            async with database.transaction() as s:
                return await decide_leave(
                    s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW
                )

        results = await asyncio.gather(*(press(e) for e in engines))
    finally:
        for e in engines:
            await e.dispose()
    assert sum(r.changed for r in results) == 1
    assert len([e for e in await _all(db, LeaveLedgerEntry) if e.kind is LedgerKind.TAKEN]) == 1


async def _all(db: Database, model):
    async with db.session() as s:
        return (await s.scalars(select(model).order_by(model.id))).all()
