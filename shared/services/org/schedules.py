"""Working time: shifts, holiday calendars and their holidays (with the yearly public-holiday import)."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import Any

import holidays as holidays_lib
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import HoursMode
from shared.errors import N_, NP_, Conflict, NotFound
from shared.model import DailyAttendance, Employee, Holiday, HolidayCalendar, Shift, utcnow
from shared.services.actor import Actor
from shared.services.crud import (
    Kind,
    Values,
    create_row,
    delete_row,
    enum,
    get_row,
    invalid,
    list_rows,
    number,
    only,
    text,
    unique_name,
    update_row,
)
from shared.services.org.employment import calendar_days_changed, shift_changed
from shared.services.org.holidays import HolidayImport, import_holidays
from shared.services.pagination import Page

SHIFT_FIELDS = frozenset(
    {
        "name",
        "start_time",
        "end_time",
        "late_grace_minutes",
        "early_grace_minutes",
        "half_day_hours",
        "absent_hours",
        "checkin_before_minutes",
        "checkout_after_minutes",
        "hours_mode",
    }
)
CALENDAR_FIELDS = frozenset({"name", "country", "subdivision"})
HOLIDAY_FIELDS = frozenset({"date", "name"})
SHIFT_MISSING = N_("Shift {id} does not exist.")
CALENDAR_MISSING = N_("Holiday calendar {id} does not exist.")
HOLIDAY_MISSING = N_("Holiday {id} does not exist.")


# ---------------------------------------------------------------- shifts


async def _check_shift(session: AsyncSession, shift: Shift) -> None:
    text(shift, "name", max_length=80)
    for field in ("start_time", "end_time"):
        value = getattr(shift, field)
        if value is None:
            raise invalid(N_("{field} is required."), field, field=field)
        if value.tzinfo is not None:
            setattr(shift, field, value.replace(tzinfo=None))
    if shift.start_time == shift.end_time:
        raise invalid(N_("A shift must end at another time than it starts."), "end_time")
    for field in ("late_grace_minutes", "early_grace_minutes", "checkin_before_minutes", "checkout_after_minutes"):
        number(shift, field, low=0, high=720)
    number(shift, "half_day_hours", low=0, high=24)
    number(shift, "absent_hours", low=0, high=24)
    if Decimal(shift.half_day_hours) <= Decimal(shift.absent_hours):
        raise invalid(
            N_("half_day_hours must be more than absent_hours: fewer hours than absent_hours count as absent."),
            "half_day_hours",
        )
    enum(shift, "hours_mode", HoursMode)
    await unique_name(session, shift, N_("A shift named {name} already exists."))


SHIFT = Kind(Shift, "shift", SHIFT_FIELDS, SHIFT_MISSING, _check_shift)


def _shift_defaults(values: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "late_grace_minutes": 0,
        "early_grace_minutes": 0,
        "half_day_hours": Decimal("4"),
        "absent_hours": Decimal("1"),
        "checkin_before_minutes": 120,
        "checkout_after_minutes": 240,
        "hours_mode": HoursMode.FIRST_LAST,
    }
    return defaults | {k: v for k, v in values.items() if v is not None or k not in defaults}


async def get_shift(session: AsyncSession, *, shift_id: int) -> Shift:
    return await get_row(session, SHIFT, shift_id)


async def list_shifts(session: AsyncSession, *, limit: int, offset: int) -> Page[Shift]:
    return await list_rows(session, select(Shift).order_by(Shift.id), limit=limit, offset=offset)


async def create_shift(session: AsyncSession, *, actor: Actor, values: Values) -> Shift:
    return await create_row(session, actor, SHIFT, Shift(**_shift_defaults(only(values, SHIFT_FIELDS))))


async def update_shift(session: AsyncSession, *, actor: Actor, shift_id: int, values: Values) -> Shift:
    """Change a shift; its people's recent days are re-processed with the new rules."""
    shift = await update_row(session, actor, SHIFT, await get_shift(session, shift_id=shift_id), values)
    await shift_changed(session, shift_id=shift.id, actor=actor, now=utcnow())
    return shift


async def delete_shift(session: AsyncSession, *, actor: Actor, shift_id: int) -> None:
    shift = await get_shift(session, shift_id=shift_id)
    await delete_row(
        session,
        actor,
        SHIFT,
        shift,
        unless_used_by=[
            (
                Employee.shift_id,
                NP_(
                    "Shift {id} is still assigned to {n} employee; give them another shift first.",
                    "Shift {id} is still assigned to {n} employees; give them another shift first.",
                ),
            ),
            (
                DailyAttendance.shift_id,
                NP_(
                    "Shift {id} is recorded on {n} attendance day; keep it for history (rename it instead).",
                    "Shift {id} is recorded on {n} attendance days; keep it for history (rename it instead).",
                ),
            ),
        ],
    )


# ---------------------------------------------------------------- holiday calendars


@functools.cache
def _countries() -> dict[str, list[str]]:
    return dict(holidays_lib.list_supported_countries())


async def _check_calendar(session: AsyncSession, calendar: HolidayCalendar) -> None:
    text(calendar, "name", max_length=120)
    if calendar.country is not None:
        calendar.country = calendar.country.strip().upper() or None
    if calendar.country is not None and calendar.country not in _countries():
        raise invalid(
            N_("Country {country} is not known to the holidays calendar."), "country", country=calendar.country[:8]
        )
    if calendar.subdivision is not None:
        calendar.subdivision = calendar.subdivision.strip() or None
    if calendar.subdivision is not None:
        if calendar.country is None:
            raise invalid(N_("A subdivision needs a country."), "subdivision")
        if calendar.subdivision not in _countries()[calendar.country]:
            raise invalid(
                N_("Subdivision {subdivision} is not known for {country}."),
                "subdivision",
                subdivision=calendar.subdivision[:16],
                country=calendar.country,
            )
    await unique_name(session, calendar, N_("A holiday calendar named {name} already exists."))


