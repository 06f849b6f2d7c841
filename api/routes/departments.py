"""Departments: CRUD; a parent loop is refused, and so is deleting one that still has people in it."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, PageDep
from api.schemas.common import ERRORS, Page
from api.schemas.departments import DepartmentCreate, DepartmentOut, DepartmentUpdate
from shared.services.org import structure as org_structure

router = APIRouter(prefix="/departments", tags=["departments"], responses=ERRORS)


@router.get("", summary="List departments")
async def list_departments(db: DatabaseDep, page: PageDep) -> Page[DepartmentOut]:
    async with db.session() as session:
        return Page[DepartmentOut].of(
            await org_structure.list_departments(session, limit=page.limit, offset=page.offset)
        )


@router.get("/{department_id}", summary="Read a department")
async def get_department(department_id: IdPath, db: DatabaseDep) -> DepartmentOut:
    async with db.session() as session:
        return DepartmentOut.model_validate(await org_structure.get_department(session, department_id=department_id))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a department")
async def create_department(body: DepartmentCreate, principal: Caller, db: DatabaseDep) -> DepartmentOut:
    async with db.transaction() as session:
        dept = await org_structure.create_department(session, actor=principal.actor, values=body.model_dump())
        return DepartmentOut.model_validate(dept)


@router.patch("/{department_id}", summary="Change a department")
async def update_department(
    department_id: IdPath, body: DepartmentUpdate, principal: Caller, db: DatabaseDep
) -> DepartmentOut:
    async with db.transaction() as session:
        dept = await org_structure.update_department(
            session, actor=principal.actor, department_id=department_id, values=body.changes()
        )
        return DepartmentOut.model_validate(dept)


@router.delete(
    "/{department_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a department (409 while employees, sub-departments or blackouts refer to it)",
)
async def delete_department(department_id: IdPath, principal: Caller, db: DatabaseDep) -> Response:
    async with db.transaction() as session:
        await org_structure.delete_department(session, actor=principal.actor, department_id=department_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
