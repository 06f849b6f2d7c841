"""HR sets a leave type's approval chain (company-wide, or for one department) and reads it back."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.approval import ChainLevel, LevelKind
from shared.errors import N_, Forbidden, Invalid, NotFound
from shared.model import ApprovalChainLevel, Department, Employee, LeaveType
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.lookups import get_leave_type

MAX_LEVELS = 5


def _level_json(level: ChainLevel) -> dict[str, object]:
    return {
        "kind": level.kind.value,
        "person_id": level.person_id,
        "min_days": None if level.min_days is None else str(level.min_days),
    }


async def get_chain(session: AsyncSession, *, leave_type_id: int, department_id: int | None = None) -> list[ChainLevel]:
    """The levels stored for exactly this scope (company-wide when ``department_id`` is None)."""
    await get_leave_type(session, leave_type_id)
    rows = await session.scalars(
        select(ApprovalChainLevel)
        .where(
            ApprovalChainLevel.leave_type_id == leave_type_id,
            ApprovalChainLevel.department_scope == (department_id or 0),
        )
        .order_by(ApprovalChainLevel.position)
    )
    return [ChainLevel(r.kind, r.person_id, None if r.min_days is None else Decimal(r.min_days)) for r in rows]


async def set_chain(
    session: AsyncSession,
    *,
    actor: Actor,
    leave_type_id: int,
    department_id: int | None = None,
    levels: Sequence[ChainLevel],
) -> list[ChainLevel]:
    """Replace the chain of the scope with ``levels`` (empty: remove it, ordinary routing applies).

    Requests already waiting keep the level they are at; the new chain applies to new requests.
    """
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can change approval chains."))
    await lock_rows(session, LeaveType, [leave_type_id])
    await get_leave_type(session, leave_type_id)
    if department_id is not None and await session.get(Department, department_id) is None:
        raise NotFound(N_("Department {id} does not exist."), id=department_id)
    if len(levels) > MAX_LEVELS:
        raise Invalid(N_("A chain has at most {n} levels."), n=MAX_LEVELS)
    for level in levels:
        if level.kind is LevelKind.PERSON:
            person = await session.get(Employee, level.person_id)
            if person is None or not person.active:
                raise Invalid(N_("Employee {id} does not exist or is deactivated."), id=level.person_id)
    old = await get_chain(session, leave_type_id=leave_type_id, department_id=department_id)
    await session.execute(
        delete(ApprovalChainLevel).where(
            ApprovalChainLevel.leave_type_id == leave_type_id,
            ApprovalChainLevel.department_scope == (department_id or 0),
        )
    )
    session.add_all(
        ApprovalChainLevel(
            leave_type_id=leave_type_id, department_id=department_id, department_scope=department_id or 0,
            position=i, kind=level.kind, person_id=level.person_id, min_days=level.min_days,
        )
        for i, level in enumerate(levels)
    )  # fmt: skip
    await session.flush()
    audit(
        session, actor, "set_chain", "leave_type", leave_type_id,
        old={"department_id": department_id, "levels": [_level_json(v) for v in old]},
        new={"department_id": department_id, "levels": [_level_json(v) for v in levels]},
    )  # fmt: skip
    return list(levels)
