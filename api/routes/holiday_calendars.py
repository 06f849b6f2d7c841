"""Holiday calendars and their holidays: CRUD, plus importing a year of public holidays."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, PageDep
from api.schemas.common import ERRORS, Page
from api.schemas.holiday_calendars import (
    CalendarCreate,
    CalendarOut,
    CalendarUpdate,
    HolidayCreate,
    HolidayImportOut,
    HolidayImportRequest,
    HolidayOut,
    HolidayUpdate,
)
from shared.services.org import schedules as org_time

router = APIRouter(prefix="/holiday-calendars", tags=["holiday calendars"], responses=ERRORS)


@router.get("", summary="List holiday calendars")
async def list_calendars(db: DatabaseDep, page: PageDep) -> Page[CalendarOut]:
    async with db.session() as session:
        return Page[CalendarOut].of(await org_time.list_calendars(session, limit=page.limit, offset=page.offset))


@router.get("/{calendar_id}", summary="Read a holiday calendar")
async def get_calendar(calendar_id: IdPath, db: DatabaseDep) -> CalendarOut:
    async with db.session() as session:
        return CalendarOut.model_validate(await org_time.get_calendar(session, calendar_id=calendar_id))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a holiday calendar")
async def create_calendar(body: CalendarCreate, principal: Caller, db: DatabaseDep) -> CalendarOut:
    async with db.transaction() as session:
        calendar = await org_time.create_calendar(session, actor=principal.actor, values=body.model_dump())
        return CalendarOut.model_validate(calendar)


@router.patch("/{calendar_id}", summary="Change a holiday calendar")
async def update_calendar(calendar_id: IdPath, body: CalendarUpdate, principal: Caller, db: DatabaseDep) -> CalendarOut:
    async with db.transaction() as session:
        calendar = await org_time.update_calendar(
            session, actor=principal.actor, calendar_id=calendar_id, values=body.changes()
        )
        return CalendarOut.model_validate(calendar)


@router.delete(
    "/{calendar_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a holiday calendar and its holidays (409 while employees follow it)",
)
async def delete_calendar(calendar_id: IdPath, principal: Caller, db: DatabaseDep) -> Response:
    async with db.transaction() as session:
        await org_time.delete_calendar(session, actor=principal.actor, calendar_id=calendar_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{calendar_id}/import", summary="Import a year of public holidays (idempotent per date)")
async def import_holidays(
    calendar_id: IdPath, body: HolidayImportRequest, principal: Caller, db: DatabaseDep
) -> HolidayImportOut:
    async with db.transaction() as session:
        result = await org_time.import_calendar_holidays(
            session,
            actor=principal.actor,
            calendar_id=calendar_id,
            year=body.year,
            country=body.country,
            subdivision=body.subdivision,
        )
    return HolidayImportOut.model_validate(result)


@router.get("/{calendar_id}/holidays", summary="List a calendar's holidays by date")
async def list_holidays(
    calendar_id: IdPath,
    db: DatabaseDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="2000..2100")] = None,
) -> Page[HolidayOut]:
    async with db.session() as session:
        found = await org_time.list_holidays(
            session, calendar_id=calendar_id, limit=page.limit, offset=page.offset, year=year
        )
        return Page[HolidayOut].of(found)


@router.get("/{calendar_id}/holidays/{holiday_id}", summary="Read a holiday")
async def get_holiday(calendar_id: IdPath, holiday_id: IdPath, db: DatabaseDep) -> HolidayOut:
    async with db.session() as session:
        return HolidayOut.model_validate(
            await org_time.get_holiday(session, calendar_id=calendar_id, holiday_id=holiday_id)
        )


@router.post("/{calendar_id}/holidays", status_code=status.HTTP_201_CREATED, summary="Add a holiday")
async def create_holiday(calendar_id: IdPath, body: HolidayCreate, principal: Caller, db: DatabaseDep) -> HolidayOut:
    async with db.transaction() as session:
        holiday = await org_time.create_holiday(
            session, actor=principal.actor, calendar_id=calendar_id, values=body.model_dump()
        )
        return HolidayOut.model_validate(holiday)


@router.patch("/{calendar_id}/holidays/{holiday_id}", summary="Change a holiday")
async def update_holiday(
    calendar_id: IdPath, holiday_id: IdPath, body: HolidayUpdate, principal: Caller, db: DatabaseDep
) -> HolidayOut:
    async with db.transaction() as session:
        holiday = await org_time.update_holiday(
            session, actor=principal.actor, calendar_id=calendar_id, holiday_id=holiday_id, values=body.changes()
        )
        return HolidayOut.model_validate(holiday)


@router.delete(
    "/{calendar_id}/holidays/{holiday_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a holiday"
)
async def delete_holiday(calendar_id: IdPath, holiday_id: IdPath, principal: Caller, db: DatabaseDep) -> Response:
    async with db.transaction() as session:
        await org_time.delete_holiday(session, actor=principal.actor, calendar_id=calendar_id, holiday_id=holiday_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
