"""A month of attendance, one row per employee, one status code per day, with totals."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import AttendanceStatus
from shared.domain.timesheet import CODES, LATE_SUFFIX, Timesheet, TimesheetRow
from shared.model import Department, Employee
from shared.persistence.bulk import fetch_rows

_STATUS = {s.value: s for s in AttendanceStatus}


async def load_timesheet(
    session: AsyncSession, *, year: int, month: int, department_id: int | None = None
) -> Timesheet:
    days = calendar.monthrange(year, month)[1]
    dates = [date(year, month, d) for d in range(1, days + 1)]
    sheet = Timesheet(year, month, dates)
    query = (
        select(Employee.id, Employee.code, Employee.full_name, Department.name)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(Employee.active.is_(True))
        .order_by(Department.name, Employee.full_name, Employee.code)
    )
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    people = (await session.execute(query)).all()
    rows = {pid: TimesheetRow(pid, code, name, dept or "", [""] * days) for pid, code, name, dept in people}
    records = await fetch_rows(
        session,
        "SELECT employee_id, date, status, late_minutes, worked_minutes FROM daily_attendance"
        " WHERE date >= :first AND date <= :last",
        {"first": dates[0], "last": dates[-1]},
    )
    late_seen: dict[int, int] = defaultdict(int)
    for employee_id, day, status_value, late, worked in records:
        row = rows.get(employee_id)
        if row is None:
            continue
        status = _STATUS[status_value]
        day = day if isinstance(day, date) else date.fromisoformat(day)
        code = CODES[status] + (LATE_SUFFIX if late else "")
        row.days[day.day - 1] = code
        row.worked_minutes += worked or 0
        if status in (AttendanceStatus.PRESENT, AttendanceStatus.INCOMPLETE):
            row.present += 1
        elif status is AttendanceStatus.HALF_DAY:
            row.present += 1
        elif status is AttendanceStatus.ABSENT:
            row.absent += 1
        elif status is AttendanceStatus.ON_LEAVE:
            row.leave += 1
        elif status is AttendanceStatus.HALF_LEAVE:
            row.leave += 0.5
        if late:
            late_seen[employee_id] += 1
    for employee_id, n in late_seen.items():
        rows[employee_id].late = n
    sheet.rows = list(rows.values())
    return sheet
