"""The company's structure: departments, offices, shifts, leave types, holiday calendars and employees.

Every write checks its rules, changes the rows and writes one audit row in the caller's transaction.
Updates take a mapping of the fields to change (``None`` clears an optional field); the merged record
is checked as a whole, so a PATCH that would break a cross-field rule is refused like a create would be.
Problems are raised as ``Invalid`` (with ``details={"field": ...}``), ``NotFound`` or ``Conflict``.
"""

from __future__ import annotations

import csv
import functools
import re
import zoneinfo
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

import holidays as holidays_lib
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import SUPPORTED_LOCALES
from shared.domain.enums import Accrual, HoursMode, Role
from shared.errors import N_, NP_, Conflict, Invalid, NotFound
from shared.model import (
    DailyAttendance,
    Department,
    Employee,
    Holiday,
    HolidayCalendar,
    LeaveBlackout,
    LeaveLedgerEntry,
    LeaveRequest,
    LeaveType,
    Office,
    Shift,
)
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.employee_import import ImportReport, import_employees
from shared.services.holidays import HolidayImport, import_holidays
from shared.services.pagination import Page, paginate

M = TypeVar("M")
E = TypeVar("E", bound=StrEnum)
Values = Mapping[str, Any]

CODE_PATTERN = r"^[A-Za-z0-9_.\-]{1,32}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9 ()\-]{5,20}$"
WORK_WEEK_PATTERN = r"^[1-7]{1,7}$"
MAX_IMPORT_BYTES = 5 * 1024 * 1024

DEPARTMENT_FIELDS = frozenset({"name", "parent_id", "head_id", "max_absent_share"})
OFFICE_FIELDS = frozenset({"name", "timezone", "latitude", "longitude", "radius_m"})
SHIFT_FIELDS = frozenset(
    {
        "name",
        "start_time",
        "end_time",
        "late_grace_minutes",
        "early_grace_minutes",
        "half_day_hours",
        "absent_hours",
        "checkin_before_minutes",
        "checkout_after_minutes",
        "hours_mode",
    }
)
LEAVE_TYPE_FIELDS = frozenset(
    {
        "code",
        "name",
        "paid",
        "yearly_allowance",
        "accrual",
        "accrual_rounding",
        "carry_over_cap",
        "carry_over_expiry_months",
        "min_notice_days",
        "max_consecutive_days",
        "half_days_allowed",
        "negative_allowed",
        "approval_required",
        "attachment_required",
        "backdate_days",
        "active",
    }
)
CALENDAR_FIELDS = frozenset({"name", "country", "subdivision"})
HOLIDAY_FIELDS = frozenset({"date", "name"})
EMPLOYEE_FIELDS = frozenset(
    {
        "code",
        "full_name",
        "email",
        "phone",
        "department_id",
        "manager_id",
        "role",
        "locale",
        "timezone",
        "shift_id",
        "office_id",
        "holiday_calendar_id",
        "work_week",
        "hire_date",
        "device_user_id",
    }
)


# ---------------------------------------------------------------- shared checks


def _invalid(message: str, field: str, /, **params: Any) -> Invalid:
    return Invalid(message, details={"field": field}, **params)


def _only(values: Values, allowed: frozenset[str]) -> dict[str, Any]:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise _invalid(N_("Field {field} cannot be set here."), unknown[0], field=unknown[0])
    return dict(values)


