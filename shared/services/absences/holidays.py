"""The coming public holidays of a person's holiday calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.model import Holiday, HolidayCalendar
from shared.services.lookups import get_employee

COMING_LIMIT = 15


@dataclass(frozen=True)
class ComingHolidays:
    calendar: str | None  # None: the person has no holiday calendar
    days: list[tuple[date, str]]


async def coming_holidays(
    session: AsyncSession, *, employee_id: int, today: date, limit: int = COMING_LIMIT
) -> ComingHolidays:
    """Today's and later holidays of the employee's calendar, soonest first (at most ``limit``)."""
    employee = await get_employee(session, employee_id)
    if employee.holiday_calendar_id is None:
        return ComingHolidays(None, [])
    calendar = await session.get(HolidayCalendar, employee.holiday_calendar_id)
    rows = await session.execute(
        select(Holiday.date, Holiday.name)
        .where(Holiday.calendar_id == employee.holiday_calendar_id, Holiday.date >= today)
        .order_by(Holiday.date, Holiday.id)
        .limit(limit)
    )
    return ComingHolidays(calendar.name if calendar else None, [(d, n) for d, n in rows.all()])
