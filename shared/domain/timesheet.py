"""The monthly timesheet as data: one row per employee, one status code per day, with totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.domain.enums import AttendanceStatus
from shared.errors import N_, Invalid

# One or two letters per status; "L" suffix for late arrivals. The legend sheet explains them.
CODES = {
    AttendanceStatus.PRESENT: "P",
    AttendanceStatus.ABSENT: "A",
    AttendanceStatus.HALF_DAY: "HD",
    AttendanceStatus.INCOMPLETE: "MC",
    AttendanceStatus.ON_LEAVE: "LV",
    AttendanceStatus.HALF_LEAVE: "HL",
    AttendanceStatus.HOLIDAY: "H",
    AttendanceStatus.WEEKEND: "W",
}
LATE_SUFFIX = "*"


@dataclass
class TimesheetRow:
    employee_id: int
    code: str
    full_name: str
    department: str
    days: list[str]
    present: int = 0
    absent: int = 0
    leave: float = 0.0
    late: int = 0
    worked_minutes: int = 0


@dataclass
class Timesheet:
    year: int
    month: int
    dates: list[date] = field(default_factory=list)
    rows: list[TimesheetRow] = field(default_factory=list)


def parse_month(value: str) -> tuple[int, int]:
    try:
        year_text, month_text = value.split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise Invalid(N_("Give the month as YYYY-MM, e.g. 2026-11."), details={"field": "month"}) from None
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Invalid(N_("Give the month as YYYY-MM, e.g. 2026-11."), details={"field": "month"})
    return year, month
