"""Inserting ledger postings idempotently: each periodic posting carries a key, inserted with ON CONFLICT
DO NOTHING on it, so a job that runs twice (or on two schedulers at once) posts each entry exactly once."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.ledger import LedgerPosting
from shared.model import LeaveLedgerEntry
from shared.services.actor import Actor


async def post_entries(session: AsyncSession, postings: Iterable[LedgerPosting], actor: Actor) -> int:
    """Insert postings, skipping any whose key is already in the ledger; returns how many were new."""
    rows = [
        {
            "employee_id": p.employee_id,
            "leave_type_id": p.leave_type_id,
            "kind": p.kind,
            "delta": p.delta,
            "effective_date": p.effective_date,
            "request_id": p.request_id,
            "note": p.note,
            "key": p.key,
            "actor": actor.label,
        }
        for p in postings
    ]
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "postgresql"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        statement = insert(LeaveLedgerEntry).values(chunk).on_conflict_do_nothing(index_elements=["key"])
        result = await session.execute(statement)
        inserted += max(0, result.rowcount or 0)  # type: ignore[attr-defined]
    return inserted
