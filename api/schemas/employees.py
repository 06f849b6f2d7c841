"""Employees: create, change, read, and the CSV import report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import Day, DbId, Out, Patch, Strict, Text, TimeZoneName
from shared.domain.enums import ChannelChoice, Role
from shared.services.crud import CODE_PATTERN
from shared.services.org.people import EMAIL_PATTERN, PHONE_PATTERN, WORK_WEEK_PATTERN

Code = Text(32, pattern=CODE_PATTERN)
CHANNELS = (
    "How notifications reach the person: auto (Telegram when linked, else e-mail), telegram, email or both; "
    "a channel the person has no address for falls back to the other"
)
DIGEST_EMAIL = "HR and admins: the daily digest by e-mail too (its unsubscribe link turns this off)"
Email = Text(254, pattern=EMAIL_PATTERN)
Phone = Text(32, pattern=PHONE_PATTERN)
WorkWeek = Text(7, pattern=WORK_WEEK_PATTERN)
Locale = Literal["en", "ru", "ar"]
FullName = Text(200)
DeviceUserId = Text(32)

_EXAMPLE = {
    "code": "E042",
    "full_name": "Amira Haddad",
    "email": "amira.haddad@example.com",
    "phone": "+49 30 1234567",
    "department_id": 1,
    "manager_id": 3,
    "role": "employee",
    "locale": "ar",
    "timezone": "Europe/Berlin",
    "shift_id": 1,
    "work_week": "12345",
    "hire_date": "2025-03-01",
    "device_user_id": "42",
}


class EmployeeCreate(Strict):
    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}

    code: Code = Field(description="Unique staff code; letters, digits, '-', '_' and '.'")
    full_name: FullName
    email: Email | None = None
    phone: Phone | None = None
    department_id: DbId | None = None
    manager_id: DbId | None = None
    role: Role = Role.EMPLOYEE
    locale: Locale | None = None
    timezone: TimeZoneName | None = Field(default=None, description="IANA zone, e.g. Europe/Berlin")
    shift_id: DbId | None = None
    office_id: DbId | None = None
    holiday_calendar_id: DbId | None = None
    work_week: WorkWeek = Field(default="12345", description="ISO weekdays worked, Monday=1 … Sunday=7")
    hire_date: Day | None = Field(default=None, description="First day employed: this year's entitlement at once")
    leaving_date: Day | None = Field(default=None, description="Last day employed; access ends the day after")
    device_user_id: DeviceUserId | None = Field(default=None, description="User id on the ZKTeco devices")
    notify_channels: ChannelChoice = Field(default=ChannelChoice.AUTO, description=CHANNELS)
    digest_email: bool = Field(default=True, description=DIGEST_EMAIL)


class EmployeeUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"manager_id": 5, "shift_id": 2, "phone": None}]}}

    code: Code = None
    full_name: FullName = None
    email: Email | None = None
    phone: Phone | None = None
    department_id: DbId | None = None
    manager_id: DbId | None = None
    role: Role = None
    locale: Locale | None = None
    timezone: TimeZoneName | None = None
    shift_id: DbId | None = None
    office_id: DbId | None = None
    holiday_calendar_id: DbId | None = None
    work_week: WorkWeek = None
    hire_date: Day | None = None
    leaving_date: Day | None = Field(
        default=None, description="Pending leave after it is cancelled; days after it are not processed"
    )
    device_user_id: DeviceUserId | None = None
    notify_channels: ChannelChoice = Field(default=None, description=CHANNELS)
    digest_email: bool = Field(default=None, description=DIGEST_EMAIL)


class EmployeeOut(Out):
    id: int
    code: str
    full_name: str
    email: str | None
    phone: str | None
    department_id: int | None
    manager_id: int | None
    role: Role
    telegram_user_id: int | None = Field(description="Set once the employee redeemed an invitation in the bot")
    locale: str | None
    timezone: str | None
    shift_id: int | None
    office_id: int | None
    holiday_calendar_id: int | None
    work_week: str
    hire_date: date | None
    leaving_date: date | None
    active: bool
    device_user_id: str | None
    notify_channels: ChannelChoice = ChannelChoice.AUTO
    digest_email: bool = True
    legal_hold: bool = Field(description="Anonymising the person is refused while set (PUT …/legal-hold)")
    anonymised_at: datetime | None = Field(description="When the person's personal data was replaced")
    created_at: datetime
    updated_at: datetime

    def without_contact(self) -> EmployeeOut:
        """The employee as a reader not entitled to contact data sees them (``api.policy``: contact data)."""
        return self.model_copy(update={"email": None, "phone": None})


class ImportProblem(Out):
    line: int
    message: str


class ImportReportOut(Out):
    written: bool = Field(description="False when nothing was written (only with problems and no skip_invalid)")
    total_rows: int
    created: int
    updated: int
    unchanged: int
    skipped_lines: list[int]
    departments_created: list[str]
    problems: list[ImportProblem]
