"""Read-only queries behind the admin views (tokens, audit log, job runs); writes live in shared/services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import JobStatus
from shared.errors import N_, NotFound
from shared.model import ApiToken, AuditLog, JobRun
from shared.services.pagination import Page, paginate


async def list_tokens(session: AsyncSession, *, limit: int, offset: int, revoked: bool | None = None) -> Page[ApiToken]:
    statement = select(ApiToken).order_by(ApiToken.id)
    if revoked is True:
        statement = statement.where(ApiToken.revoked_at.is_not(None))
    elif revoked is False:
        statement = statement.where(ApiToken.revoked_at.is_(None))
    return await paginate(session, statement, limit=limit, offset=offset)


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
) -> Page[AuditLog]:
    """Newest first; ``since`` is inclusive, ``until`` exclusive."""
    statement = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
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


async def get_audit_log(session: AsyncSession, *, entry_id: int) -> AuditLog:
    row = await session.get(AuditLog, entry_id)
    if row is None:
        raise NotFound(N_("Audit log entry {id} does not exist."), id=entry_id)
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
