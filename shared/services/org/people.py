"""Employees: create, change, (de)activate, list, the reporting line, and the CSV import behind an upload."""

from __future__ import annotations

import csv
import re
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import SUPPORTED_LOCALES
from shared.domain.enums import ChannelChoice, Role
from shared.errors import N_, Invalid
from shared.model import Department, Employee, HolidayCalendar, Office, Shift, utcnow
from shared.services.actor import Actor
from shared.services.attendance.badges import claim_badge_punches
from shared.services.audit import audit
from shared.services.crud import (
    Kind,
    Values,
    apply,
    check_chain,
    check_code,
    create_row,
    enum,
    exists,
    get_row,
    invalid,
    only,
    text,
    timezone,
    unique,
    update_row,
)
from shared.services.org.employment import ATTENDANCE_FIELDS, company_today, employment_changed
from shared.services.org.importer import ImportReport, import_employees
from shared.services.org.people_reads import EMPLOYEE_MISSING, employee_filter
from shared.services.org.schedules import CALENDAR_MISSING, SHIFT_MISSING
from shared.services.org.structure import DEPARTMENT_MISSING, OFFICE_MISSING
from shared.services.org.tokens import revoke_employee_tokens
from shared.services.pagination import Page, paginate_rows

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9 ()\-]{5,20}$"
WORK_WEEK_PATTERN = r"^[1-7]{1,7}$"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
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
        "leaving_date",
        "device_user_id",
        "notify_channels",
        "digest_email",
    }
)
DEFAULTED = frozenset({"role", "work_week", "notify_channels", "digest_email"})  # null: the default


async def _check_employee(session: AsyncSession, employee: Employee) -> None:
    await check_code(session, employee, N_("An employee with code {code} already exists."))
    text(employee, "full_name", max_length=200)
    for field, pattern, length in (("email", EMAIL_PATTERN, 254), ("phone", PHONE_PATTERN, 32)):
        text(employee, field, max_length=length, required=False)
        value = getattr(employee, field)
        if value is not None and not re.match(pattern, value):
            raise invalid(N_("{field} {value} is not valid."), field, field=field, value=value)
    text(employee, "device_user_id", max_length=32, required=False)
    enum(employee, "role", Role)
    if employee.notify_channels is None:
        employee.notify_channels = ChannelChoice.AUTO  # null: the default (as on create)
    enum(employee, "notify_channels", ChannelChoice)
    if employee.digest_email is None:
        employee.digest_email = True
    if not isinstance(employee.digest_email, bool):
        raise invalid(N_("{field} must be true or false."), "digest_email", field="digest_email")
    if employee.locale is not None and employee.locale not in SUPPORTED_LOCALES:
        raise invalid(
            N_("Locale {value} is not supported; use one of {allowed}."),
            "locale",
            value=str(employee.locale)[:8],
            allowed=", ".join(SUPPORTED_LOCALES),
        )
    timezone(employee)
    if (
        not employee.work_week
        or not re.match(WORK_WEEK_PATTERN, employee.work_week)
        or len(set(employee.work_week)) != len(employee.work_week)
    ):
        raise invalid(
            N_("work_week lists the ISO weekdays worked once each, Monday=1 to Sunday=7, e.g. 12345."), "work_week"
        )
    employee.work_week = "".join(sorted(employee.work_week))
    if employee.device_user_id is not None:
        await unique(
            session,
            Employee.device_user_id,
            employee.device_user_id,
            row_id=employee.id,
            message=N_("Device user id {value} already belongs to another employee."),
            value=employee.device_user_id,
        )
    if (
        employee.hire_date is not None
        and employee.leaving_date is not None
        and employee.leaving_date < employee.hire_date
    ):
        raise invalid(N_("The leaving date is before the hire date."), "leaving_date")
    await exists(session, Department, employee.department_id, "department_id", DEPARTMENT_MISSING)
    await exists(session, Shift, employee.shift_id, "shift_id", SHIFT_MISSING)
    await exists(session, Office, employee.office_id, "office_id", OFFICE_MISSING)
    await exists(session, HolidayCalendar, employee.holiday_calendar_id, "holiday_calendar_id", CALENDAR_MISSING)
    await check_chain(
        session,
        employee,
        "manager_id",
        loop=N_("The manager chain of {code} would loop back to itself; choose another manager."),
        missing=EMPLOYEE_MISSING,
        code=employee.code,
    )


EMPLOYEE = Kind(Employee, "employee", EMPLOYEE_FIELDS, EMPLOYEE_MISSING, _check_employee)


