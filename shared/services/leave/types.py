"""Leave types: the policy each kind of leave follows; a type still in use is deactivated, not deleted."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Accrual
from shared.domain.hourly import LeaveUnit
from shared.errors import N_
from shared.model import LeaveLedgerEntry, LeaveRequest, LeaveType
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.crud import (
    Kind,
    Values,
    check_code,
    create_row,
    delete_row,
    enum,
    get_row,
    list_rows,
    number,
    only,
    text,
    translations,
    update_row,
)
from shared.services.pagination import Page

LEAVE_TYPE_FIELDS = frozenset(
    {
        "code",
        "name",
        "name_translations",
        "paid",
        "yearly_allowance",
        "accrual",
        "accrual_rounding",
        "carry_over_cap",
        "carry_over_expiry_months",
        "min_notice_days",
        "max_consecutive_days",
        "half_days_allowed",
        "negative_allowed",
        "approval_required",
        "attachment_required",
        "backdate_days",
        "active",
        "public",
        "unit",
        "min_minutes",
        "step_minutes",
        "expire_after_days",
    }
)
LEAVE_TYPE_MISSING = N_("Leave type {id} does not exist.")


async def _check_leave_type(session: AsyncSession, kind: LeaveType) -> None:
    await check_code(session, kind, N_("A leave type with code {code} already exists."))
    text(kind, "name", max_length=120)
    translations(kind)
    enum(kind, "accrual", Accrual)
    number(kind, "yearly_allowance", low=0, high=366)
    number(kind, "accrual_rounding", low=0, high=1)
    number(kind, "carry_over_cap", low=0, high=366)
    number(kind, "carry_over_expiry_months", low=0, high=120)
    number(kind, "min_notice_days", low=0, high=365)
    number(kind, "max_consecutive_days", low=1, high=366)
    number(kind, "backdate_days", low=0, high=365)
    enum(kind, "unit", LeaveUnit)
    number(kind, "min_minutes", low=5, high=24 * 60)
    number(kind, "step_minutes", low=5, high=24 * 60)
    number(kind, "expire_after_days", low=1, high=60)


LEAVE_TYPE = Kind(LeaveType, "leave_type", LEAVE_TYPE_FIELDS, LEAVE_TYPE_MISSING, _check_leave_type)


async def get_leave_type(session: AsyncSession, *, leave_type_id: int) -> LeaveType:
    return await get_row(session, LEAVE_TYPE, leave_type_id)


async def list_leave_types(
    session: AsyncSession, *, limit: int, offset: int, active: bool | None = None
) -> Page[LeaveType]:
    statement = select(LeaveType).order_by(LeaveType.id)
    if active is not None:
        statement = statement.where(LeaveType.active.is_(active))
    return await list_rows(session, statement, limit=limit, offset=offset)


async def create_leave_type(session: AsyncSession, *, actor: Actor, values: Values) -> LeaveType:
    defaults = {
        "paid": True,
        "yearly_allowance": Decimal(0),
        "accrual": Accrual.YEARLY,
        "accrual_rounding": Decimal("0.5"),
        "min_notice_days": 0,
        "half_days_allowed": True,
        "negative_allowed": False,
        "approval_required": True,
        "attachment_required": False,
        "backdate_days": 0,
        "active": True,
        "public": False,
    }
    return await create_row(session, actor, LEAVE_TYPE, LeaveType(**(defaults | only(values, LEAVE_TYPE_FIELDS))))


async def update_leave_type(session: AsyncSession, *, actor: Actor, leave_type_id: int, values: Values) -> LeaveType:
    kind = await get_leave_type(session, leave_type_id=leave_type_id)
    return await update_row(session, actor, LEAVE_TYPE, kind, values)


async def delete_leave_type(session: AsyncSession, *, actor: Actor, leave_type_id: int) -> bool:
    """Delete an unused leave type; one that requests or balances name is deactivated instead.

    Returns True when the row was deleted, False when it was kept and deactivated.
    """
    kind = await get_leave_type(session, leave_type_id=leave_type_id)
    used = 0
    for column in (LeaveRequest.leave_type_id, LeaveLedgerEntry.leave_type_id):
        used += await session.scalar(select(func.count()).where(column == leave_type_id)) or 0
    if not used:
        await delete_row(session, actor, LEAVE_TYPE, kind)
        return True
    if kind.active:
        kind.active = False
        audit(session, actor, "deactivate", "leave_type", kind.id, old={"active": True}, new={"active": False})
        await session.flush()
    return False
