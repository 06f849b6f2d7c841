"""Attendance: daily rows (derived), raw punches (facts), manual punches, overrides, processing runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from api.access import Caller, EmployeeAccessDep
from api.cache import DIGEST
from api.deps import (
    DatabaseDep,
    IdPath,
    IdQuery,
    NowDep,
    PageDep,
    ReportCacheDep,
    SettingsDep,
    check_date_order,
)
from api.schemas.attendance import (
    DailyOut,
    DayOverride,
    ProcessRequest,
    ProcessStatsOut,
    PunchCreate,
    PunchOut,
    PunchRecordedOut,
)
from api.schemas.common import ERRORS, Day, Page
from shared.domain.enums import AttendanceStatus, PunchSource
from shared.errors import N_, Conflict, Invalid, NotFound
from shared.services.attendance.overrides import clear_override, override_day
from shared.services.attendance.processing import local_bounds, process_days, zone
from shared.services.attendance.punches import record_punch
from shared.services.attendance.queries import list_daily, list_punches

router = APIRouter(prefix="/attendance", tags=["attendance"], responses=ERRORS)

MAX_RANGE_DAYS = 62


class DuplicatePunch(Conflict):
    code = "duplicate_punch"


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date


def _range(first: date, last: date, *, field: str = "date_to") -> DateRange:
    check_date_order(first, last, field=field)
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid(N_("Ask for at most {n} days at once."), n=MAX_RANGE_DAYS, details={"field": field})
    return DateRange(first, last)


async def required_range(
    day: Annotated[Day | None, Query(alias="date", description="One day (instead of date_from and date_to)")] = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
) -> DateRange:
    """``date=``, or both ``date_from`` and ``date_to`` (at most 62 days)."""
    if day is not None:
        if date_from is not None or date_to is not None:
            raise Invalid(N_("Give either date or date_from and date_to, not both."), details={"field": "date"})
        return DateRange(day, day)
    if date_from is None or date_to is None:
        missing = "date_to" if date_from else "date_from" if date_to else "date"
        raise Invalid(N_("Give date, or date_from and date_to."), details={"field": missing})
    return _range(date_from, date_to)


@router.get(
    "/daily",
    summary="Daily attendance rows, by date then employee",
    description="Give `date`, or `date_from` and `date_to` (at most 62 days). Manager tokens see their reporting line.",
)
async def get_daily(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    dates: Annotated[DateRange, Depends(required_range)],
    department_id: IdQuery = None,
    status: AttendanceStatus | None = None,
    employee_id: IdQuery = None,
) -> Page[DailyOut]:
    line = await access.visible_ids()
    async with db.read() as session:
        found = await list_daily(
            session,
            date_from=dates.first,
            date_to=dates.last,
            limit=page.limit,
            offset=page.offset,
            employee_ids=line,
            employee_id=employee_id,
            department_id=department_id,
            status=status,
        )
    return Page[DailyOut].of(found)


@router.get(
    "/punches",
    summary="Raw punches, newest first",
    description="`date_from`/`date_to` are days in the company's zone; `unmatched=true` lists punches whose "
    "device user id matches no employee. Manager tokens see their reporting line's punches.",
)
async def get_punches(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    settings: SettingsDep,
    employee_id: IdQuery = None,
    device_id: IdQuery = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    source: PunchSource | None = None,
    unmatched: bool | None = None,
) -> Page[PunchOut]:
    check_date_order(date_from, date_to)
    since = local_bounds(date_from, settings.company_timezone)[0] if date_from else None
    until = local_bounds(date_to, settings.company_timezone)[1] if date_to else None
    line = await access.visible_ids()
    async with db.session() as session:
        found = await list_punches(
            session,
            limit=page.limit,
            offset=page.offset,
            since=since,
            until=until,
            employee_ids=line,
            employee_id=employee_id,
            device_id=device_id,
            source=source,
            unmatched=unmatched,
        )
    return Page[PunchOut].of(found)


@router.post(
    "/punches",
    status_code=status.HTTP_201_CREATED,
    summary="Add a punch by hand, with a reason (HR)",
    description="409 (code duplicate_punch, details: the earlier punch's instant) when the employee already "
    "has a punch within 2 minutes: nothing is added.",
)
async def create_punch(
    body: PunchCreate, principal: Caller, db: DatabaseDep, settings: SettingsDep, cache: ReportCacheDep, now: NowDep
) -> PunchRecordedOut:
    async with db.transaction() as session:
        outcome = await record_punch(
            session,
            actor=principal.actor,
            employee_id=body.employee_id,
            direction=body.direction,
            instant=body.instant.astimezone(UTC),
            source=PunchSource(body.source),
            now=now,
            company_timezone=settings.company_timezone,
            latitude=body.latitude,
            longitude=body.longitude,
            note=body.reason,
        )
        if outcome.punch is not None:
            recorded = PunchRecordedOut(
                punch=PunchOut.model_validate(outcome.punch),
                shift_day=outcome.shift_day,
                worked_minutes=outcome.worked_minutes,
                first_in=outcome.first_in,
            )
    if outcome.punch is not None:
        await cache.forget(DIGEST)
        return recorded
    earlier = outcome.duplicate_of
    shown = earlier.astimezone(zone(settings.company_timezone)).isoformat(timespec="seconds") if earlier else ""
    raise DuplicatePunch(
        N_("This employee already has a punch at {time}, less than 2 minutes from this one; nothing was added."),
        time=shown,
        details={"problems": [{"field": "instant", "value": shown}]},
    )


@router.put(
    "/daily/{employee_id}/{date}",
    summary="Set an employee's day by hand, with a reason (HR); processing keeps it",
)
async def put_daily(
    employee_id: IdPath,
    day: Annotated[Day, Path(alias="date", description="The day to set, e.g. 2026-11-23")],
    body: DayOverride,
    principal: Caller,
    db: DatabaseDep,
    cache: ReportCacheDep,
    now: NowDep,
) -> DailyOut:
    async with db.transaction() as session:
        await override_day(
            session,
            actor=principal.actor,
            employee_id=employee_id,
            day=day,
            status=body.status,
            reason=body.reason,
            worked_minutes=body.worked_minutes,
            now=now,
        )
        found = await list_daily(session, date_from=day, date_to=day, employee_id=employee_id, limit=1, offset=0)
    await cache.forget(DIGEST)
    if not found.items:
        raise NotFound(N_("Employee {id} does not exist."), id=employee_id)
    return DailyOut.model_validate(found.items[0])


@router.delete(
    "/daily/{employee_id}/{date}/override",
    summary="Take back a day set by hand (HR): it is computed from the punches again at once",
)
async def delete_override(
    employee_id: IdPath,
    day: Annotated[Day, Path(alias="date", description="The day, e.g. 2026-11-23")],
    principal: Caller,
    db: DatabaseDep,
    settings: SettingsDep,
    cache: ReportCacheDep,
    now: NowDep,
) -> DailyOut:
    async with db.transaction() as session:
        await clear_override(
            session, actor=principal.actor, employee_id=employee_id, day=day, now=now,
            company_timezone=settings.company_timezone,
        )  # fmt: skip
        found = await list_daily(session, date_from=day, date_to=day, employee_id=employee_id, limit=1, offset=0)
    await cache.forget(DIGEST)
    if not found.items:  # the day is outside the employment: nothing is computed for it
        raise NotFound(N_("No attendance is kept for that day."))
    return DailyOut.model_validate(found.items[0])


@router.post(
    "/process",
    summary="Recompute daily attendance from punches, shifts, leave and holidays (HR)",
    description="At most 62 days at once (use `chronos attendance process` for more). Idempotent; days set by "
    "hand are kept. Answers what was done.",
)
async def process(
    body: ProcessRequest, principal: Caller, db: DatabaseDep, settings: SettingsDep, cache: ReportCacheDep, now: NowDep
) -> ProcessStatsOut:
    _range(body.date_from, body.date_to)
    async with db.transaction() as session:
        stats = await process_days(
            session,
            date_from=body.date_from,
            date_to=body.date_to,
            now=now,
            company_timezone=settings.company_timezone,
            employee_ids=body.employee_ids,
            actor=principal.actor,
        )
    await cache.forget(DIGEST)
    return ProcessStatsOut.model_validate(stats)
