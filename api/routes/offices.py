"""Offices: CRUD with geofence validation (latitude, longitude and radius together or not at all)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, PageDep
from api.schemas.common import ERRORS, Page
from api.schemas.offices import OfficeCreate, OfficeOut, OfficeUpdate
from shared.services.org import structure as org_structure

router = APIRouter(prefix="/offices", tags=["offices"], responses=ERRORS)


@router.get("", summary="List offices")
async def list_offices(db: DatabaseDep, page: PageDep) -> Page[OfficeOut]:
    async with db.session() as session:
        return Page[OfficeOut].of(await org_structure.list_offices(session, limit=page.limit, offset=page.offset))


@router.get("/{office_id}", summary="Read an office")
async def get_office(office_id: IdPath, db: DatabaseDep) -> OfficeOut:
    async with db.session() as session:
        return OfficeOut.model_validate(await org_structure.get_office(session, office_id=office_id))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an office")
async def create_office(body: OfficeCreate, principal: Caller, db: DatabaseDep) -> OfficeOut:
    async with db.transaction() as session:
        return OfficeOut.model_validate(
            await org_structure.create_office(session, actor=principal.actor, values=body.model_dump())
        )


@router.patch("/{office_id}", summary="Change an office")
async def update_office(office_id: IdPath, body: OfficeUpdate, principal: Caller, db: DatabaseDep) -> OfficeOut:
    async with db.transaction() as session:
        office = await org_structure.update_office(
            session, actor=principal.actor, office_id=office_id, values=body.changes()
        )
        return OfficeOut.model_validate(office)


@router.delete(
    "/{office_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an office (409 while employees use it)"
)
async def delete_office(office_id: IdPath, principal: Caller, db: DatabaseDep) -> Response:
    async with db.transaction() as session:
        await org_structure.delete_office(session, actor=principal.actor, office_id=office_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
