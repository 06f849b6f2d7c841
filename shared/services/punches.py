"""Recording a punch from Telegram, the API or HR: duplicates within 2 minutes are reported, not stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayContext, classify_day
from shared.domain.enums import Direction, PunchSource
from shared.domain.punches import DUPLICATE_WINDOW, PunchFact, distance_m
from shared.domain.shift_window import day_range
from shared.errors import N_, Forbidden, Invalid
from shared.model import Employee, Office, Punch, Shift
from shared.services.actor import Actor
from shared.services.attendance import shift_rule, zone
from shared.services.audit import audit, snapshot
from shared.services.leave_context import get_employee


@dataclass(frozen=True)
class PunchOutcome:
    """What happened: the stored punch, or the earlier punch it duplicates; geofence and today's work."""

    punch: Punch | None
    duplicate_of: datetime | None
    shift_day: date
    worked_minutes: int
    first_in: datetime | None
    distance_m: int | None = None
    inside_geofence: bool | None = None

    @property
    def stored(self) -> bool:
        return self.punch is not None


def _authorise(actor: Actor, employee: Employee, source: PunchSource, note: str | None) -> None:
    if source is PunchSource.TELEGRAM:
        if actor.employee_id != employee.id:
            raise Forbidden(N_("You can only check in and out for yourself."))
        if not employee.active:
            raise Forbidden(N_("{name} is deactivated."), name=employee.full_name)
        return
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can add punches for others."))
    if source is PunchSource.MANUAL and not (note and note.strip()):
        raise Invalid(N_("A manual punch needs a reason."))


async def record_punch(
    session: AsyncSession,
    *,
    actor: Actor,
    employee_id: int,
    direction: Direction,
    instant: datetime,
    source: PunchSource,
    now: datetime,
    company_timezone: str,
    latitude: float | None = None,
    longitude: float | None = None,
    note: str | None = None,
) -> PunchOutcome:
    employee = await get_employee(session, employee_id)
    _authorise(actor, employee, source, note)
    if instant.tzinfo is None:
        raise Invalid(N_("The time of a punch needs a time zone."))
    if instant > now + timedelta(minutes=5):
        raise Invalid(N_("A punch cannot be in the future."))
    if not _valid_location(latitude, longitude):
        raise Invalid(N_("A location needs a valid latitude and longitude."))
    nearby = await session.scalar(
        select(Punch.instant)
        .where(
            Punch.employee_id == employee.id,
            Punch.instant > instant - DUPLICATE_WINDOW,
            Punch.instant < instant + DUPLICATE_WINDOW,
        )
        .order_by(Punch.instant.desc())
        .limit(1)
    )
    distance, inside = await _geofence(session, employee, latitude, longitude)
    punch = None
    if nearby is None:
        punch = Punch(
            employee_id=employee.id,
            source=source,
            instant=instant,
            direction=direction,
            latitude=latitude,
            longitude=longitude,
            distance_m=distance,
            inside_geofence=inside,
            note=(note or "").strip()[:2000] or None,
            created_by=actor.label,
        )
        session.add(punch)
        await session.flush()
        audit(session, actor, "create", "punch", punch.id, new=snapshot(punch))
    day, worked, first_in = await _today(session, employee, instant, now, company_timezone)
    return PunchOutcome(punch, nearby, day, worked, first_in, distance, inside)


def _valid_location(latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None:
        return latitude is None and longitude is None
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


async def _geofence(
    session: AsyncSession, employee: Employee, latitude: float | None, longitude: float | None
) -> tuple[int | None, bool | None]:
    if employee.office_id is None or latitude is None or longitude is None:
        return None, None
    office = await session.get(Office, employee.office_id)
    if office is None or office.latitude is None or office.longitude is None or not office.radius_m:
        return None, None
    meters = distance_m(latitude, longitude, office.latitude, office.longitude)
    return round(meters), meters <= office.radius_m


async def office_geofence(session: AsyncSession, employee: Employee) -> Office | None:
    """The employee's office when it has a geofence (the bot then asks for a location)."""
    if employee.office_id is None:
        return None
    office = await session.get(Office, employee.office_id)
    if office and office.latitude is not None and office.longitude is not None and office.radius_m:
        return office
    return None


async def _today(
    session: AsyncSession, employee: Employee, instant: datetime, now: datetime, company_timezone: str
) -> tuple[date, int, datetime | None]:
    """The shift day ``instant`` belongs to and what has been worked on it so far."""
    shift_row = await session.get(Shift, employee.shift_id) if employee.shift_id else None
    shift = shift_rule(shift_row) if shift_row else None
    tz = zone(employee.timezone or company_timezone)
    local = instant.astimezone(tz).date()
    for day in (local, local - timedelta(days=1), local + timedelta(days=1)):
        lower, upper = day_range(day, shift, tz)
        if lower <= instant < upper:
            break
    else:
        day = local
        lower, upper = day_range(day, shift, tz)
    rows = await session.execute(
        select(Punch.instant, Punch.direction, Punch.source).where(
            Punch.employee_id == employee.id, Punch.instant >= lower, Punch.instant < upper
        )
    )
    facts = [PunchFact(i, d, s) for i, d, s in rows.all()]
    result = classify_day(
        DayContext(day, employee.work_week or "12345", employee_id=employee.id), facts, shift, tz, now=now
    )
    return day, result.worked_minutes, result.first_in
