"""Reports: the daily exception digest as JSON, and the monthly timesheet as XLSX or CSV."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.access import EmployeeAccessDep
from api.cache import DIGEST
from api.deps import DatabaseDep, IdQuery, NowDep, ReportCacheDep, SettingsDep
from api.errors import request_translator
from api.schemas.common import ERRORS, Day
from api.schemas.reports import (
    DigestGroupOut,
    DigestOut,
    DigestRowOut,
    DigestViolationOut,
    OfflineDeviceOut,
    OutTodayOut,
    UnknownBadgeOut,
)
from shared.domain.digest import Digest, DigestKind
from shared.domain.timesheet import parse_month
from shared.i18n import Translator
from shared.reports.compliance_render import excess_text, rule_label
from shared.reports.digest_render import kind_label
from shared.reports.timesheet import timesheet_export, timesheet_filename
from shared.services.attendance.processing import today_in
from shared.services.attendance.timesheet import load_timesheet
from shared.services.notify.digest import load_digest

router = APIRouter(prefix="/reports", tags=["reports"], responses=ERRORS)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def digest_out(t: Translator, digest: Digest, line: set[int] | None) -> DigestOut:
    """The digest as JSON; for a manager token (``line``), only their people and no device details.

    Rows are built without re-validation (they come from the domain, already typed): a digest of 10,000
    employees has thousands of rows.
    """
    labels = {kind: kind_label(t, kind) for kind in DigestKind}
    groups = []
    counts: Counter[DigestKind] = Counter(dict.fromkeys(DigestKind, 0))
    for group in digest.groups:
        rows = [r for r in group.rows if line is None or r.employee_id in line]
        if not rows:
            continue
        counts.update(r.kind for r in rows)
        groups.append(
            DigestGroupOut.model_construct(
                department=group.department_name,
                rows=[
                    DigestRowOut.model_construct(
                        kind=r.kind,
                        label=labels[r.kind],
                        employee_id=r.employee_id,
                        code=r.code,
                        full_name=r.full_name,
                        minutes=r.minutes,
                    )
                    for r in rows
                ],
            )
        )
    unknown = [UnknownBadgeOut.model_validate(u) for u in digest.unknown_users] if line is None else []
    offline = [OfflineDeviceOut.model_validate(d) for d in digest.offline_devices] if line is None else []
    dead = digest.dead_outbox if line is None else 0
    not_over = digest.not_over if line is None else len(digest.not_over_ids & line)
    counts[DigestKind.UNKNOWN_USER] = len(unknown)
    out = [
        OutTodayOut(
            employee_id=o.employee_id,
            code=o.code,
            full_name=o.full_name,
            department=o.department_name,
            leave_type=o.leave_type,
            leave_request_id=o.leave_request_id,
            return_date=o.return_date,
            half=o.half,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
        )
        for o in digest.who_is_out
        if line is None or o.employee_id in line
    ]
    violations = [
        DigestViolationOut(
            id=v.violation_id,
            employee_id=v.employee_id,
            code=v.code,
            full_name=v.full_name,
            department=v.department_name,
            rule=v.rule,
            label=rule_label(t, v.rule),
            period_start=v.period_start,
            period_end=v.period_end,
            excess=v.excess,
            excess_text=excess_text(t, v.rule, v.excess),
        )
        for v in digest.violations
        if line is None or v.employee_id in line
    ]
    return DigestOut(
        date=digest.date,
        today=digest.today,
        quiet=not (groups or unknown or offline or dead or out or not_over or violations),
        so_far=bool(not_over),
        not_over=not_over,
        exception_count=sum(counts.values()),
        counts=dict(counts),
        groups=groups,
        unknown_badges=unknown,
        offline_devices=offline,
        dead_outbox=dead,
        who_is_out=out,
        violations=violations,
    )


@router.get(
    "/exceptions",
    summary="The exception digest of a day (the HR digest as JSON)",
    description="Exceptions by department (absent, late, left early, missing check-in/out, half day), punches of "
    "unknown badges, offline devices, undeliverable messages, who is out today, and the open working-time "
    "violations whose period touches `date` (until HR acknowledges them). `date` defaults to "
    "yesterday in the company's zone. Manager tokens get their reporting line only, without device details. "
    "An answer is computed at most once a minute per date, language and reader (a dashboard may poll it).",
    response_model=DigestOut,
)
async def exceptions(
    request: Request,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    cache: ReportCacheDep,
    now: NowDep,
    day: Annotated[Day | None, Query(alias="date", description="Default: yesterday")] = None,
) -> Response:
    tz = settings.company_timezone
    today = today_in(tz, now)
    day = day or today - timedelta(days=1)
    t = request_translator(request)
    locale = getattr(t, "locale", "-")
    reader = f"manager-{access.principal.employee_id}" if access.limited else "all"

    async def build() -> str:
        line = await access.visible_ids()
        async with db.session() as session:
            digest = await load_digest(session, day=day, today=today, company_timezone=tz, now=now)
        return digest_out(t, digest, line).model_dump_json()  # type: ignore[arg-type]

    body = await cache.json(f"{DIGEST}{day}:{today}:{tz}:{locale}:{reader}", build)
    return Response(body, media_type="application/json")


@router.get(
    "/timesheet",
    summary="A month of attendance: one row per employee, one status code per day, totals",
    description="XLSX (a legend sheet, frozen header, column widths) or CSV (UTF-8 with a BOM, for Excel). "
    "Headers follow `Accept-Language`. Manager tokens get their reporting line only. A day that is not over "
    "is never absent: blank until the person is in, `P~` once they are; a month that has not begun is a 422.",
    response_class=Response,
    responses={200: {"content": {XLSX: {}, "text/csv": {}}, "description": "The file, as an attachment"}},
)
async def timesheet(
    request: Request,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    month: Annotated[str, Query(max_length=7, description="YYYY-MM, e.g. 2026-11")],
    file_format: Annotated[Literal["xlsx", "csv"], Query(alias="format")] = "xlsx",
    department_id: IdQuery = None,
) -> Response:
    year, number = parse_month(month)
    line = await access.visible_ids()
    async with db.session() as session:
        sheet = await load_timesheet(
            session,
            year=year,
            month=number,
            department_id=department_id,
            today=today_in(settings.company_timezone, now),
        )
    if line is not None:
        sheet.rows = [r for r in sheet.rows if r.employee_id in line]
    t = request_translator(request)
    body = await run_in_threadpool(timesheet_export, t, sheet, file_format)  # type: ignore[arg-type]
    return Response(
        body,
        media_type=XLSX if file_format == "xlsx" else CSV,
        headers={"Content-Disposition": f'attachment; filename="{timesheet_filename(sheet, file_format)}"'},
    )
