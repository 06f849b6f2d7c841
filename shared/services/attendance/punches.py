"""Recording a punch from Telegram, the API or HR: duplicates within 2 minutes are reported, not stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import false, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayContext, classify_day
from shared.domain.compliance import RestWarning
from shared.domain.enums import Direction, PunchSource
from shared.domain.punches import DUPLICATE_WINDOW, REMOTE_NOTE, PunchFact, distance_m
from shared.domain.shift_window import ShiftRule, shift_day_at
from shared.errors import N_, Forbidden, Invalid
from shared.model import Employee, Office, Punch, Shift
from shared.services.actor import Actor, ensure_not_self
from shared.services.attendance.processing import shift_rule, zone
from shared.services.attendance.refresh import refresh_days
from shared.services.audit import audit, snapshot
from shared.services.compliance.rest import rest_warning, warn_manager
from shared.services.lookups import get_employee
from shared.services.reference_cache import remembered


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
    rest_warning: RestWarning | None = None
    """A check-in too soon after the last check-out (the daily rest); the manager was told too."""

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
    ensure_not_self(actor, employee.id, N_("You cannot add punches for yourself by hand; ask another HR person."))
    if source is PunchSource.MANUAL and not (note and note.strip()):
        raise Invalid(N_("A manual punch needs a reason."))


@dataclass(frozen=True)
class PunchPlan:
    """A punch checked and placed before anything is read or written: who, when, which shift day and window."""

    employee: Employee
    instant: datetime
    note: str | None
    shift: ShiftRule | None
    tz: tzinfo
    day: date
    lower: datetime
    upper: datetime
    distance_m: int | None
    inside_geofence: bool | None

    @property
    def read_from(self) -> datetime:
        """The punches read: the shift day's window, widened to the duplicate window around the punch."""
        return min(self.lower, self.instant - DUPLICATE_WINDOW)

    @property
    def read_to(self) -> datetime:
        return max(self.upper, self.instant + DUPLICATE_WINDOW)


async def plan_punch(
    session: AsyncSession,
    *,
    actor: Actor,
    employee_id: int,
    instant: datetime,
    source: PunchSource,
    now: datetime,
    company_timezone: str,
    latitude: float | None = None,
    longitude: float | None = None,
    note: str | None = None,
    employee: Employee | None = None,
    remote: bool = False,
) -> PunchPlan:
    """Check the punch (who may, when, where) and place it on its shift day; reads only what the reference
    cache does not hold (the employee unless given, the shift, the office)."""
    employee = (
        employee if employee is not None and employee.id == employee_id else await get_employee(session, employee_id)
    )
    _authorise(actor, employee, source, note)
    if instant.tzinfo is None:
        raise Invalid(N_("The time of a punch needs a time zone."))
    if instant > now + timedelta(minutes=5):
        raise Invalid(N_("A punch cannot be in the future."))
    if not _valid_location(latitude, longitude):
        raise Invalid(N_("A location needs a valid latitude and longitude."))
    if remote:
        fence = await _fence(session, employee.office_id)
        if fence is not None and not fence.remote_allowed:
            raise Invalid(N_("Your office does not allow checking in without a location; please share it."))
        note = REMOTE_NOTE
    shift = await _shift(session, employee.shift_id)
    tz = zone(employee.timezone or company_timezone)
    day, lower, upper = shift_day_at(instant, shift, tz)
    distance, inside = await _geofence(session, employee, latitude, longitude)
    note = (note or "").strip()[:2000] or None
    return PunchPlan(employee, instant, note, shift, tz, day, lower, upper, distance, inside)


def nearby_and_previous(
    plan: PunchPlan, facts: list[PunchFact], earlier: PunchFact | None
) -> tuple[datetime | None, PunchFact | None]:
    """The punch this one would repeat (within 2 minutes), and the latest punch before it."""
    instant = plan.instant
    nearby = max((f.instant for f in facts if abs(f.instant - instant) < DUPLICATE_WINDOW), default=None)
    previous = max((f for f in facts if f.instant < instant), key=lambda f: f.instant, default=earlier)
    return nearby, previous


def new_punch(
    plan: PunchPlan, *, actor: Actor, direction: Direction, source: PunchSource, latitude: float | None,
    longitude: float | None,
) -> Punch:  # fmt: skip
    return Punch(
        employee_id=plan.employee.id,
        source=source,
        instant=plan.instant,
        direction=direction,
        latitude=latitude,
        longitude=longitude,
        distance_m=plan.distance_m,
        inside_geofence=plan.inside_geofence,
        note=plan.note,
        created_by=actor.label,
    )


