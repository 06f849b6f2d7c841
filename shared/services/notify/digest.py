"""Loading the exception digest of a day: attendance rows, unknown badges, devices, dead messages, who's out,
open working-time violations."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayResult
from shared.domain.digest import (
    ApprovedLeave,
    CorrectionRow,
    DeadMessage,
    Digest,
    EmployeeInfo,
    OfflineDevice,
    OffSiteCheckin,
    UnknownPunch,
    ViolationRow,
    build_digest,
)
from shared.domain.enums import DeviceStatus, LeaveStatus, OutboxStatus, PunchSource
from shared.domain.punches import REMOTE_NOTE
from shared.errors import N_, Invalid
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
    PunchCorrection,
)
from shared.services.attendance.processing import classify_range, employed_during, local_bounds
from shared.services.compliance.violations import violations_between

RETURN_LOOKAHEAD_DAYS = 60
DEAD_ROWS_SHOWN = 2000  # the undelivered section's detail; the count covers all


# The DayResult fields, in order, as columns: a day of 10,000 rows read as plain rows, not ORM objects
# (loading the objects cost ~0.5 s of the digest for 10,000 employees).
RESULT_COLUMNS = tuple(getattr(DailyAttendance, name) for name in DayResult._fields)


def check_reportable(day: date, today: date) -> None:
    """A day in the future has nothing to report: refuse it (422), rather than call it quiet."""
    if day > today:
        raise Invalid(
            N_("{date} is in the future: ask for today or an earlier day."), details={"field": "date"}, date=day
        )


async def day_results(session: AsyncSession, *, day: date, now: datetime, company_timezone: str) -> list[DayResult]:
    """The day's attendance as it stands: stored rows where the day is over (and manual overrides), a fresh
    provisional classification for people whose day is not over yet or was never processed."""
    stored: dict[int, DayResult] = {}
    overridden: set[int] = set()
    columns = (*RESULT_COLUMNS, DailyAttendance.manual_override)
    for row in await session.execute(select(*columns).where(DailyAttendance.date == day)):
        result = DayResult(*row[:-1])
        if result.employee_id is None:
            continue
        stored[result.employee_id] = result
        if row[-1]:
            overridden.add(result.employee_id)
    keep = {e for e, r in stored.items() if r.is_final or e in overridden}
    employed = await session.scalars(select(Employee.id).where(employed_during(day, day)))
    fresh_ids = sorted(set(employed) - keep)
    results = [stored[e] for e in sorted(keep)]
    if fresh_ids:
        results += await classify_range(
            session, date_from=day, date_to=day, now=now, company_timezone=company_timezone, employee_ids=fresh_ids
        )
    return results


async def load_digest(session: AsyncSession, *, day: date, today: date, company_timezone: str, now: datetime) -> Digest:
    """The digest of ``day`` (usually yesterday) with who is out ``today``; a day not over is "so far".

    Return dates are computed with the holidays of every calendar (one set): people of different
    calendars may see a return date one holiday off; the list of who is out is exact.
    """
    check_reportable(day, today)
    results = await day_results(session, day=day, now=now, company_timezone=company_timezone)
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
    dead_rows = (
        await session.execute(
            select(
                OutboxMessage.channel, OutboxMessage.employee_id, OutboxMessage.email_to, OutboxMessage.chat_id,
                OutboxMessage.last_error,
            )
            .where(OutboxMessage.status == OutboxStatus.DEAD, OutboxMessage.created_at >= dead_since)
            .order_by(OutboxMessage.id)
            .limit(DEAD_ROWS_SHOWN)
        )
    ).all()  # fmt: skip
    dead = await session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.DEAD, OutboxMessage.created_at >= dead_since
        )
    )
    dead_messages = [
        DeadMessage(str(channel), employee_id, email_to or (str(chat_id) if chat_id else None), error)
        for channel, employee_id, email_to, chat_id, error in dead_rows
    ]
    leaves = [
        ApprovedLeave(
            r.id, r.employee_id, name, r.start_date, r.end_date, r.start_half, r.end_half, r.start_at, r.end_at
        )  # hourly leave with its range: away for those hours, not the day
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
    violations = [
        ViolationRow(v.id, v.employee_id, v.rule, v.period_start, v.period_end, v.excess)
        for v in await violations_between(session, first=day, last=day)
    ]
    corrections = [
        CorrectionRow(c.id, c.employee_id, name, c.date, c.direction, c.instant, c.status, c.decided_by)
        for c, name in (
            await session.execute(
                select(PunchCorrection, Employee.full_name)
                .join(Employee, Employee.id == PunchCorrection.employee_id)
                .where(
                    (PunchCorrection.date == day)
                    | ((PunchCorrection.decided_at >= start) & (PunchCorrection.decided_at < end))
                )
            )
        ).all()
    ]
    digest = build_digest(
        violations=violations,
        date=day,
        corrections=corrections,
        results=results,
        employees=employees,
        unknown_punches=unknown,
        offline_devices=offline,
        dead_outbox=int(dead or 0),
        dead_messages=dead_messages,
        leaves=leaves,
        today=today,
        holidays=holidays,
    )
    return dataclasses.replace(
        digest,
        off_site=await off_site_checkins(session, start=start, end=end, people=employees),
        translations=await name_translations(session),
    )


async def name_translations(session: AsyncSession) -> dict[tuple[str, str], dict[str, str]]:
    """The translated names of departments and leave types, keyed by kind and the name as typed."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for kind, model in (("department", Department), ("leave_type", LeaveType)):
        rows = await session.execute(select(model.name, model.name_translations))
        found.update({(kind, name): dict(names) for name, names in rows.all() if names})
    return found


async def off_site_checkins(
    session: AsyncSession, *, start: datetime, end: datetime, people: dict[int, EmployeeInfo]
) -> tuple[OffSiteCheckin, ...]:
    """The bot punches of ``[start, end)`` made outside the office's geofence, or remotely without a location."""
    rows = await session.execute(
        select(Punch.employee_id, Punch.instant, Punch.direction, Punch.distance_m, Punch.note)
        .where(
            Punch.source == PunchSource.TELEGRAM,
            Punch.instant >= start,
            Punch.instant < end,
            (Punch.inside_geofence.is_(False)) | ((Punch.note == REMOTE_NOTE) & Punch.latitude.is_(None)),
        )
        .order_by(Punch.instant)
    )
    found = []
    for employee_id, instant, direction, distance, note in rows.all():
        person = people.get(employee_id) if employee_id is not None else None
        if person is None:
            continue
        found.append(OffSiteCheckin(person.id, person.code, person.full_name, person.department_name, instant,
                                    direction.value, distance, remote=note == REMOTE_NOTE))  # fmt: skip
    return tuple(found)
