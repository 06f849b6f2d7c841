"""Who decides a request at each level of its type's approval chain (delegation included), and moving it on.

Without a chain a request has one level: ordinary routing (manager chain, head, HR). Either way a
delegation that holds on the day sends the approval to the delegate instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.approval import ChainLevel, Delegation, Stage, delegate_of, next_stage
from shared.domain.routing import is_available
from shared.model import ApprovalChainLevel, Employee, LeaveRequest, LeaveStep
from shared.model import Delegation as DelegationRow
from shared.services.leave.context import on_leave_ids, org_employee_of
from shared.services.leave.routing import route_for, routing_org

APPROVED, REJECTED, ESCALATED, EXPIRED = "approved", "rejected", "escalated", "expired"


async def chain_levels(session: AsyncSession, *, leave_type_id: int, department_id: int | None) -> list[ChainLevel]:
    """The type's chain for the department (its own chain if it has one, else the company-wide one)."""
    rows = list(
        await session.scalars(
            select(ApprovalChainLevel)
            .where(
                ApprovalChainLevel.leave_type_id == leave_type_id,
                ApprovalChainLevel.department_scope.in_((0, department_id or 0)),
            )
            .order_by(ApprovalChainLevel.position)
        )
    )
    own = [r for r in rows if department_id and r.department_scope == department_id]
    chosen = own or [r for r in rows if r.department_scope == 0]
    return [ChainLevel(r.kind, r.person_id, None if r.min_days is None else Decimal(r.min_days)) for r in chosen]


async def delegations_on(session: AsyncSession, day: date) -> list[Delegation]:
    """Every delegation that holds on ``day`` (a handful at a time)."""
    rows = await session.scalars(
        select(DelegationRow).where(
            DelegationRow.revoked_at.is_(None), DelegationRow.start_date <= day, DelegationRow.end_date >= day
        )
    )
    return [Delegation(r.delegator_id, r.delegate_id, r.start_date, r.end_date) for r in rows]


async def approved_by(session: AsyncSession, request_id: int) -> set[int]:
    """Who approved a level of the request already (nobody approves twice)."""
    rows = await session.scalars(
        select(LeaveStep.decided_by_id).where(LeaveStep.request_id == request_id, LeaveStep.outcome == APPROVED)
    )
    return {r for r in rows if r is not None}


@dataclass(frozen=True)
class Assignment:
    """Who decides next: the approver (None: nobody, HR at once), the chain level (None: no chain)."""

    approver_id: int | None
    level: int | None
    delegated_from: int | None = None


async def assign(
    session: AsyncSession,
    *,
    employee: Employee,
    leave_type_id: int,
    days: Decimal,
    day: date,
    after: int | None = None,
    done_by: set[int] | None = None,
) -> Assignment | None:
    """The next level after ``after`` and its approver on ``day``; None when a chain has no level left.

    With no chain (and ``after`` None): the ordinary route, handed to a delegate when one holds.
    """
    levels = await chain_levels(session, leave_type_id=leave_type_id, department_id=employee.department_id)
    delegations = await delegations_on(session, day)
    if not levels:
        if after is not None:
            return None
        route = await route_for(session, employee, day)
        if route.approver_id is None:
            return Assignment(None, None)
        return await _with_delegate(session, employee, route.approver_id, None, delegations, day)
    extra = {lv.person_id for lv in levels if lv.person_id is not None} | {d.delegate_id for d in delegations}
    org = await routing_org(session, employee, also=extra)
    away = await on_leave_ids(session, org.employees, day)
    requester = org_employee_of(employee)
    reachable = [d for d in delegations if is_available(d.delegate_id, requester, org, away, day)]
    stage: Stage | None = next_stage(
        levels, after=after, days=days, requester=requester, org=org, on_leave_ids=away,
        delegations=reachable, approved_by=done_by or set(), day=day,
    )  # fmt: skip
    if stage is None:
        if after is None:  # a chain nobody in it can decide: ordinary routing, as without a chain
            route = await route_for(session, employee, day)
            return Assignment(route.approver_id, None)
        return None
    return Assignment(stage.approver_id, stage.level, stage.delegated_from)


async def _with_delegate(
    session: AsyncSession,
    employee: Employee,
    approver_id: int,
    level: int | None,
    delegations: list[Delegation],
    day: date,
) -> Assignment:
    delegate = delegate_of(approver_id, delegations, day)
    if delegate is None or delegate == employee.id:
        return Assignment(approver_id, level)
    org = await routing_org(session, employee, also={delegate})
    away = await on_leave_ids(session, {delegate}, day)
    if not is_available(delegate, org_employee_of(employee), org, away, day):
        return Assignment(approver_id, level)
    return Assignment(delegate, level, approver_id)


def record_step(
    session: AsyncSession,
    *,
    request: LeaveRequest,
    outcome: str,
    decided_by_id: int | None,
    decided_by: str,
    comment: str | None,
    now: datetime,
) -> LeaveStep:
    """Append what happened at the request's current level to its history."""
    step = LeaveStep(
        request_id=request.id,
        level=request.stage,
        outcome=outcome,
        approver_id=request.approver_id,
        decided_by_id=decided_by_id,
        decided_by=decided_by,
        comment=comment,
        at=now,
    )
    session.add(step)
    return step


async def history(session: AsyncSession, request_id: int) -> list[LeaveStep]:
    rows = await session.scalars(select(LeaveStep).where(LeaveStep.request_id == request_id).order_by(LeaveStep.id))
    return list(rows)
