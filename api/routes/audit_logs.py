"""The audit log: who changed what, when, with the request id of the change.

Manager tokens read only the entries about their reporting line (the person, their leave requests, ledger
entries, invitations, punches and attendance days); contact data inside an entry is shown only to readers
entitled to it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import queries
from api.access import EmployeeAccess, EmployeeAccessDep
from api.deps import DatabaseDep, IdPath, NameQuery, PageDep, as_utc, text_query
from api.schemas.common import ERRORS, Page, QueryInstant
from api.schemas.system import AuditLogOut
from shared.model import AuditLog

ActorQuery = text_query("e.g. token:payroll, employee:7, system:device_sync")
EntityQuery = text_query("e.g. employee, department, api_token")
CONTACT_FIELDS = frozenset({"email", "phone"})

router = APIRouter(prefix="/audit-logs", tags=["audit log"], responses=ERRORS)


def _without_contact(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: None if k in CONTACT_FIELDS else v for k, v in values.items()}


async def _shown(access: EmployeeAccess, row: AuditLog) -> AuditLogOut:
    """The entry, with e-mail and phone blanked for readers not entitled to the person's contact data."""
    entry = AuditLogOut.model_validate(row)
    if access.sees_all_contacts():
        return entry
    subject = row.entity_id if row.entity == "employee" and (row.entity_id or "").isdigit() else None
    if subject is not None and len(subject) <= 10 and await access.sees_contact(int(subject)):
        return entry
    return entry.model_copy(update={"old": _without_contact(entry.old), "new": _without_contact(entry.new)})


@router.get(
    "",
    summary="List audit log entries, newest first",
    description="Manager tokens see the entries about their reporting line only.",
)
async def list_audit_logs(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    actor: ActorQuery = None,
    action: NameQuery = None,
    entity: EntityQuery = None,
    entity_id: NameQuery = None,
    since: Annotated[QueryInstant | None, Query(description="From this instant (inclusive); naive = UTC")] = None,
    until: Annotated[QueryInstant | None, Query(description="Before this instant (exclusive); naive = UTC")] = None,
) -> Page[AuditLogOut]:
    line = await access.visible_ids()
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
            about=line,
        )
    return Page[AuditLogOut](
        items=[await _shown(access, row) for row in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
    )


@router.get("/{entry_id}", summary="Read an audit log entry")
async def get_audit_log(entry_id: IdPath, access: EmployeeAccessDep, db: DatabaseDep) -> AuditLogOut:
    line = await access.visible_ids()
    async with db.session() as session:
        row = await queries.get_audit_log(session, entry_id=entry_id, about=line)
    return await _shown(access, row)