def outcome_of(
    plan: PunchPlan, facts: list[PunchFact], punch: Punch | None, nearby: datetime | None,
    warning: RestWarning | None, *, now: datetime,
) -> PunchOutcome:  # fmt: skip
    """What the person is told: today's worked time so far (``facts`` include the new punch)."""
    today = [f for f in facts if plan.lower <= f.instant < plan.upper]
    employee = plan.employee
    context = DayContext(plan.day, employee.work_week or "12345", employee_id=employee.id)
    result = classify_day(context, today, plan.shift, plan.tz, now=now)
    return PunchOutcome(punch, nearby, plan.day, result.worked_minutes, result.first_in, plan.distance_m,
                        plan.inside_geofence, warning)  # fmt: skip


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
    employee: Employee | None = None,
    remote: bool = False,
) -> PunchOutcome:
    """Store a punch unless it repeats one within 2 minutes; say what was worked on its shift day so far.

    ``employee`` may be passed when the caller already loaded it (the bot does), saving a read. ``remote``:
    a bot punch without a location, allowed only where the office allows remote work; HR sees it in the digest.
    (The bot's own punches on PostgreSQL take a shorter way: ``telegram_punch``.)
    """
    plan = await plan_punch(
        session, actor=actor, employee_id=employee_id, instant=instant, source=source, now=now,
        company_timezone=company_timezone, latitude=latitude, longitude=longitude, note=note, employee=employee,
        remote=remote,
    )  # fmt: skip
    employee = plan.employee
    # One read serves the duplicate check, today's worked time and the rest before a check-in.
    facts, earlier = await _punches_around(session, employee.id, plan.read_from, plan.read_to)
    nearby, previous = nearby_and_previous(plan, facts, earlier)
    punch = None
    warning = None
    if nearby is None:
        punch = new_punch(plan, actor=actor, direction=direction, source=source, latitude=latitude,
                          longitude=longitude)  # fmt: skip
        session.add(punch)
        await session.flush()
        audit(session, actor, "create", "punch", punch.id, new=snapshot(punch))
        facts.append(PunchFact(instant, direction, source))
        if direction is Direction.IN and source is PunchSource.TELEGRAM:  # warned before it happens, not after
            warning = await rest_warning(session, employee=employee, check_in=instant, last=previous)
            if warning is not None:
                await warn_manager(session, employee=employee, warning=warning)
        if plan.day < now.astimezone(plan.tz).date():  # a correction of a past day: its row changes now, not tonight
            await refresh_days(
                session, employee_ids=[employee.id], date_from=plan.day, date_to=plan.day, now=now, actor=actor,
                why=f"punch:{punch.id}",
            )  # fmt: skip
    return outcome_of(plan, facts, punch, nearby, warning, now=now)


def _valid_location(latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None:
        return latitude is None and longitude is None
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


async def _geofence(
    session: AsyncSession, employee: Employee, latitude: float | None, longitude: float | None
) -> tuple[int | None, bool | None]:
    if latitude is None or longitude is None:
        return None, None
    fence = await _fence(session, employee.office_id)
    if fence is None:
        return None, None
    meters = distance_m(latitude, longitude, fence.latitude, fence.longitude)
    return round(meters), meters <= fence.radius_m


@dataclass(frozen=True)
class Geofence:
    office_id: int
    name: str
    latitude: float
    longitude: float
    radius_m: int
    remote_allowed: bool = False


async def _fence(session: AsyncSession, office_id: int | None) -> Geofence | None:
    if office_id is None:
        return None

    async def load() -> Geofence | None:
        office = await session.get(Office, office_id)
        if office and office.latitude is not None and office.longitude is not None and office.radius_m:
            return Geofence(office.id, office.name, office.latitude, office.longitude, office.radius_m,
                            office.remote_allowed)  # fmt: skip
        return None

    return await remembered("geofence", office_id, load)


async def office_geofence(session: AsyncSession, employee: Employee) -> Geofence | None:
    """The employee's office geofence, if it has one (the bot then asks for a location)."""
    return await _fence(session, employee.office_id)


async def _shift(session: AsyncSession, shift_id: int | None) -> ShiftRule | None:
    if shift_id is None:
        return None

    async def load() -> ShiftRule | None:
        row = await session.get(Shift, shift_id)
        return shift_rule(row) if row else None

    return await remembered("shift", shift_id, load)


async def _punches_around(
    session: AsyncSession, employee_id: int, lower: datetime, upper: datetime
) -> tuple[list[PunchFact], PunchFact | None]:
    """The punches in [lower, upper), and the latest one before ``lower`` (None: there is none); one round trip."""
    columns = (Punch.instant, Punch.direction, Punch.source)
    between = select(*columns, true().label("inside")).where(
        Punch.employee_id == employee_id, Punch.instant >= lower, Punch.instant < upper
    )
    before = (
        select(*columns, false().label("inside"))
        .where(Punch.employee_id == employee_id, Punch.instant < lower)
        .order_by(Punch.instant.desc())
        .limit(1)
    )
    rows = (await session.execute(union_all(between, before.subquery().select()))).all()
    facts = [PunchFact(i, d, s) for i, d, s, inside in rows if inside]
    earlier = next((PunchFact(i, d, s) for i, d, s, inside in rows if not inside), None)
    return facts, earlier
