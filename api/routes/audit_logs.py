"""The audit log: who changed what, when, with the request id of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api import queries
from api.deps import DatabaseDep, IdPath, NameQuery, PageDep, Reader, as_utc, text_query
from api.schemas.common import ERRORS, Page
from api.schemas.system import AuditLogOut

ActorQuery = text_query("e.g. token:payroll, employee:7, system:device_sync")
EntityQuery = text_query("e.g. employee, department, api_token")

router = APIRouter(prefix="/audit-logs", tags=["audit log"], responses=ERRORS)


@router.get("", summary="List audit log entries, newest first")
async def list_audit_logs(
    _: Reader,
    db: DatabaseDep,
    page: PageDep,
    actor: ActorQuery = None,
    action: NameQuery = None,
    entity: EntityQuery = None,
    entity_id: NameQuery = None,
    since: Annotated[datetime | None, Query(description="From this instant (inclusive); naive = UTC")] = None,
    until: Annotated[datetime | None, Query(description="Before this instant (exclusive); naive = UTC")] = None,
) -> Page[AuditLogOut]:
    async with db.session() as session:
        found = await queries.list_audit_logs(
            session,
            limit=page.limit,
            offset=page.offset,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            since=as_utc(since),
            until=as_utc(until),
        )
        return Page[AuditLogOut].of(found)


@router.get("/{entry_id}", summary="Read an audit log entry")
async def get_audit_log(entry_id: IdPath, _: Reader, db: DatabaseDep) -> AuditLogOut:
    async with db.session() as session:
        return AuditLogOut.model_validate(await queries.get_audit_log(session, entry_id=entry_id))
