"""One page of a list: the rows asked for, and how many rows the whole list has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

MAX_LIMIT = 500
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


async def paginate(session: AsyncSession, statement: Select[Any], *, limit: int, offset: int) -> Page[Any]:
    """Run ``statement`` for one page (it must already be ordered) and count the whole result."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list((await session.scalars(statement.limit(limit).offset(offset))).all())
    return Page(items=items, total=int(total or 0), limit=limit, offset=offset)


async def paginate_rows(session: AsyncSession, statement: Select[Any], *, limit: int, offset: int) -> Page[Any]:
    """:func:`paginate` for a Core select of columns: the page holds ``Row`` tuples (read by attribute
    like ORM objects, without building them)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list((await session.execute(statement.limit(limit).offset(offset))).all())
    return Page(items=items, total=int(total or 0), limit=limit, offset=offset)
