"""A month of attendance, one row per employee, one status code per day, with totals."""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import AttendanceStatus
from shared.domain.timesheet import Timesheet, TimesheetRow, add_day, check_month_begun, day_code
from shared.model import Department, Employee
from shared.persistence.bulk import fetch_rows
from shared.services.attendance.processing import employed_during

_STATUS = {s.value: s for s in AttendanceStatus}


async def load_timesheet(
    session: AsyncSession, *, year: int, month: int, today: date, department_id: int | None = None
) -> Timesheet:
    """The month's daily rows of everyone employed in it (leavers included), a day not over marked so far."""
    check_month_begun(year, month, today)
    days = calendar.monthrange(year, month)[1]
    dates = [date(year, month, d) for d in range(1, days + 1)]
    sheet = Timesheet(year, month, dates)
    query = (
        select(Employee.id, Employee.code, Employee.full_name, Department.name, Department.name_translations)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(employed_during(dates[0], dates[-1]))
        .order_by(Department.name, Employee.full_name, Employee.code)
    )
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    people = (await session.execute(query)).all()
    rows = {
        pid: TimesheetRow(pid, code, name, dept or "", [""] * days, department_names=dept_names)
        for pid, code, name, dept, dept_names in people
    }
    records = await fetch_rows(
        session,
        "SELECT employee_id, date, status, late_minutes, worked_minutes, is_final, first_in FROM daily_attendance"
        " WHERE date >= :first AND date <= :last",
        {"first": dates[0], "last": dates[-1]},
    )
    for employee_id, day, status_value, late, worked, final, first_in in records:
        row = rows.get(employee_id)
        if row is None:
            continue
        status = _STATUS[status_value]
        day = day if isinstance(day, date) else date.fromisoformat(day)
        final = bool(final) and day <= today
        row.days[day.day - 1] = day_code(status, late=bool(late), final=final, checked_in=first_in is not None)
        add_day(row, status, late=bool(late), final=final, worked_minutes=worked or 0)
    sheet.rows = list(rows.values())
    return sheet
