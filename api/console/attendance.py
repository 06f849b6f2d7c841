"""Attendance: a month heatmap of exceptions (department × day, person × day); a person's month with
punches and overrides; HR overrides a day with a reason (``shared.services.attendance.overrides``)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from api.access import Caller, EmployeeAccessDep
from api.console.months import Month
from api.console.web import reader, render
from api.deps import DatabaseDep, IdPath, NowDep, SettingsDep
from api.policy import ATTENDANCE_WRITE
from shared.domain.enums import AttendanceStatus
from shared.domain.heatmap import DayFact, build_heatmap
from shared.model import Department, Employee, PunchCorrection
from shared.persistence import Database
from shared.services.attendance.overrides import override_day
from shared.services.attendance.processing import today_in
from shared.services.attendance.queries import DailyRow, list_daily, list_punches
from shared.services.org import people
from shared.services.timekeeping.queries import list_corrections

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE = 500
EMPLOYEE_LABEL = re.compile(r"employee:(\d+)$")


async def _rows(
    db: Database, month: Month, *, employee_ids: set[int] | None = None, employee_id: int | None = None
) -> list[DailyRow]:
    """Every daily row of the month (of ``employee_ids`` or one ``employee_id``), page by page."""
    rows: list[DailyRow] = []
    async with db.session() as session:
        while True:
            page = await list_daily(
                session,
                date_from=month.first,
                date_to=month.last,
                limit=PAGE,
                offset=len(rows),
                employee_ids=employee_ids,
                employee_id=employee_id,
            )
            rows += page.items
            if not page.items or len(rows) >= page.total:
                return rows


def _fact(row: DailyRow, group: object) -> DayFact:
    return DayFact(group, row.date, row.status, row.late_minutes, row.early_exit_minutes)


@router.get("/attendance")
async def heatmap(
    request: Request,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    month: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    shown = Month.parse(month, today_in(settings.company_timezone, now))
    line = await access.visible_ids()
    rows = await _rows(db, shown, employee_ids=line)
    locale = reader(request).locale
    async with db.session() as session:  # department names are unique: each in the reader's language
        local = {d.name: d.name_for(locale) for d in await session.scalars(select(Department))}
    departments = build_heatmap((_fact(r, local.get(r.department_name or "", "")) for r in rows), days=shown.days)
    names: dict[int, str] = {}
    by_department: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r.employee_id not in names:
            names[r.employee_id] = r.employee_name
            by_department[local.get(r.department_name or "", "")].append(r.employee_id)
    persons = build_heatmap((_fact(r, r.employee_id) for r in rows), days=shown.days)
    return render(
        request, "heatmap.html", month=shown, departments=departments, persons=persons, names=names,
        by_department=sorted(by_department.items()),
    )  # fmt: skip


@router.get("/attendance/{employee_id}")
async def person_month(
    request: Request,
    employee_id: IdPath,
    caller: Caller,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    month: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    shown = Month.parse(month, today_in(settings.company_timezone, now))
    async with db.session() as session:
        person = await people.get_employee(session, employee_id=employee_id)
        since = datetime.combine(shown.first - timedelta(days=1), time(), tzinfo=UTC)
        until = datetime.combine(shown.last + timedelta(days=2), time(), tzinfo=UTC)
        punches = await list_punches(session, limit=500, offset=0, since=since, until=until, employee_id=employee_id)
        corrections = await list_corrections(
            session, limit=500, offset=0, visible=None, employee_id=employee_id, date_from=shown.first,
            date_to=shown.last,
        )  # fmt: skip
    asked: dict[date, list[PunchCorrection]] = defaultdict(list)
    for correction in corrections.items:
        asked[correction.date].append(correction)
    rows = {r.date: r for r in await _rows(db, shown, employee_id=employee_id)}
    deciders = await _names(db, [r.override_by for r in rows.values() if r.override_by])
    tz = person.timezone or settings.company_timezone
    by_day: dict[date, list[object]] = defaultdict(list)
    for punch in sorted(punches.items, key=lambda p: p.instant):
        by_day[punch.instant.astimezone(ZoneInfo(tz)).date()].append(punch)
    may_override = ATTENDANCE_WRITE.scope_for(caller.role) is not None and caller.employee_id != employee_id
    return render(
        request, "person_month.html", person=person, month=shown, rows=rows, punches=by_day, tz=tz,
        may_override=may_override, statuses=list(AttendanceStatus), corrections=asked,
        who=lambda label: deciders.get(label, label),
    )  # fmt: skip


async def _names(db: Database, labels: list[str]) -> dict[str, str]:
    """Who an audit label such as ``console:employee:7`` or ``employee:7`` is, by name."""
    ids = {label: int(found.group(1)) for label in labels if (found := EMPLOYEE_LABEL.search(label))}
    if not ids:
        return {}
    async with db.session() as session:
        names = dict(
            (
                await session.execute(select(Employee.id, Employee.full_name).where(Employee.id.in_(set(ids.values()))))
            ).all()
        )
    return {label: names[i] for label, i in ids.items() if i in names}


@router.post("/attendance/{employee_id}/{date}/override")
async def override(
    employee_id: IdPath,
    day: Annotated[date, Path(alias="date")],
    caller: Caller,
    db: DatabaseDep,
    now: NowDep,
    status: Annotated[AttendanceStatus, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """HR sets the day by hand; the service refuses without a reason, and on one's own day."""
    async with db.transaction() as session:
        await override_day(session, actor=caller.actor, employee_id=employee_id, day=day, status=status,
                           reason=reason, now=now)  # fmt: skip
    return RedirectResponse(
        f"/console/attendance/{employee_id}?month={day:%Y-%m}#day-{day.isoformat()}", status_code=303
    )
