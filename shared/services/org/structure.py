"""Departments (a tree, each with an optional head) and offices (a zone and an optional geofence)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, NP_
from shared.model import Department, Employee, LeaveBlackout, Office
from shared.services.actor import Actor
from shared.services.crud import (
    Kind,
    Values,
    check_chain,
    create_row,
    delete_row,
    exists,
    get_row,
    invalid,
    list_rows,
    number,
    only,
    text,
    timezone,
    translations,
    unique_name,
    update_row,
)
from shared.services.pagination import Page

DEPARTMENT_FIELDS = frozenset({"name", "name_translations", "parent_id", "head_id", "max_absent_share"})
OFFICE_FIELDS = frozenset({"name", "timezone", "latitude", "longitude", "radius_m", "remote_allowed"})
DEPARTMENT_MISSING = N_("Department {id} does not exist.")
OFFICE_MISSING = N_("Office {id} does not exist.")


# ---------------------------------------------------------------- departments


async def _check_department(session: AsyncSession, dept: Department) -> None:
    text(dept, "name", max_length=120)
    translations(dept)
    number(dept, "max_absent_share", low=0, high=1)
    await unique_name(session, dept, N_("A department named {name} already exists."))
    await exists(session, Employee, dept.head_id, "head_id", N_("Employee {id} does not exist."))
    await check_chain(
        session,
        dept,
        "parent_id",
        loop=N_("Department {name} cannot sit under itself or one of its own sub-departments."),
        missing=DEPARTMENT_MISSING,
        name=dept.name,
    )


DEPARTMENT = Kind(Department, "department", DEPARTMENT_FIELDS, DEPARTMENT_MISSING, _check_department)


async def get_department(session: AsyncSession, *, department_id: int) -> Department:
    return await get_row(session, DEPARTMENT, department_id)


async def list_departments(session: AsyncSession, *, limit: int, offset: int) -> Page[Department]:
    return await list_rows(session, select(Department).order_by(Department.id), limit=limit, offset=offset)


async def create_department(session: AsyncSession, *, actor: Actor, values: Values) -> Department:
    return await create_row(session, actor, DEPARTMENT, Department(**only(values, DEPARTMENT_FIELDS)))


async def update_department(session: AsyncSession, *, actor: Actor, department_id: int, values: Values) -> Department:
    return await update_row(
        session, actor, DEPARTMENT, await get_department(session, department_id=department_id), values
    )


async def delete_department(session: AsyncSession, *, actor: Actor, department_id: int) -> None:
    dept = await get_department(session, department_id=department_id)
    await delete_row(
        session,
        actor,
        DEPARTMENT,
        dept,
        unless_used_by=[
            (
                Employee.department_id,
                NP_(
                    "Department {id} still has {n} employee; move them to another department first.",
                    "Department {id} still has {n} employees; move them to another department first.",
                ),
            ),
            (
                Department.parent_id,
                NP_(
                    "Department {id} still has {n} sub-department; move or delete it first.",
                    "Department {id} still has {n} sub-departments; move or delete them first.",
                ),
            ),
            (
                LeaveBlackout.department_id,
                NP_(
                    "Department {id} still has {n} leave blackout; delete it first.",
                    "Department {id} still has {n} leave blackouts; delete them first.",
                ),
            ),
        ],
    )


# ---------------------------------------------------------------- offices


async def _check_office(session: AsyncSession, office: Office) -> None:
    text(office, "name", max_length=120)
    timezone(office)
    number(office, "latitude", low=-90, high=90)
    number(office, "longitude", low=-180, high=180)
    number(office, "radius_m", low=1, high=100_000)
    geofence = (office.latitude, office.longitude, office.radius_m)
    if any(v is not None for v in geofence) and any(v is None for v in geofence):
        missing = next(f for f, v in zip(("latitude", "longitude", "radius_m"), geofence, strict=True) if v is None)
        raise invalid(N_("A geofence needs latitude, longitude and radius_m together; set all three or none."), missing)
    await unique_name(session, office, N_("An office named {name} already exists."))


OFFICE = Kind(Office, "office", OFFICE_FIELDS, OFFICE_MISSING, _check_office)


async def get_office(session: AsyncSession, *, office_id: int) -> Office:
    return await get_row(session, OFFICE, office_id)


async def list_offices(session: AsyncSession, *, limit: int, offset: int) -> Page[Office]:
    return await list_rows(session, select(Office).order_by(Office.id), limit=limit, offset=offset)


async def create_office(session: AsyncSession, *, actor: Actor, values: Values) -> Office:
    return await create_row(session, actor, OFFICE, Office(**only(values, OFFICE_FIELDS)))


async def update_office(session: AsyncSession, *, actor: Actor, office_id: int, values: Values) -> Office:
    return await update_row(session, actor, OFFICE, await get_office(session, office_id=office_id), values)


async def delete_office(session: AsyncSession, *, actor: Actor, office_id: int) -> None:
    office = await get_office(session, office_id=office_id)
    await delete_row(
        session,
        actor,
        OFFICE,
        office,
        unless_used_by=[
            (
                Employee.office_id,
                NP_(
                    "Office {id} still has {n} employee; move them to another office first.",
                    "Office {id} still has {n} employees; move them to another office first.",
                ),
            )
        ],
    )
