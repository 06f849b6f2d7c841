"""Read-only queries behind the attendance views of the API: daily rows with names, and raw punches.

Writes live in ``attendance`` (processing, overrides) and ``punches``; nothing here changes a row.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import AttendanceStatus, PunchSource
from shared.model import DailyAttendance, Department, Employee, Punch
from shared.services.pagination import MAX_LIMIT, Page, paginate

DAILY_COLUMNS = (
    DailyAttendance.id,
    DailyAttendance.employee_id,
    DailyAttendance.date,
    DailyAttendance.status,
    DailyAttendance.first_in,
    DailyAttendance.last_out,
    DailyAttendance.worked_minutes,
    DailyAttendance.late_minutes,
    DailyAttendance.early_exit_minutes,
    DailyAttendance.worked_on_day_off,
    DailyAttendance.overtime_minutes,
    DailyAttendance.shift_id,
    DailyAttendance.leave_request_id,
    DailyAttendance.punch_count,
    DailyAttendance.is_final,
    DailyAttendance.manual_override,
    DailyAttendance.override_reason,
    DailyAttendance.override_by,
    DailyAttendance.processed_at,
    Employee.code.label("employee_code"),
    Employee.full_name.label("employee_name"),
    Employee.department_id,
    Department.name.label("department_name"),
)


class DailyRow(NamedTuple):
    """One employee's day as the attendance list shows it: the row's columns with the person's names."""

    id: int
    employee_id: int
    date: date
    status: AttendanceStatus
    first_in: datetime | None
    last_out: datetime | None
    worked_minutes: int
    late_minutes: int
    early_exit_minutes: int
    worked_on_day_off: bool
    overtime_minutes: int
    shift_id: int | None
    leave_request_id: int | None
    punch_count: int
    is_final: bool
    manual_override: bool
    override_reason: str | None
    override_by: str | None
    processed_at: datetime
    employee_code: str
    employee_name: str
    department_id: int | None
    department_name: str | None


DEEP_OFFSET = 1000


async def list_daily(
    session: AsyncSession,
    *,
    date_from: date,
    date_to: date,
    limit: int,
    offset: int,
    employee_ids: Collection[int] | None = None,
    employee_id: int | None = None,
    department_id: int | None = None,
    status: AttendanceStatus | None = None,
) -> Page[DailyRow]:
    """Daily rows of [date_from, date_to] by date, then employee id, with the person's names.

    Rows come in the order of the (date, employee_id) index, so a page joins only its own rows to the
    employees; the count reads the (date, status) index alone unless a department filter needs the
    employees. A deep page (offset ≥ 1,000) first picks its keys from the index alone, then joins.
    """
    conditions: list[ColumnElement[bool]] = [DailyAttendance.date >= date_from, DailyAttendance.date <= date_to]
    if status is not None:
        conditions.append(DailyAttendance.status == AttendanceStatus(status))
    if employee_id is not None:
        conditions.append(DailyAttendance.employee_id == employee_id)
    if employee_ids is not None:
        conditions.append(DailyAttendance.employee_id.in_(sorted(employee_ids)))
    counted = select(func.count()).select_from(DailyAttendance)
    if department_id is not None:
        conditions.append(Employee.department_id == department_id)
        counted = counted.join(Employee, Employee.id == DailyAttendance.employee_id)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = await session.scalar(counted.where(*conditions))
    order = (DailyAttendance.date, DailyAttendance.employee_id)
    statement = (
        select(*DAILY_COLUMNS)
        .join(Employee, Employee.id == DailyAttendance.employee_id)
        .outerjoin(Department, Department.id == Employee.department_id)
    )
    if offset < DEEP_OFFSET:
        statement = statement.where(*conditions).order_by(*order).limit(limit).offset(offset)
    else:
        keys = select(*order).where(*conditions).order_by(*order).limit(limit).offset(offset)
        if department_id is not None:
            keys = keys.join(Employee, Employee.id == DailyAttendance.employee_id)
        statement = statement.where(tuple_(*order).in_(keys)).order_by(*order)
    rows = await session.execute(statement)
    return Page([DailyRow._make(row) for row in rows.all()], int(total or 0), limit, offset)


async def list_punches(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    since: datetime | None = None,
    until: datetime | None = None,
    employee_ids: Collection[int] | None = None,
    employee_id: int | None = None,
    device_id: int | None = None,
    source: PunchSource | None = None,
    unmatched: bool | None = None,
) -> Page[Punch]:
    """Raw punches, newest first; ``since`` inclusive, ``until`` exclusive; ``unmatched`` = no employee."""
    statement = select(Punch).order_by(Punch.instant.desc(), Punch.id.desc())
    if since is not None:
        statement = statement.where(Punch.instant >= since)
    if until is not None:
        statement = statement.where(Punch.instant < until)
    if employee_ids is not None:
        statement = statement.where(Punch.employee_id.in_(sorted(employee_ids)))
    if employee_id is not None:
        statement = statement.where(Punch.employee_id == employee_id)
    if device_id is not None:
        statement = statement.where(Punch.device_id == device_id)
    if source is not None:
        statement = statement.where(Punch.source == PunchSource(source))
    if unmatched is True:
        statement = statement.where(Punch.employee_id.is_(None))
    elif unmatched is False:
        statement = statement.where(Punch.employee_id.is_not(None))
    return await paginate(session, statement, limit=limit, offset=offset)
