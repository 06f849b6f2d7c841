"""Approval chains of leave types (HR) and delegations of approvers (HR for anyone, a manager for themselves).

The same services as the bot's ``/delegate``: the same checks, audit rows and Telegram notices.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.access import Caller, EmployeeAccessDep
from api.deps import DatabaseDep, IdPath, IdQuery, NowDep, SettingsDep
from api.schemas.approvals import ChainIn, ChainOut, DelegationCreate, DelegationOut
from api.schemas.common import ERRORS
from shared.errors import N_, Forbidden
from shared.services.leave import chain_admin, delegations
from shared.services.leave.queries import employee_today

chains = APIRouter(prefix="/leave-types", tags=["leave types"], responses=ERRORS)
router = APIRouter(prefix="/delegations", tags=["delegations"], responses=ERRORS)

NOT_YOURS = N_("You can only see and change your own delegations.")


@chains.get(
    "/{leave_type_id}/approval-chain",
    summary="Read a leave type's approval chain",
    description="The levels stored for the company (no department_id) or for one department. Empty: requests "
    "of the type go to the manager chain, the department head, then HR (one level).",
)
async def get_chain(leave_type_id: IdPath, db: DatabaseDep, department_id: IdQuery = None) -> ChainOut:
    async with db.session() as session:
        levels = await chain_admin.get_chain(session, leave_type_id=leave_type_id, department_id=department_id)
    return ChainOut.of(leave_type_id, department_id, levels)


@chains.put(
    "/{leave_type_id}/approval-chain",
    summary="Set a leave type's approval chain (company-wide or for one department)",
    description="Levels in order, each the requester's manager, the department head, HR or a named person, "
    "optionally only above a number of days. A department's own chain wins over the company's. Requests already "
    "waiting keep their level; an empty list removes the chain.",
)
async def put_chain(leave_type_id: IdPath, body: ChainIn, principal: Caller, db: DatabaseDep) -> ChainOut:
    async with db.transaction() as session:
        levels = await chain_admin.set_chain(
            session, actor=principal.actor, leave_type_id=leave_type_id, department_id=body.department_id,
            levels=[level.level() for level in body.levels],
        )  # fmt: skip
    return ChainOut.of(leave_type_id, body.department_id, levels)


@router.get("", summary="List delegations (a manager token: its own, given or received)")
async def list_delegations(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    employee_id: IdQuery = None,
    current: Annotated[bool, Query(description="Only those not over yet")] = False,
) -> list[DelegationOut]:
    if access.limited:
        if employee_id is not None and employee_id != access.principal.employee_id:
            raise Forbidden(NOT_YOURS)
        employee_id = access.principal.employee_id or -1
    async with db.session() as session:
        today = await employee_today(
            session, employee_id=employee_id or 0, company_timezone=settings.company_timezone, now=now
        )
        found = await delegations.list_delegations(
            session, employee_id=employee_id, current_on=today if current else None
        )
    return [DelegationOut.of(v) for v in found]


@router.get("/{delegation_id}", summary="Read a delegation")
async def get_delegation(delegation_id: IdPath, access: EmployeeAccessDep, db: DatabaseDep) -> DelegationOut:
    async with db.session() as session:
        view = await delegations.get_delegation(session, delegation_id=delegation_id)
    _ensure_party(access, view.row.delegator_id, view.row.delegate_id)
    return DelegationOut.of(view)


@router.post(
    "",
    status_code=201,
    summary="Delegate someone's approvals for a period",
    description="While it holds, new requests for the delegator go to the delegate and those already waiting on "
    "the delegator move to them; both are told in Telegram. 409 when the delegator already has a delegate then.",
)
async def create_delegation(
    body: DelegationCreate,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
) -> DelegationOut:
    _ensure_party(access, body.delegator_id, None)
    async with db.transaction() as session:
        today = await employee_today(
            session, employee_id=body.delegator_id, company_timezone=settings.company_timezone, now=now
        )
        view = await delegations.set_delegation(
            session, actor=principal.actor, delegator_id=body.delegator_id, delegate_id=body.delegate_id,
            start=body.start_date, end=body.end_date, reason=body.reason, today=today, now=now,
        )  # fmt: skip
    return DelegationOut.of(view)


@router.delete(
    "/{delegation_id}",
    summary="End a delegation now",
    description="Requests waiting on the delegate for the delegator go back to the delegator; both are told.",
)
async def end_delegation(
    delegation_id: IdPath,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
) -> DelegationOut:
    async with db.session() as session:
        found = await delegations.get_delegation(session, delegation_id=delegation_id)
    _ensure_party(access, found.row.delegator_id, None)
    async with db.transaction() as session:
        today = await employee_today(
            session, employee_id=found.row.delegator_id, company_timezone=settings.company_timezone, now=now
        )
        view = await delegations.end_delegation(
            session, actor=principal.actor, delegation_id=delegation_id, today=today, now=now
        )
    return DelegationOut.of(view)


def _ensure_party(access: EmployeeAccessDep, delegator_id: int, delegate_id: int | None) -> None:
    """A manager token reaches only delegations it gives (or, to read, receives)."""
    if not access.limited:
        return
    me = access.principal.employee_id
    if me is None or me not in (delegator_id, delegate_id):
        raise Forbidden(NOT_YOURS)
