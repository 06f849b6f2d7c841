"""Read-only queries behind the admin views (audit log, job runs); writes live in shared/services."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import JobStatus
from shared.errors import N_, Forbidden, NotFound
from shared.model import (
    AuditLog,
    ComplianceViolation,
    DailyAttendance,
    Invitation,
    JobRun,
    LatenessNotice,
    LeaveLedgerEntry,
    LeaveRequest,
    OvertimeDecision,
    Punch,
    PunchCorrection,
)
from shared.services.pagination import Page, paginate

# Audit entities that are about one person, and the table + column that names them.
_PERSONAL: dict[str, Any] = {
    "leave_request": LeaveRequest,
    "leave_ledger": LeaveLedgerEntry,
    "invitation": Invitation,
    "punch": Punch,
    "daily_attendance": DailyAttendance,
    "compliance_violation": ComplianceViolation,
    "lateness_notice": LatenessNotice,
    "overtime_decision": OvertimeDecision,
    "punch_correction": PunchCorrection,
}


def about_employees(ids: Collection[int]) -> ColumnElement[bool]:
    """Audit entries about one of ``ids``: the employee row itself, or a leave request, ledger entry,
    invitation, punch or attendance day of theirs. Entries about no one person (batch jobs, settings) and
    about rows since deleted are never matched."""
    if not ids:
        return false()
    wanted = sorted(ids)
    clauses = [and_(AuditLog.entity == "employee", AuditLog.entity_id.in_([str(i) for i in wanted]))]
    for entity, model in _PERSONAL.items():
        owned = select(cast(model.id, String(64))).where(model.employee_id.in_(wanted))
        clauses.append(and_(AuditLog.entity == entity, AuditLog.entity_id.in_(owned)))
    return or_(*clauses)


async def list_audit_logs(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    about: Collection[int] | None = None,
) -> Page[AuditLog]:
    """Newest first; ``since`` is inclusive, ``until`` exclusive; only entries about ``about`` when given."""
    statement = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if about is not None:
        statement = statement.where(about_employees(about))
    for column, value in (
        (AuditLog.actor, actor),
        (AuditLog.action, action),
        (AuditLog.entity, entity),
        (AuditLog.entity_id, entity_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if since is not None:
        statement = statement.where(AuditLog.at >= since)
    if until is not None:
        statement = statement.where(AuditLog.at < until)
    return await paginate(session, statement, limit=limit, offset=offset)


async def get_audit_log(session: AsyncSession, *, entry_id: int, about: Collection[int] | None = None) -> AuditLog:
    """One entry; 403 when ``about`` is given and the entry is not about one of them."""
    row = await session.get(AuditLog, entry_id)
    if row is None:
        raise NotFound(N_("Audit log entry {id} does not exist."), id=entry_id)
    if about is not None and not await session.scalar(
        select(AuditLog.id).where(AuditLog.id == entry_id, about_employees(about))
    ):
        raise Forbidden(N_("Audit log entry {id} is not about your reporting line."), id=entry_id)
    return row


async def list_job_runs(
    session: AsyncSession, *, limit: int, offset: int, job: str | None = None, status: JobStatus | None = None
) -> Page[JobRun]:
    """Newest first."""
    statement = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    if job is not None:
        statement = statement.where(JobRun.job == job)
    if status is not None:
        statement = statement.where(JobRun.status == JobStatus(status))
    return await paginate(session, statement, limit=limit, offset=offset)


async def get_job_run(session: AsyncSession, *, run_id: int) -> JobRun:
    row = await session.get(JobRun, run_id)
    if row is None:
        raise NotFound(N_("Job run {id} does not exist."), id=run_id)
    return row
