"""Reading violations (HR: everyone's, managers: their reporting line) and acknowledging one (audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.compliance import RuleCode
from shared.errors import N_, Conflict, Invalid, NotFound
from shared.model import ComplianceViolation, Employee
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.pagination import Page, paginate

MAX_COMMENT = 2000
VIOLATION_MISSING = N_("Violation {id} does not exist.")


@dataclass(frozen=True)
class ViolationFilter:
    employee_id: int | None = None
    department_id: int | None = None
    rule: RuleCode | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    acknowledged: bool | None = None
    include_resolved: bool = False


def _query(where: ViolationFilter, about: Collection[int] | None) -> Select[Any]:
    query = select(ComplianceViolation)
    if where.department_id is not None:
        query = query.join(Employee, Employee.id == ComplianceViolation.employee_id).where(
            Employee.department_id == where.department_id
        )
    if about is not None:
        query = query.where(ComplianceViolation.employee_id.in_(sorted(about)))
    if where.employee_id is not None:
        query = query.where(ComplianceViolation.employee_id == where.employee_id)
    if where.rule is not None:
        query = query.where(ComplianceViolation.rule == where.rule.value)
    if where.date_from is not None:
        query = query.where(ComplianceViolation.period_end >= where.date_from)
    if where.date_to is not None:
        query = query.where(ComplianceViolation.period_start <= where.date_to)
    if where.acknowledged is not None:
        column = ComplianceViolation.acknowledged_at
        query = query.where(column.is_not(None) if where.acknowledged else column.is_(None))
    if not where.include_resolved:
        query = query.where(ComplianceViolation.resolved_at.is_(None))
    return query.order_by(
        ComplianceViolation.period_start.desc(), ComplianceViolation.employee_id, ComplianceViolation.rule
    )


async def list_violations(
    session: AsyncSession,
    *,
    where: ViolationFilter,
    about: Collection[int] | None,
    limit: int,
    offset: int,
) -> Page[ComplianceViolation]:
    """One page of violations, newest period first; ``about`` limits them to these employees (a reporting line)."""
    if where.date_from is not None and where.date_to is not None and where.date_to < where.date_from:
        raise Invalid(N_("The end date is before the start date."), details={"field": "date_to"})
    return await paginate(session, _query(where, about), limit=limit, offset=offset)


async def violations_between(session: AsyncSession, *, first: dt.date, last: dt.date) -> list[ComplianceViolation]:
    """Open (unresolved, unacknowledged) violations whose period touches [first, last] (the digest)."""
    query = _query(ViolationFilter(date_from=first, date_to=last, acknowledged=False), None)
    return list(await session.scalars(query))


async def get_violation(session: AsyncSession, *, violation_id: int) -> ComplianceViolation:
    row = await session.get(ComplianceViolation, violation_id)
    if row is None:
        raise NotFound(VIOLATION_MISSING, id=violation_id)
    return row


async def acknowledge_violation(
    session: AsyncSession, *, actor: Actor, violation_id: int, comment: str, now: dt.datetime
) -> ComplianceViolation:
    """HR marks a violation as seen, with what was done about it; a second acknowledgement is refused (409)."""
    text = (comment or "").strip()
    if not text:
        raise Invalid(N_("Say what was done about it: a comment is required."), details={"field": "comment"})
    if len(text) > MAX_COMMENT:
        raise Invalid(N_("The comment is longer than {n} characters."), details={"field": "comment"}, n=MAX_COMMENT)
    row = await session.scalar(
        select(ComplianceViolation).where(ComplianceViolation.id == violation_id).with_for_update()
    )
    if row is None:
        raise NotFound(VIOLATION_MISSING, id=violation_id)
    if row.acknowledged_at is not None:
        raise Conflict(
            N_("Violation {id} was already acknowledged by {who}."), id=violation_id, who=row.acknowledged_by
        )
    before = snapshot(row)
    row.acknowledged_at, row.acknowledged_by, row.acknowledgement_comment = now, actor.label, text
    await session.flush()
    audit(session, actor, "acknowledge", "compliance_violation", row.id, old=before, new=snapshot(row))
    return row
