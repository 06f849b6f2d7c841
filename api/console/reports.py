"""Reports: the exception digest of any past day (on the page and as XLSX) and the monthly timesheet as
XLSX or CSV, from the same services as the API's ``/reports`` and the bot's /digest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.access import EmployeeAccess, EmployeeAccessDep
from api.console.web import reader, render
from api.deps import DatabaseDep, NowDep, SettingsDep
from api.routes.reports import CSV, XLSX
from shared.config import Settings
from shared.domain.digest import Digest, digest_within
from shared.domain.timesheet import parse_month
from shared.persistence import Database
from shared.reports.digest_render import kind_label
from shared.reports.digest_xlsx import digest_filename, digest_xlsx
from shared.reports.timesheet import timesheet_export, timesheet_filename
from shared.services.attendance.processing import today_in
from shared.services.attendance.timesheet import load_timesheet
from shared.services.notify.digest import load_digest

router = APIRouter(prefix="/console", include_in_schema=False)


async def _digest(access: EmployeeAccess, db: Database, settings: Settings, now: datetime, day: date) -> Digest:
    tz = settings.company_timezone
    async with db.session() as session:
        digest = await load_digest(session, day=day, today=today_in(tz, now), company_timezone=tz, now=now)
    line = await access.visible_ids()
    return digest if line is None else digest_within(digest, line)


@router.get("/reports")
async def reports(
    request: Request,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> Response:
    today = today_in(settings.company_timezone, now)
    day = day or today - timedelta(days=1)
    digest = await _digest(access, db, settings, now, day)  # a future day is refused (422) by the service
    t = reader(request)
    return render(
        request, "reports.html", digest=digest, day=day, today=today, month=day.strftime("%Y-%m"),
        kind=lambda k: kind_label(t, k), tz=settings.company_timezone,
    )  # fmt: skip


@router.get("/reports/digest")
async def digest_download(
    request: Request, access: EmployeeAccessDep, db: DatabaseDep, settings: SettingsDep, now: NowDep,
    day: Annotated[date, Query(alias="date")],
) -> Response:  # fmt: skip
    digest = await _digest(access, db, settings, now, day)
    body = await run_in_threadpool(digest_xlsx, reader(request), digest, tz=settings.company_timezone)
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{digest_filename(digest)}"'})  # fmt: skip


@router.get("/reports/timesheet")
async def timesheet_download(
    request: Request, access: EmployeeAccessDep, db: DatabaseDep, settings: SettingsDep, now: NowDep,
    month: Annotated[str, Query(max_length=7)],
    file_format: Annotated[Literal["xlsx", "csv"], Query(alias="format")] = "xlsx",
) -> Response:  # fmt: skip
    year, number = parse_month(month)
    line = await access.visible_ids()
    async with db.session() as session:
        sheet = await load_timesheet(session, year=year, month=number, today=today_in(settings.company_timezone, now))
    if line is not None:
        sheet.rows = [r for r in sheet.rows if r.employee_id in line]
    body = await run_in_threadpool(timesheet_export, reader(request), sheet, file_format)
    return Response(
        body,
        media_type=XLSX if file_format == "xlsx" else CSV,
        headers={"Content-Disposition": f'attachment; filename="{timesheet_filename(sheet, file_format)}"'},
    )
