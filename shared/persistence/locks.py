"""Row locks for check-then-write use cases (balances, capacity, idempotency).

On PostgreSQL ``SELECT … FOR UPDATE`` on the rows that own the invariant (the employee for their
balances and overlapping leave, the department for its share away) makes concurrent writers queue; a
statement run after the lock is granted sees what the previous holder committed (READ COMMITTED).
Rows are locked in one order (by table, then id) so two writers never wait on each other in a circle.
SQLite has no row locks: its write transactions already take the database lock up front
(``BEGIN IMMEDIATE``, see ``shared.persistence.db``), which serialises them completely.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession


async def lock_rows(session: AsyncSession, model: type[Any], ids: Iterable[int | None]) -> None:
    """Lock the rows of ``model`` with these ids for the rest of the transaction (no-op on SQLite)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted or session.bind is None or session.bind.dialect.name != "postgresql":
        return
    await session.execute(select(model.id).where(model.id.in_(wanted)).order_by(model.id).with_for_update())
