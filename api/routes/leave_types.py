"""Leave types: CRUD; deleting a type that requests or balances use deactivates it instead."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, PageDep
from api.schemas.common import ERRORS, Page
from api.schemas.leave_types import LeaveTypeCreate, LeaveTypeOut, LeaveTypeUpdate
from shared.services.leave import types as org_leave_types

router = APIRouter(prefix="/leave-types", tags=["leave types"], responses=ERRORS)


@router.get("", summary="List leave types")
async def list_leave_types(db: DatabaseDep, page: PageDep, active: bool | None = None) -> Page[LeaveTypeOut]:
    async with db.session() as session:
        found = await org_leave_types.list_leave_types(session, limit=page.limit, offset=page.offset, active=active)
        return Page[LeaveTypeOut].of(found)


@router.get("/{leave_type_id}", summary="Read a leave type")
async def get_leave_type(leave_type_id: IdPath, db: DatabaseDep) -> LeaveTypeOut:
    async with db.session() as session:
        return LeaveTypeOut.model_validate(await org_leave_types.get_leave_type(session, leave_type_id=leave_type_id))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a leave type")
async def create_leave_type(body: LeaveTypeCreate, principal: Caller, db: DatabaseDep) -> LeaveTypeOut:
    async with db.transaction() as session:
        kind = await org_leave_types.create_leave_type(session, actor=principal.actor, values=body.model_dump())
        return LeaveTypeOut.model_validate(kind)


@router.patch("/{leave_type_id}", summary="Change a leave type (active: true reactivates it)")
async def update_leave_type(
    leave_type_id: IdPath, body: LeaveTypeUpdate, principal: Caller, db: DatabaseDep
) -> LeaveTypeOut:
    async with db.transaction() as session:
        kind = await org_leave_types.update_leave_type(
            session, actor=principal.actor, leave_type_id=leave_type_id, values=body.changes()
        )
        return LeaveTypeOut.model_validate(kind)


@router.delete(
    "/{leave_type_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a leave type, or deactivate it when requests or balances use it",
    description="An unused type is deleted. A type with requests or ledger entries is kept for history and "
    "deactivated (active: false): it can no longer be requested. Both answer 204.",
)
async def delete_leave_type(leave_type_id: IdPath, principal: Caller, db: DatabaseDep) -> Response:
    async with db.transaction() as session:
        await org_leave_types.delete_leave_type(session, actor=principal.actor, leave_type_id=leave_type_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
