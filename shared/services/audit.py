"""The audit trail: every state change writes one row in the same transaction as the change."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.inspection import inspect

from shared.log import request_id_var
from shared.model import AuditLog
from shared.services.actor import Actor


def jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The column values of an ORM object as JSON-ready data (secrets excluded by the caller)."""
    mapper = inspect(obj).mapper
    return {attr.key: jsonable(getattr(obj, attr.key)) for attr in mapper.column_attrs if attr.key not in exclude}


def audit(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object | None,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row to ``session``; only the fields that changed are kept when both sides are given."""
    if old is not None and new is not None:
        changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        old = {k: old.get(k) for k in sorted(changed)}
        new = {k: new.get(k) for k in sorted(changed)}
    row = AuditLog(
        actor=actor.label,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        old=jsonable(old) if old is not None else None,
        new=jsonable(new) if new is not None else None,
        request_id=request_id_var.get(),
    )
    session.add(row)
    return row