def _apply(row: Any, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        setattr(row, key, value)


async def _get(session: AsyncSession, model: type[M], row_id: int, message: str) -> M:
    row = await session.get(model, row_id)
    if row is None:
        raise NotFound(message, id=row_id)
    return row


def _text(row: Any, field: str, *, max_length: int, required: bool = True) -> None:
    value = getattr(row, field)
    if value is None:
        if required:
            raise _invalid(N_("{field} is required."), field, field=field)
        return
    value = str(value).strip()
    if not value and required:
        raise _invalid(N_("{field} is required."), field, field=field)
    setattr(row, field, value or None)
    if len(value) > max_length or "\x00" in value:
        raise _invalid(N_("{field} must be at most {n} characters."), field, field=field, n=max_length)


def _number(row: Any, field: str, *, low: float | None = None, high: float | None = None) -> None:
    value = getattr(row, field)
    if value is None:
        return
    if value != value or (low is not None and value < low) or (high is not None and value > high):
        raise _invalid(
            N_("{field} must be between {low} and {high}."),
            field,
            field=field,
            low="-∞" if low is None else low,
            high="∞" if high is None else high,
        )


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA zone of this system (checked against the list, never opened as a path)."""
    return name in _zones()


def _timezone(row: Any, field: str = "timezone") -> None:
    value = getattr(row, field)
    if value is not None and not is_timezone(value):
        raise _invalid(
            N_("{value} is not an IANA time zone; use a name such as Europe/Berlin."), field, value=str(value)[:64]
        )


def _enum(row: Any, field: str, kind: type[E]) -> None:
    try:
        setattr(row, field, kind(getattr(row, field)))
    except ValueError:
        raise _invalid(
            N_("{field} must be one of {allowed}."), field, field=field, allowed=", ".join(m.value for m in kind)
        ) from None


async def _unique(
    session: AsyncSession, column: Any, candidate: Any, /, *, row_id: int | None, message: str, **params: Any
) -> None:
    """Refuse a duplicate (compared case-insensitively, like the importer matches names and codes)."""
    statement = select(column.class_.id).where(func.lower(column) == str(candidate).lower())
    if row_id is not None:
        statement = statement.where(column.class_.id != row_id)
    if await session.scalar(statement.limit(1)) is not None:
        raise Conflict(message, details={"field": column.key}, **params)


async def _exists(session: AsyncSession, model: type[Any], row_id: int | None, field: str, message: str) -> None:
    if row_id is not None and (await session.get(model, row_id)) is None:
        raise _invalid(message, field, id=row_id)


async def _refuse_if_used(session: AsyncSession, uses: list[tuple[Any, tuple[str, str]]], row_id: int) -> None:
    """Refuse to delete a row that others still point at; each use names its own (plural) message."""
    for column, message in uses:
        count = await session.scalar(select(func.count()).where(column == row_id))
        if count:
            raise Conflict(message, n=int(count), id=row_id)


def _changed(session: AsyncSession, actor: Actor, entity: str, row: Any, before: dict[str, Any]) -> None:
    after = snapshot(row)
    if {k: v for k, v in before.items() if k != "updated_at"} != {k: v for k, v in after.items() if k != "updated_at"}:
        audit(session, actor, "update", entity, row.id, old=before, new=after)


async def _created(session: AsyncSession, actor: Actor, entity: str, row: Any) -> None:
    session.add(row)
    await session.flush()
    audit(session, actor, "create", entity, row.id, new=snapshot(row))


async def _deleted(session: AsyncSession, actor: Actor, entity: str, row: Any) -> None:
    audit(session, actor, "delete", entity, row.id, old=snapshot(row))
    await session.delete(row)
    await session.flush()


async def _list(session: AsyncSession, statement: Select[Any], *, limit: int, offset: int) -> Page[Any]:
    return await paginate(session, statement, limit=limit, offset=offset)


# ---------------------------------------------------------------- departments

DEPARTMENT_MISSING = N_("Department {id} does not exist.")


async def get_department(session: AsyncSession, *, department_id: int) -> Department:
    return await _get(session, Department, department_id, DEPARTMENT_MISSING)


async def list_departments(session: AsyncSession, *, limit: int, offset: int) -> Page[Department]:
    return await _list(session, select(Department).order_by(Department.id), limit=limit, offset=offset)


async def _check_department(session: AsyncSession, dept: Department) -> None:
    _text(dept, "name", max_length=120)
    _number(dept, "max_absent_share", low=0, high=1)
    await _unique(
        session,
        Department.name,
        dept.name,
        row_id=dept.id,
        message=N_("A department named {name} already exists."),
        name=dept.name,
    )
    await _exists(session, Employee, dept.head_id, "head_id", N_("Employee {id} does not exist."))
    seen = {dept.id}
    parent_id = dept.parent_id
    while parent_id is not None:
        if parent_id in seen:
            raise _invalid(
                N_("Department {name} cannot sit under itself or one of its own sub-departments."),
                "parent_id",
                name=dept.name,
            )
        seen.add(parent_id)
        parent = await session.get(Department, parent_id)
        if parent is None:
            raise _invalid(DEPARTMENT_MISSING, "parent_id", id=parent_id)
        parent_id = parent.parent_id


async def create_department(session: AsyncSession, *, actor: Actor, values: Values) -> Department:
    dept = Department(**_only(values, DEPARTMENT_FIELDS))
    await _check_department(session, dept)
    await _created(session, actor, "department", dept)
    return dept


async def update_department(session: AsyncSession, *, actor: Actor, department_id: int, values: Values) -> Department:
    dept = await get_department(session, department_id=department_id)
    before = snapshot(dept)
    _apply(dept, _only(values, DEPARTMENT_FIELDS))
    await _check_department(session, dept)
    _changed(session, actor, "department", dept, before)
    await session.flush()
    return dept


async def delete_department(session: AsyncSession, *, actor: Actor, department_id: int) -> None:
    dept = await get_department(session, department_id=department_id)
    await _refuse_if_used(
        session,
        [
            (
                Employee.department_id,
                NP_(
                    "Department {id} still has {n} employee; move them to another department first.",
                    "Department {id} still has {n} employees; move them to another department first.",
                ),
            ),
            (
                Department.parent_id,
                NP_(
                    "Department {id} still has {n} sub-department; move or delete it first.",
                    "Department {id} still has {n} sub-departments; move or delete them first.",
                ),
            ),
            (
                LeaveBlackout.department_id,
                NP_(
                    "Department {id} still has {n} leave blackout; delete it first.",
                    "Department {id} still has {n} leave blackouts; delete them first.",
                ),
            ),
        ],
        department_id,
    )
    await _deleted(session, actor, "department", dept)


# ---------------------------------------------------------------- offices

OFFICE_MISSING = N_("Office {id} does not exist.")


async def get_office(session: AsyncSession, *, office_id: int) -> Office:
    return await _get(session, Office, office_id, OFFICE_MISSING)


async def list_offices(session: AsyncSession, *, limit: int, offset: int) -> Page[Office]:
    return await _list(session, select(Office).order_by(Office.id), limit=limit, offset=offset)


async def _check_office(session: AsyncSession, office: Office) -> None:
    _text(office, "name", max_length=120)
    _timezone(office)
    _number(office, "latitude", low=-90, high=90)
    _number(office, "longitude", low=-180, high=180)
    _number(office, "radius_m", low=1, high=100_000)
    geofence = (office.latitude, office.longitude, office.radius_m)
    if any(v is not None for v in geofence) and any(v is None for v in geofence):
        missing = next(f for f, v in zip(("latitude", "longitude", "radius_m"), geofence, strict=True) if v is None)
        raise _invalid(
            N_("A geofence needs latitude, longitude and radius_m together; set all three or none."), missing
        )
    await _unique(
        session,
        Office.name,
        office.name,
        row_id=office.id,
        message=N_("An office named {name} already exists."),
        name=office.name,
    )


async def create_office(session: AsyncSession, *, actor: Actor, values: Values) -> Office:
    office = Office(**_only(values, OFFICE_FIELDS))
    await _check_office(session, office)
    await _created(session, actor, "office", office)
    return office


async def update_office(session: AsyncSession, *, actor: Actor, office_id: int, values: Values) -> Office:
    office = await get_office(session, office_id=office_id)
    before = snapshot(office)
    _apply(office, _only(values, OFFICE_FIELDS))
    await _check_office(session, office)
    _changed(session, actor, "office", office, before)
    await session.flush()
    return office


async def delete_office(session: AsyncSession, *, actor: Actor, office_id: int) -> None:
    office = await get_office(session, office_id=office_id)
    await _refuse_if_used(
        session,
        [
            (
                Employee.office_id,
                NP_(
                    "Office {id} still has {n} employee; move them to another office first.",
                    "Office {id} still has {n} employees; move them to another office first.",
                ),
            )
        ],
        office_id,
    )
    await _deleted(session, actor, "office", office)


# ---------------------------------------------------------------- shifts

SHIFT_MISSING = N_("Shift {id} does not exist.")


async def get_shift(session: AsyncSession, *, shift_id: int) -> Shift:
    return await _get(session, Shift, shift_id, SHIFT_MISSING)


async def list_shifts(session: AsyncSession, *, limit: int, offset: int) -> Page[Shift]:
    return await _list(session, select(Shift).order_by(Shift.id), limit=limit, offset=offset)


async def _check_shift(session: AsyncSession, shift: Shift) -> None:
    _text(shift, "name", max_length=80)
    for field in ("start_time", "end_time"):
        value = getattr(shift, field)
        if value is None:
            raise _invalid(N_("{field} is required."), field, field=field)
        if value.tzinfo is not None:
            setattr(shift, field, value.replace(tzinfo=None))
    if shift.start_time == shift.end_time:
        raise _invalid(N_("A shift must end at another time than it starts."), "end_time")
    for field in ("late_grace_minutes", "early_grace_minutes", "checkin_before_minutes", "checkout_after_minutes"):
        _number(shift, field, low=0, high=720)
    _number(shift, "half_day_hours", low=0, high=24)
    _number(shift, "absent_hours", low=0, high=24)
    if Decimal(shift.half_day_hours) <= Decimal(shift.absent_hours):
        raise _invalid(
            N_("half_day_hours must be more than absent_hours: fewer hours than absent_hours count as absent."),
            "half_day_hours",
        )
    _enum(shift, "hours_mode", HoursMode)
    await _unique(
        session,
        Shift.name,
        shift.name,
        row_id=shift.id,
        message=N_("A shift named {name} already exists."),
        name=shift.name,
    )


def _shift_defaults(values: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "late_grace_minutes": 0,
        "early_grace_minutes": 0,
        "half_day_hours": Decimal("4"),
        "absent_hours": Decimal("1"),
        "checkin_before_minutes": 120,
        "checkout_after_minutes": 240,
        "hours_mode": HoursMode.FIRST_LAST,
    }
    return defaults | {k: v for k, v in values.items() if v is not None or k not in defaults}


async def create_shift(session: AsyncSession, *, actor: Actor, values: Values) -> Shift:
    shift = Shift(**_shift_defaults(_only(values, SHIFT_FIELDS)))
    await _check_shift(session, shift)
    await _created(session, actor, "shift", shift)
    return shift


async def update_shift(session: AsyncSession, *, actor: Actor, shift_id: int, values: Values) -> Shift:
    shift = await get_shift(session, shift_id=shift_id)
    before = snapshot(shift)
    _apply(shift, _only(values, SHIFT_FIELDS))
    await _check_shift(session, shift)
    _changed(session, actor, "shift", shift, before)
    await session.flush()
    return shift


async def delete_shift(session: AsyncSession, *, actor: Actor, shift_id: int) -> None:
    shift = await get_shift(session, shift_id=shift_id)
    await _refuse_if_used(
        session,
        [
            (
                Employee.shift_id,
                NP_(
                    "Shift {id} is still assigned to {n} employee; give them another shift first.",
                    "Shift {id} is still assigned to {n} employees; give them another shift first.",
                ),
            ),
            (
                DailyAttendance.shift_id,
                NP_(
                    "Shift {id} is recorded on {n} attendance day; keep it for history (rename it instead).",
                    "Shift {id} is recorded on {n} attendance days; keep it for history (rename it instead).",
                ),
            ),
        ],
        shift_id,
    )
    await _deleted(session, actor, "shift", shift)


# ---------------------------------------------------------------- leave types

LEAVE_TYPE_MISSING = N_("Leave type {id} does not exist.")


async def get_leave_type(session: AsyncSession, *, leave_type_id: int) -> LeaveType:
    return await _get(session, LeaveType, leave_type_id, LEAVE_TYPE_MISSING)


async def list_leave_types(
    session: AsyncSession, *, limit: int, offset: int, active: bool | None = None
) -> Page[LeaveType]:
    statement = select(LeaveType).order_by(LeaveType.id)
    if active is not None:
        statement = statement.where(LeaveType.active.is_(active))
    return await _list(session, statement, limit=limit, offset=offset)


async def _check_leave_type(session: AsyncSession, kind: LeaveType) -> None:
    _text(kind, "code", max_length=32)
    if not re.match(CODE_PATTERN, kind.code):
        raise _invalid(N_("A code may only use letters, digits, '-', '_' and '.'."), "code")
    _text(kind, "name", max_length=120)
    _enum(kind, "accrual", Accrual)
    _number(kind, "yearly_allowance", low=0, high=366)
    _number(kind, "accrual_rounding", low=0, high=1)
    _number(kind, "carry_over_cap", low=0, high=366)
    _number(kind, "carry_over_expiry_months", low=0, high=120)
    _number(kind, "min_notice_days", low=0, high=365)
    _number(kind, "max_consecutive_days", low=1, high=366)
    _number(kind, "backdate_days", low=0, high=365)
    await _unique(
        session,
        LeaveType.code,
        kind.code,
        row_id=kind.id,
        message=N_("A leave type with code {code} already exists."),
        code=kind.code,
    )


async def create_leave_type(session: AsyncSession, *, actor: Actor, values: Values) -> LeaveType:
    values = _only(values, LEAVE_TYPE_FIELDS)
    kind = LeaveType(
        paid=True,
        yearly_allowance=Decimal(0),
        accrual=Accrual.YEARLY,
        accrual_rounding=Decimal("0.5"),
        min_notice_days=0,
        half_days_allowed=True,
        negative_allowed=False,
        approval_required=True,
        attachment_required=False,
        backdate_days=0,
        active=True,
    )
    _apply(kind, values)
    await _check_leave_type(session, kind)
    await _created(session, actor, "leave_type", kind)
    return kind


async def update_leave_type(session: AsyncSession, *, actor: Actor, leave_type_id: int, values: Values) -> LeaveType:
    kind = await get_leave_type(session, leave_type_id=leave_type_id)
    before = snapshot(kind)
    _apply(kind, _only(values, LEAVE_TYPE_FIELDS))
    await _check_leave_type(session, kind)
    _changed(session, actor, "leave_type", kind, before)
    await session.flush()
    return kind


async def delete_leave_type(session: AsyncSession, *, actor: Actor, leave_type_id: int) -> bool:
    """Delete an unused leave type; one that requests or balances name is deactivated instead.

    Returns True when the row was deleted, False when it was kept and deactivated.
    """
    kind = await get_leave_type(session, leave_type_id=leave_type_id)
    used = 0
    for column in (LeaveRequest.leave_type_id, LeaveLedgerEntry.leave_type_id):
        used += await session.scalar(select(func.count()).where(column == leave_type_id)) or 0
    if not used:
        await _deleted(session, actor, "leave_type", kind)
        return True
    if kind.active:
        kind.active = False
        audit(session, actor, "deactivate", "leave_type", kind.id, old={"active": True}, new={"active": False})
        await session.flush()
    return False


# ---------------------------------------------------------------- holiday calendars and holidays

CALENDAR_MISSING = N_("Holiday calendar {id} does not exist.")
HOLIDAY_MISSING = N_("Holiday {id} does not exist.")


async def get_calendar(session: AsyncSession, *, calendar_id: int) -> HolidayCalendar:
    return await _get(session, HolidayCalendar, calendar_id, CALENDAR_MISSING)


async def list_calendars(session: AsyncSession, *, limit: int, offset: int) -> Page[HolidayCalendar]:
    return await _list(session, select(HolidayCalendar).order_by(HolidayCalendar.id), limit=limit, offset=offset)


@functools.cache
def _countries() -> dict[str, list[str]]:
    return dict(holidays_lib.list_supported_countries())


async def _check_calendar(session: AsyncSession, calendar: HolidayCalendar) -> None:
    _text(calendar, "name", max_length=120)
    if calendar.country is not None:
        calendar.country = calendar.country.strip().upper() or None
    if calendar.country is not None and calendar.country not in _countries():
        raise _invalid(
            N_("Country {country} is not known to the holidays calendar."), "country", country=calendar.country[:8]
        )
    if calendar.subdivision is not None:
        calendar.subdivision = calendar.subdivision.strip() or None
    if calendar.subdivision is not None:
        if calendar.country is None:
            raise _invalid(N_("A subdivision needs a country."), "subdivision")
        if calendar.subdivision not in _countries()[calendar.country]:
            raise _invalid(
                N_("Subdivision {subdivision} is not known for {country}."),
                "subdivision",
                subdivision=calendar.subdivision[:16],
                country=calendar.country,
            )
    await _unique(
        session,
        HolidayCalendar.name,
        calendar.name,
        row_id=calendar.id,
        message=N_("A holiday calendar named {name} already exists."),
        name=calendar.name,
    )


async def create_calendar(session: AsyncSession, *, actor: Actor, values: Values) -> HolidayCalendar:
    calendar = HolidayCalendar(**_only(values, CALENDAR_FIELDS))
    await _check_calendar(session, calendar)
    await _created(session, actor, "holiday_calendar", calendar)
    return calendar


async def update_calendar(session: AsyncSession, *, actor: Actor, calendar_id: int, values: Values) -> HolidayCalendar:
    calendar = await get_calendar(session, calendar_id=calendar_id)
    before = snapshot(calendar)
    _apply(calendar, _only(values, CALENDAR_FIELDS))
    await _check_calendar(session, calendar)
    _changed(session, actor, "holiday_calendar", calendar, before)
    await session.flush()
    return calendar


async def delete_calendar(session: AsyncSession, *, actor: Actor, calendar_id: int) -> None:
    """Delete a calendar and its holidays; refused while employees follow it."""
    calendar = await get_calendar(session, calendar_id=calendar_id)
    await _refuse_if_used(
        session,
        [
            (
                Employee.holiday_calendar_id,
                NP_(
                    "Holiday calendar {id} is still followed by {n} employee; give them another calendar first.",
                    "Holiday calendar {id} is still followed by {n} employees; give them another calendar first.",
                ),
            )
        ],
        calendar_id,
    )
    await _deleted(session, actor, "holiday_calendar", calendar)


async def import_calendar_holidays(
    session: AsyncSession, *, actor: Actor, calendar_id: int, year: int, country: str | None, subdivision: str | None
) -> HolidayImport:
    return await import_holidays(
        session, calendar_id=calendar_id, year=year, actor=actor, country=country, subdivision=subdivision
    )


async def list_holidays(
    session: AsyncSession,
    *,
    calendar_id: int,
    limit: int,
    offset: int,
    year: int | None = None,
) -> Page[Holiday]:
    await get_calendar(session, calendar_id=calendar_id)
    statement = select(Holiday).where(Holiday.calendar_id == calendar_id).order_by(Holiday.date, Holiday.id)
    if year is not None:
        statement = statement.where(Holiday.date >= date(year, 1, 1), Holiday.date <= date(year, 12, 31))
    return await _list(session, statement, limit=limit, offset=offset)


async def get_holiday(session: AsyncSession, *, calendar_id: int, holiday_id: int) -> Holiday:
    holiday = await _get(session, Holiday, holiday_id, HOLIDAY_MISSING)
    if holiday.calendar_id != calendar_id:
        raise NotFound(HOLIDAY_MISSING, id=holiday_id)
    return holiday


async def _check_holiday(session: AsyncSession, holiday: Holiday) -> None:
    _text(holiday, "name", max_length=200)
    if holiday.date is None:
        raise _invalid(N_("{field} is required."), "date", field="date")
    taken = await session.scalar(
        select(Holiday.id).where(
            Holiday.calendar_id == holiday.calendar_id, Holiday.date == holiday.date, Holiday.id != (holiday.id or 0)
        )
    )
    if taken is not None:
        raise Conflict(
            N_("This calendar already has a holiday on {date}."),
            details={"field": "date"},
            date=holiday.date.isoformat(),
        )


async def create_holiday(session: AsyncSession, *, actor: Actor, calendar_id: int, values: Values) -> Holiday:
    await get_calendar(session, calendar_id=calendar_id)
    holiday = Holiday(calendar_id=calendar_id, **_only(values, HOLIDAY_FIELDS))
    await _check_holiday(session, holiday)
    await _created(session, actor, "holiday", holiday)
    return holiday


async def update_holiday(
    session: AsyncSession, *, actor: Actor, calendar_id: int, holiday_id: int, values: Values
) -> Holiday:
    holiday = await get_holiday(session, calendar_id=calendar_id, holiday_id=holiday_id)
    before = snapshot(holiday)
    _apply(holiday, _only(values, HOLIDAY_FIELDS))
    await _check_holiday(session, holiday)
    _changed(session, actor, "holiday", holiday, before)
    await session.flush()
    return holiday


async def delete_holiday(session: AsyncSession, *, actor: Actor, calendar_id: int, holiday_id: int) -> None:
    holiday = await get_holiday(session, calendar_id=calendar_id, holiday_id=holiday_id)
    await _deleted(session, actor, "holiday", holiday)


# ---------------------------------------------------------------- employees

EMPLOYEE_MISSING = N_("Employee {id} does not exist.")


async def get_employee(session: AsyncSession, *, employee_id: int) -> Employee:
    return await _get(session, Employee, employee_id, EMPLOYEE_MISSING)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_employees(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    department_id: int | None = None,
    role: Role | None = None,
    active: bool | None = None,
    search: str | None = None,
    ids: set[int] | None = None,
) -> Page[Employee]:
    """Employees by id; ``search`` matches code, name or e-mail (case-insensitive substring)."""
    statement = select(Employee).order_by(Employee.id)
    if department_id is not None:
        statement = statement.where(Employee.department_id == department_id)
    if role is not None:
        statement = statement.where(Employee.role == Role(role))
    if active is not None:
        statement = statement.where(Employee.active.is_(active))
    if search and search.strip():
        pattern = _like(search.strip().lower())
        statement = statement.where(
            or_(
                func.lower(Employee.code).like(pattern, escape="\\"),
                func.lower(Employee.full_name).like(pattern, escape="\\"),
                func.lower(Employee.email).like(pattern, escape="\\"),
            )
        )
    if ids is not None:
        statement = statement.where(Employee.id.in_(sorted(ids)))
    return await _list(session, statement, limit=limit, offset=offset)


async def _check_employee(session: AsyncSession, employee: Employee) -> None:
    _text(employee, "code", max_length=32)
    if not re.match(CODE_PATTERN, employee.code):
        raise _invalid(N_("A code may only use letters, digits, '-', '_' and '.'."), "code")
    _text(employee, "full_name", max_length=200)
    for field, pattern, length in (("email", EMAIL_PATTERN, 254), ("phone", PHONE_PATTERN, 32)):
        _text(employee, field, max_length=length, required=False)
        value = getattr(employee, field)
        if value is not None and not re.match(pattern, value):
            raise _invalid(N_("{field} {value} is not valid."), field, field=field, value=value)
    _text(employee, "device_user_id", max_length=32, required=False)
    _enum(employee, "role", Role)
    if employee.locale is not None and employee.locale not in SUPPORTED_LOCALES:
        raise _invalid(
            N_("Locale {value} is not supported; use one of {allowed}."),
            "locale",
            value=str(employee.locale)[:8],
            allowed=", ".join(SUPPORTED_LOCALES),
        )
    _timezone(employee)
    if (
        not employee.work_week
        or not re.match(WORK_WEEK_PATTERN, employee.work_week)
        or len(set(employee.work_week)) != len(employee.work_week)
    ):
        raise _invalid(
            N_("work_week lists the ISO weekdays worked once each, Monday=1 to Sunday=7, e.g. 12345."), "work_week"
        )
    employee.work_week = "".join(sorted(employee.work_week))
    await _unique(
        session,
        Employee.code,
        employee.code,
        row_id=employee.id,
        message=N_("An employee with code {code} already exists."),
        code=employee.code,
    )
    if employee.device_user_id is not None:
        await _unique(
            session,
            Employee.device_user_id,
            employee.device_user_id,
            row_id=employee.id,
            message=N_("Device user id {value} already belongs to another employee."),
            value=employee.device_user_id,
        )
    await _exists(session, Department, employee.department_id, "department_id", DEPARTMENT_MISSING)
    await _exists(session, Shift, employee.shift_id, "shift_id", SHIFT_MISSING)
    await _exists(session, Office, employee.office_id, "office_id", OFFICE_MISSING)
    await _exists(session, HolidayCalendar, employee.holiday_calendar_id, "holiday_calendar_id", CALENDAR_MISSING)
    await _check_manager_chain(session, employee)


async def _check_manager_chain(session: AsyncSession, employee: Employee) -> None:
    seen = {employee.id} if employee.id is not None else set()
    manager_id = employee.manager_id
    while manager_id is not None:
        if manager_id in seen:
            raise _invalid(
                N_("The manager chain of {code} would loop back to itself; choose another manager."),
                "manager_id",
                code=employee.code,
            )
        seen.add(manager_id)
        manager = await session.get(Employee, manager_id)
        if manager is None:
            raise _invalid(EMPLOYEE_MISSING, "manager_id", id=manager_id)
        manager_id = manager.manager_id


async def create_employee(session: AsyncSession, *, actor: Actor, values: Values) -> Employee:
    values = _only(values, EMPLOYEE_FIELDS)
    employee = Employee(role=Role.EMPLOYEE, work_week="12345", active=True)
    _apply(employee, {k: v for k, v in values.items() if v is not None or k not in {"role", "work_week"}})
    await _check_employee(session, employee)
    await _created(session, actor, "employee", employee)
    return employee


async def update_employee(session: AsyncSession, *, actor: Actor, employee_id: int, values: Values) -> Employee:
    employee = await get_employee(session, employee_id=employee_id)
    before = snapshot(employee)
    _apply(employee, _only(values, EMPLOYEE_FIELDS))
    await _check_employee(session, employee)
    _changed(session, actor, "employee", employee, before)
    await session.flush()
    return employee


async def set_employee_active(session: AsyncSession, *, actor: Actor, employee_id: int, active: bool) -> Employee:
    """Deactivate (or reactivate) an employee; nothing else about them changes. Idempotent."""
    employee = await get_employee(session, employee_id=employee_id)
    if employee.active != active:
        employee.active = active
        action = "reactivate" if active else "deactivate"
        audit(session, actor, action, "employee", employee.id, old={"active": not active}, new={"active": active})
        await session.flush()
    return employee


async def reports_to(session: AsyncSession, *, employee_id: int, manager_id: int) -> bool:
    """Whether ``employee_id`` is ``manager_id`` or reports to them directly or indirectly."""
    seen: set[int] = set()
    current: int | None = employee_id
    while current is not None and current not in seen:
        if current == manager_id:
            return True
        seen.add(current)
        current = await session.scalar(select(Employee.manager_id).where(Employee.id == current))
    return False


async def import_employees_csv(
    session: AsyncSession, *, actor: Actor, data: bytes, skip_invalid: bool = False
) -> ImportReport:
    """The CSV importer behind an upload: decode the bytes, then the same all-or-nothing import as the CLI."""
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(N_("The file is larger than {n} MB; split it into smaller files."), n=MAX_IMPORT_BYTES // 2**20)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(N_("The file is not UTF-8 text; save the CSV as UTF-8 and upload it again.")) from None
    if "\x00" in text:
        raise Invalid(N_("The file is not a CSV text file."))
    try:
        return await import_employees(session, text=text, actor=actor, skip_invalid=skip_invalid)
    except csv.Error as exc:
        raise Invalid(N_("The file could not be read as CSV: {reason}"), reason=str(exc)[:200]) from None