async def get_employee(session: AsyncSession, *, employee_id: int) -> Employee:
    return await get_row(session, EMPLOYEE, employee_id)


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
    search_email: bool = True,
) -> Page[Row[Any]]:
    """Employees by id, as rows of their columns (read-only); ``search`` matches code, name or (with
    ``search_email``, for readers entitled to contact data) e-mail, as a case-insensitive substring;
    ``ids`` keeps only those employees (a reporting line). The filters are ``people_reads``' own."""
    statement, params = employee_filter(
        department_id=department_id, role=role, active=active, search=search, search_email=search_email
    )
    statement = statement.params(params).order_by(Employee.id)
    if ids is not None:
        statement = statement.where(Employee.id.in_(sorted(ids)))
    return await paginate_rows(session, statement, limit=limit, offset=offset)


async def create_employee(session: AsyncSession, *, actor: Actor, values: Values) -> Employee:
    values = only(values, EMPLOYEE_FIELDS)
    employee = Employee(role=Role.EMPLOYEE, work_week="12345", active=True)
    apply(employee, {k: v for k, v in values.items() if v is not None or k not in DEFAULTED})
    employee = await create_row(session, actor, EMPLOYEE, employee)
    now = utcnow()
    await claim_badge_punches(session, employee=employee, actor=actor, now=now)
    await employment_changed(session, employee=employee, before={"id": None}, actor=actor, now=now)
    return employee


def _before(employee: Employee) -> dict[str, object]:
    return {"id": employee.id, **{f: getattr(employee, f) for f in ATTENDANCE_FIELDS}}


async def update_employee(session: AsyncSession, *, actor: Actor, employee_id: int, values: Values) -> Employee:
    employee = await get_employee(session, employee_id=employee_id)
    badge, before = employee.device_user_id, _before(employee)
    employee = await update_row(session, actor, EMPLOYEE, employee, values)
    now = utcnow()
    if employee.device_user_id != badge:
        await claim_badge_punches(session, employee=employee, actor=actor, now=now)
    await employment_changed(session, employee=employee, before=before, actor=actor, now=now)
    return employee


async def set_employee_active(session: AsyncSession, *, actor: Actor, employee_id: int, active: bool) -> Employee:
    """Deactivate (or reactivate) an employee. Idempotent.

    Deactivating ends the employment today unless an earlier leaving date is set (their last days
    stay in the reports, their pending leave after it is cancelled) and ends their access: the API
    tokens bound to them are revoked (reactivating brings none back: create new ones). Reactivating
    clears a leaving date that has come (the days since are processed again; a future one stays).
    """
    employee = await get_employee(session, employee_id=employee_id)
    if not active:
        await revoke_employee_tokens(session, employee_id=employee.id, actor=actor, now=utcnow())
    if employee.active == active:
        return employee
    now = utcnow()
    today = company_today(now)
    before = _before(employee)
    employee.active = active
    if not active and (employee.leaving_date is None or employee.leaving_date > today):
        employee.leaving_date = today
    elif active and employee.leaving_date is not None and employee.leaving_date <= today:
        employee.leaving_date = None
    action = "reactivate" if active else "deactivate"
    audit(
        session, actor, action, "employee", employee.id,
        old={"active": not active, "leaving_date": before["leaving_date"]},
        new={"active": active, "leaving_date": employee.leaving_date},
    )  # fmt: skip
    await session.flush()
    await employment_changed(session, employee=employee, before=before, actor=actor, now=now)
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


async def reporting_line(session: AsyncSession, *, manager_id: int) -> set[int]:
    """``manager_id`` and everyone reporting to them directly or indirectly (one query per level)."""
    found = {manager_id}
    level = {manager_id}
    while level:
        rows = await session.scalars(select(Employee.id).where(Employee.manager_id.in_(sorted(level))))
        level = set(rows) - found
        found |= level
    return found


async def import_employees_csv(
    session: AsyncSession, *, actor: Actor, data: bytes, skip_invalid: bool = False
) -> ImportReport:
    """The CSV importer behind an upload: decode the bytes, then the same all-or-nothing import as the CLI."""
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(N_("The file is larger than {n} MB; split it into smaller files."), n=MAX_IMPORT_BYTES // 2**20)
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(N_("The file is not UTF-8 text; save the CSV as UTF-8 and upload it again.")) from None
    if "\x00" in decoded:
        raise Invalid(N_("The file is not a CSV text file."))
    try:
        return await import_employees(session, text=decoded, actor=actor, skip_invalid=skip_invalid)
    except csv.Error as exc:
        raise Invalid(N_("The file could not be read as CSV: {reason}"), reason=str(exc)[:200]) from None
