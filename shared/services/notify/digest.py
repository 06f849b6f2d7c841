"""Loading the exception digest of a day: attendance rows, unknown badges, devices, dead messages, who's out."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayResult
from shared.domain.digest import ApprovedLeave, Digest, EmployeeInfo, OfflineDevice, UnknownPunch, build_digest
from shared.domain.enums import DeviceStatus, LeaveStatus, OutboxStatus
from shared.model import (
    DailyAttendance,
    Department,
    Device,
    Employee,
    Holiday,
    LeaveRequest,
    LeaveType,
    OutboxMessage,
    Punch,
)
from shared.services.attendance.processing import local_bounds

RETURN_LOOKAHEAD_DAYS = 60


# The DayResult fields, in order, as columns: a day of 10,000 rows read as plain rows, not ORM objects
# (loading the objects cost ~0.5 s of the digest for 10,000 employees).
RESULT_COLUMNS = tuple(getattr(DailyAttendance, f.name) for f in dataclasses.fields(DayResult))


async def load_digest(session: AsyncSession, *, day: date, today: date, company_timezone: str) -> Digest:
    """The digest of ``day`` (usually yesterday) with who is out ``today``.

    Return dates are computed with the holidays of every calendar (one set): people of different
    calendars may see a return date one holiday off; the list of who is out is exact.
    """
    rows = await session.execute(select(*RESULT_COLUMNS).where(DailyAttendance.date == day))
    results = [DayResult(*row) for row in rows]
    people = (
        await session.execute(
            select(Employee.id, Employee.code, Employee.full_name, Department.name, Employee.work_week).outerjoin(
                Department, Department.id == Employee.department_id
            )
        )
    ).all()
    employees = {pid: EmployeeInfo(pid, code, name, dept, week or "12345") for pid, code, name, dept, week in people}
    start, end = local_bounds(day, company_timezone)
    device_names = dict((await session.execute(select(Device.id, Device.name))).all())
    unknown = [
        UnknownPunch(device_id, user_id, instant, device_names.get(device_id) if device_id else None)
        for device_id, user_id, instant in (
            await session.execute(
                select(Punch.device_id, Punch.device_user_id, Punch.instant).where(
                    Punch.employee_id.is_(None), Punch.instant >= start, Punch.instant < end
                )
            )
        ).all()
    ]
    offline = [
        OfflineDevice(d.id, d.name, d.last_success_at, d.last_error)
        for d in await session.scalars(
            select(Device).where(Device.active.is_(True), Device.status.in_((DeviceStatus.OFFLINE, DeviceStatus.ERROR)))
        )
    ]
    dead_since, _ = local_bounds(day, company_timezone)
    dead = await session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.DEAD, OutboxMessage.created_at >= dead_since
        )
    )
    leaves = [
        ApprovedLeave(r.id, r.employee_id, name, r.start_date, r.end_date, r.start_half, r.end_half)
        for r, name in (
            await session.execute(
                select(LeaveRequest, LeaveType.name)
                .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
                .where(
                    LeaveRequest.status == LeaveStatus.APPROVED,
                    LeaveRequest.start_date <= today,
                    LeaveRequest.end_date >= today,
                )
            )
        ).all()
    ]
    holidays = set(
        await session.scalars(
            select(Holiday.date).where(Holiday.date.between(today, today + timedelta(days=RETURN_LOOKAHEAD_DAYS)))
        )
    )
    return build_digest(
        date=day,
        results=results,
        employees=employees,
        unknown_punches=unknown,
        offline_devices=offline,
        dead_outbox=int(dead or 0),
        leaves=leaves,
        today=today,
        holidays=holidays,
    )
