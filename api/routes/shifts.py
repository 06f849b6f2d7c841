"""Shifts: CRUD; grace and thresholds are checked, and a shift in use cannot be deleted."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, PageDep
from api.schemas.common import ERRORS, Page
from api.schemas.shifts import ShiftCreate, ShiftOut, ShiftUpdate
from shared.services.org import schedules as org_time

router = APIRouter(prefix="/shifts", tags=["shifts"], responses=ERRORS)


@router.get("", summary="List shifts")
async def list_shifts(db: DatabaseDep, page: PageDep) -> Page[ShiftOut]:
    async with db.session() as session:
        return Page[ShiftOut].of(await org_time.list_shifts(session, limit=page.limit, offset=page.offset))


@router.get("/{shift_id}", summary="Read a shift")
async def get_shift(shift_id: IdPath, db: DatabaseDep) -> ShiftOut:
    async with db.session() as session:
        return ShiftOut.model_validate(await org_time.get_shift(session, shift_id=shift_id))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a shift")
async def create_shift(body: ShiftCreate, principal: Caller, db: DatabaseDep) -> ShiftOut:
    async with db.transaction() as session:
        return ShiftOut.model_validate(
            await org_time.create_shift(session, actor=principal.actor, values=body.model_dump())
        )


@router.patch("/{shift_id}", summary="Change a shift")
async def update_shift(shift_id: IdPath, body: ShiftUpdate, principal: Caller, db: DatabaseDep) -> ShiftOut:
    async with db.transaction() as session:
        shift = await org_time.update_shift(session, actor=principal.actor, shift_id=shift_id, values=body.changes())
        return ShiftOut.model_validate(shift)


@router.delete(
    "/{shift_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a shift (409 while employees or attendance days refer to it)",
)
async def delete_shift(shift_id: IdPath, principal: Caller, db: DatabaseDep) -> Response:
    async with db.transaction() as session:
        await org_time.delete_shift(session, actor=principal.actor, shift_id=shift_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
