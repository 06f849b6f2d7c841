"""The team calendar of a month, for one viewer (the picture is drawn by ``shared.reports.calendar_image``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.absences import MonthGrid, Person, build_month
from shared.domain.enums import LeaveStatus
from shared.domain.periods import month_bounds
from shared.errors import N_, Invalid
from shared.model import Department, Employee, Holiday
from shared.services.absences.audience import Audience, absences_of, audience

FIRST_YEAR, LAST_YEAR = 2000, 2100


async def holidays_by_calendar(
    session: AsyncSession, *, calendar_ids: set[int], start: date, end: date
) -> dict[int, dict[date, str]]:
    """{calendar id: {date: holiday name}} for the calendars asked about, within [start, end]."""
    found: dict[int, dict[date, str]] = {}
    if not calendar_ids:
        return found
    rows = await session.execute(
        select(Holiday.calendar_id, Holiday.date, Holiday.name).where(
            Holiday.calendar_id.in_(sorted(calendar_ids)), Holiday.date.between(start, end)
        )
    )
    for calendar_id, day, name in rows.all():
        found.setdefault(calendar_id, {})[day] = name
    return found


def people_of(members: list[Employee], holidays: dict[int, dict[date, str]]) -> list[Person]:
    return [
        Person(m.id, m.full_name, m.work_week or "12345", frozenset(holidays.get(m.holiday_calendar_id or -1, {})))
        for m in members
    ]


def _department_name(department: Department, locale: str | None) -> str:
    return department.name_for(locale) if locale else department.name


async def month_calendar(
    session: AsyncSession,
    *,
    viewer_id: int,
    year: int,
    month: int,
    today: date,
    department_id: int | None = None,
    title: str = "",
    locale: str | None = None,
) -> tuple[MonthGrid, Audience]:
    """The month grid of the people ``viewer_id`` may see (see ``audience``): approved leave of everyone,
    pending leave only where the viewer may see it; with the group it shows (for the title and paging).
    Names HR typed (leave types, the department) are in ``locale`` where translated."""
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise Invalid(N_("Months go from 2000-01 to 2100-12."))
    seen = await audience(session, viewer_id=viewer_id, department_id=department_id)
    start, end = month_bounds(year, month)
    calendars = {m.holiday_calendar_id for m in seen.members if m.holiday_calendar_id is not None}
    holidays = await holidays_by_calendar(session, calendar_ids=calendars, start=start, end=end)
    found = await absences_of(
        session, employee_ids=[m.id for m in seen.members], start=start, end=end, viewer=seen.viewer, locale=locale
    )
    shown = [a for a in found if a.status is LeaveStatus.APPROVED or seen.sees_pending_of(a.employee_id)]
    viewer_days = holidays.get(seen.viewer.holiday_calendar_id or -1) or (
        next(iter(holidays.values())) if len(holidays) == 1 else {}
    )
    grid = build_month(
        year=year,
        month=month,
        title=title or (_department_name(seen.department, locale) if seen.department else ""),
        people=people_of(seen.members, holidays),
        absences=shown,
        holidays=viewer_days,
        today=today,
    )
    return grid, seen
