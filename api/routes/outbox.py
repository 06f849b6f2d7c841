"""The outbox as HR sees it: which notification went (or did not go) to whom, over which channel, and why not."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import DatabaseDep, IdQuery, PageDep
from api.schemas.common import ERRORS, Page
from shared.domain.enums import Channel, OutboxStatus
from shared.model import OutboxMessage
from shared.services.notify.outbox_state import list_outbox

router = APIRouter(prefix="/outbox", tags=["notifications"], responses=ERRORS)


class OutboxOut(BaseModel):
    id: int
    channel: Channel
    status: OutboxStatus
    employee_id: int | None
    recipient: str | None
    kind: str | None
    subject: str | None
    ref: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: OutboxMessage) -> OutboxOut:
        payload = row.payload or {}
        recipient = row.email_to if row.channel is Channel.EMAIL else (str(row.chat_id) if row.chat_id else None)
        return cls(
            id=row.id, channel=row.channel, status=row.status, employee_id=row.employee_id, recipient=recipient,
            kind=payload.get("kind"), subject=payload.get("subject"), ref=row.ref, attempts=row.attempts,
            last_error=row.last_error, created_at=row.created_at, sent_at=row.sent_at,
        )  # fmt: skip


@router.get("", summary="List notifications per channel, newest first (dead ones: status=dead)")
async def list_notifications(
    db: DatabaseDep,
    page: PageDep,
    employee_id: IdQuery = None,
    channel: Annotated[Channel | None, Query()] = None,
    row_status: Annotated[OutboxStatus | None, Query(alias="status")] = None,
) -> Page[OutboxOut]:
    async with db.session() as session:
        found = await list_outbox(session, limit=page.limit, offset=page.offset, status=row_status,
                                  channel=channel, employee_id=employee_id)  # fmt: skip
        return Page[OutboxOut].of(found, OutboxOut.of)
