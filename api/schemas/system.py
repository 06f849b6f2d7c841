"""Read-only views of the plumbing: audit log entries, job runs, health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.schemas.common import Out
from shared.domain.enums import JobStatus


class AuditLogOut(Out):
    id: int
    actor: str
    action: str
    entity: str
    entity_id: str | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    request_id: str | None
    at: datetime


class JobRunOut(Out):
    id: int
    job: str
    started_at: datetime
    finished_at: datetime | None
    status: JobStatus
    counts: dict[str, Any]
    error: str | None
    trigger: str | None


class Check(Out):
    ok: bool
    ms: float
    error: str | None = None


class Health(Out):
    status: str
    checks: dict[str, Check] = {}