CALENDAR = Kind(HolidayCalendar, "holiday_calendar", CALENDAR_FIELDS, CALENDAR_MISSING, _check_calendar)


async def get_calendar(session: AsyncSession, *, calendar_id: int) -> HolidayCalendar:
    return await get_row(session, CALENDAR, calendar_id)


async def list_calendars(session: AsyncSession, *, limit: int, offset: int) -> Page[HolidayCalendar]:
    return await list_rows(session, select(HolidayCalendar).order_by(HolidayCalendar.id), limit=limit, offset=offset)


async def create_calendar(session: AsyncSession, *, actor: Actor, values: Values) -> HolidayCalendar:
    return await create_row(session, actor, CALENDAR, HolidayCalendar(**only(values, CALENDAR_FIELDS)))


async def update_calendar(session: AsyncSession, *, actor: Actor, calendar_id: int, values: Values) -> HolidayCalendar:
    return await update_row(session, actor, CALENDAR, await get_calendar(session, calendar_id=calendar_id), values)


async def delete_calendar(session: AsyncSession, *, actor: Actor, calendar_id: int) -> None:
    """Delete a calendar and its holidays; refused while employees follow it."""
    calendar = await get_calendar(session, calendar_id=calendar_id)
    await delete_row(
        session,
        actor,
        CALENDAR,
        calendar,
        unless_used_by=[
            (
                Employee.holiday_calendar_id,
                NP_(
                    "Holiday calendar {id} is still followed by {n} employee; give them another calendar first.",
                    "Holiday calendar {id} is still followed by {n} employees; give them another calendar first.",
                ),
            )
        ],
    )


async def import_calendar_holidays(
    session: AsyncSession, *, actor: Actor, calendar_id: int, year: int, country: str | None, subdivision: str | None
) -> HolidayImport:
    found = await import_holidays(
        session, calendar_id=calendar_id, year=year, actor=actor, country=country, subdivision=subdivision
    )
    if found.added_dates:
        await calendar_days_changed(session, calendar_id=calendar_id, days=found.added_dates, actor=actor, now=utcnow())
    return found


# ---------------------------------------------------------------- holidays


async def _check_holiday(session: AsyncSession, holiday: Holiday) -> None:
    text(holiday, "name", max_length=200)
    if holiday.date is None:
        raise invalid(N_("{field} is required."), "date", field="date")
    taken = await session.scalar(
        select(Holiday.id).where(
            Holiday.calendar_id == holiday.calendar_id, Holiday.date == holiday.date, Holiday.id != (holiday.id or 0)
        )
    )
    if taken is not None:
        raise Conflict(
            N_("This calendar already has a holiday on {date}."),
            details={"field": "date"},
            date=holiday.date,
        )


HOLIDAY = Kind(Holiday, "holiday", HOLIDAY_FIELDS, HOLIDAY_MISSING, _check_holiday)


async def list_holidays(
    session: AsyncSession,
    *,
    calendar_id: int,
    limit: int,
    offset: int,
    year: int | None = None,
) -> Page[Holiday]:
    await get_calendar(session, calendar_id=calendar_id)
    statement = select(Holiday).where(Holiday.calendar_id == calendar_id).order_by(Holiday.date, Holiday.id)
    if year is not None:
        statement = statement.where(Holiday.date >= date(year, 1, 1), Holiday.date <= date(year, 12, 31))
    return await list_rows(session, statement, limit=limit, offset=offset)


async def get_holiday(session: AsyncSession, *, calendar_id: int, holiday_id: int) -> Holiday:
    holiday = await get_row(session, HOLIDAY, holiday_id)
    if holiday.calendar_id != calendar_id:
        raise NotFound(HOLIDAY_MISSING, id=holiday_id)
    return holiday


async def create_holiday(session: AsyncSession, *, actor: Actor, calendar_id: int, values: Values) -> Holiday:
    await get_calendar(session, calendar_id=calendar_id)
    holiday = await create_row(
        session, actor, HOLIDAY, Holiday(calendar_id=calendar_id, **only(values, HOLIDAY_FIELDS))
    )
    await calendar_days_changed(session, calendar_id=calendar_id, days=[holiday.date], actor=actor, now=utcnow())
    return holiday


async def update_holiday(
    session: AsyncSession, *, actor: Actor, calendar_id: int, holiday_id: int, values: Values
) -> Holiday:
    holiday = await get_holiday(session, calendar_id=calendar_id, holiday_id=holiday_id)
    before = holiday.date
    holiday = await update_row(session, actor, HOLIDAY, holiday, values)
    await calendar_days_changed(
        session, calendar_id=calendar_id, days=[before, holiday.date], actor=actor, now=utcnow()
    )
    return holiday


async def delete_holiday(session: AsyncSession, *, actor: Actor, calendar_id: int, holiday_id: int) -> None:
    holiday = await get_holiday(session, calendar_id=calendar_id, holiday_id=holiday_id)
    day = holiday.date
    await delete_row(session, actor, HOLIDAY, holiday)
    await calendar_days_changed(session, calendar_id=calendar_id, days=[day], actor=actor, now=utcnow())
