"""The leave calendar: a month × people grid of the reader's people (HR: everyone, or one department),
filtered by leave type and status; a cell opens its request. Hourly leave is a partial day (a marked cell with
the time range, in the company's zone, in its title), never a day away; a whole or half day the same day wins."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from api.access import Caller, EmployeeAccessDep
from api.console.months import Month
from api.console.web import reader, render
from api.deps import DatabaseDep, IdQuery, NowDep, SettingsDep
from shared.domain.enums import LeaveStatus
from shared.model import Department, LeaveType
from shared.services.attendance.processing import today_in
from shared.services.leave import queries
from shared.services.org import people
from shared.texts import hours_text

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/calendar")
async def calendar_page(
    request: Request,
    caller: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    month: Annotated[str | None, Query(max_length=7)] = None,
    department_id: IdQuery = None,
    leave_type_id: IdQuery = None,
    status: Annotated[LeaveStatus | None, Query()] = None,
) -> Response:
    shown = Month.parse(month, today_in(settings.company_timezone, now))
    line = await access.visible_ids()
    scope = queries.Scope(employee_ids=line, approver_id=caller.employee_id) if line is not None else queries.EVERYTHING
    async with db.session() as session:
        staff = await people.list_employees(
            session, limit=500, offset=0, active=True, ids=line, department_id=department_id
        )
        found = await queries.list_leave_requests(
            session, limit=500, offset=0, scope=scope, date_from=shown.first, date_to=shown.last,
            leave_type_id=leave_type_id, status=status,
        )  # fmt: skip
        locale = reader(request).locale
        all_departments = await session.scalars(select(Department).order_by(Department.name))
        departments = [(d.id, d.name_for(locale)) for d in all_departments]
        all_types = await session.scalars(select(LeaveType).order_by(LeaveType.name))
        types = [(lt.id, lt.name_for(locale)) for lt in all_types]
    cells: dict[tuple[int, object], object] = {}
    hours: dict[tuple[int, object], str] = {}  # hourly leave: the cell is a partial day, with its time range
    t = reader(request)
    for row in found.items:
        if row.request.status in (LeaveStatus.CANCELLED,) and status is None:
            continue  # cancelled leave is shown only when asked for
        start_at, end_at = row.request.start_at, row.request.end_at
        if start_at is not None and end_at is not None:
            key = (row.request.employee_id, row.request.start_date)
            if shown.first <= row.request.start_date <= shown.last and (key not in cells or key in hours):
                cells.setdefault(key, row)  # a whole or half day the same day wins over the hours
                told = hours_text(t, [(start_at, end_at)], settings.company_timezone)
                hours[key] = f"{hours[key]}{t.separator()}{told}" if key in hours else told  # every range that day
            continue
        day = max(row.request.start_date, shown.first)
        while day <= min(row.request.end_date, shown.last):
            cells[row.request.employee_id, day] = row
            hours.pop((row.request.employee_id, day), None)
            day += timedelta(days=1)
    return render(
        request, "calendar.html", month=shown, staff=staff.items, cells=cells, hours=hours, departments=departments,
        types=types, department_id=department_id, leave_type_id=leave_type_id, status_filter=status,
        statuses=list(LeaveStatus),
    )  # fmt: skip
