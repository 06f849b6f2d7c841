"""Bulk reads for the set-based jobs: the driver's own fetch on PostgreSQL, Core rows elsewhere.

Reading a million punch rows through the ORM costs more than classifying them; asyncpg's ``fetch``
hands back records with no per-row Python processing. Column values come back as the driver gives
them (enums as their string values, timestamps aware on PostgreSQL, naive UTC text parsed on SQLite).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_NAMED = re.compile(r"(?<!:):([a-zA-Z_][a-zA-Z0-9_]*)")


def _positional(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return _NAMED.sub(number, sql), [params[name] for name in order]


async def fetch_rows(session: AsyncSession, sql: str, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
    """Rows of a plain SELECT written with ``:name`` parameters, as fast as the driver allows."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        statement, args = _positional(sql, params)
        return await raw.driver_connection.fetch(statement, *args)  # type: ignore[union-attr]
    bound = {
        k: (v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v)
        for k, v in params.items()
    }
    return (await connection.execute(text(sql), bound)).all()


def as_utc(value: Any) -> datetime:
    """A timestamp from ``fetch_rows``: aware on PostgreSQL already, naive UTC text or datetime on SQLite."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
