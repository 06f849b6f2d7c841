"""A month of attendance, one row per employee, one status code per day, with totals."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import AttendanceStatus
from shared.errors import N_, Invalid
from shared.model import Department, Employee
from shared.persistence.bulk import fetch_rows

# One or two letters per status; "L" suffix for late arrivals. The legend sheet explains them.
CODES = {
    AttendanceStatus.PRESENT: "P",
    AttendanceStatus.ABSENT: "A",
    AttendanceStatus.HALF_DAY: "HD",
    AttendanceStatus.INCOMPLETE: "MC",
    AttendanceStatus.ON_LEAVE: "LV",
    AttendanceStatus.HALF_LEAVE: "HL",
    AttendanceStatus.HOLIDAY: "H",
    AttendanceStatus.WEEKEND: "W",
}
LATE_SUFFIX = "*"
_STATUS = {s.value: s for s in AttendanceStatus}


@dataclass
class TimesheetRow:
    employee_id: int
    code: str
    full_name: str
    department: str
    days: list[str]
    present: int = 0
    absent: int = 0
    leave: float = 0.0
    late: int = 0
    worked_minutes: int = 0


@dataclass
class Timesheet:
    year: int
    month: int
    dates: list[date] = field(default_factory=list)
    rows: list[TimesheetRow] = field(default_factory=list)


def parse_month(value: str) -> tuple[int, int]:
    try:
        year_text, month_text = value.split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise Invalid(N_("Give the month as YYYY-MM, e.g. 2026-11."), details={"field": "month"}) from None
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Invalid(N_("Give the month as YYYY-MM, e.g. 2026-11."), details={"field": "month"})
    return year, month


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
