"""What HR sees of the outbox: every notification's channel, recipient, state, attempts and last error."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Channel, OutboxStatus
from shared.model import OutboxMessage
from shared.services.pagination import Page, paginate


async def list_outbox(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    status: OutboxStatus | None = None,
    channel: Channel | None = None,
    employee_id: int | None = None,
) -> Page[OutboxMessage]:
    """Outbox rows, newest first, filtered by state, channel and person."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    if employee_id is not None:
        query = query.where(OutboxMessage.employee_id == employee_id)
    return await paginate(session, query, limit=limit, offset=offset)
