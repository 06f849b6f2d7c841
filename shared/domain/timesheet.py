"""The monthly timesheet as data: one row per employee, one status code per day, with totals.

Rules decided here:
- A day that is not over yet (``is_final`` False) is never "A": someone not in yet is blank, someone in
  so far is ``P~`` (``SO_FAR_SUFFIX``); leave, holidays and days off are known and shown as they are.
- Totals count only days that are over, except leave (a fact, whatever the clock) and lateness (certain
  as soon as it happened).
- Days outside the employment (before the hire date, after the leaving date) are blank.
- The timesheet of a month that has not begun is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.domain.enums import AttendanceStatus
from shared.domain.names import localized_name
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
SO_FAR_SUFFIX = "~"
_KNOWN_EARLY = frozenset({AttendanceStatus.ON_LEAVE, AttendanceStatus.HOLIDAY, AttendanceStatus.WEEKEND})


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
    department_names: dict[str, str] | None = None  # the department's name per locale (shared.domain.names)

    def department_for(self, locale: str) -> str:
        return localized_name(self.department, self.department_names, locale)


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


def day_code(status: AttendanceStatus, *, late: bool, final: bool, checked_in: bool) -> str:
    """The cell of one day (see the module rules)."""
    if final or status in _KNOWN_EARLY:
        return CODES[status] + (LATE_SUFFIX if late else "")
    if not checked_in:
        return ""
    return CODES[AttendanceStatus.PRESENT] + (LATE_SUFFIX if late else "") + SO_FAR_SUFFIX


def add_day(row: TimesheetRow, status: AttendanceStatus, *, late: bool, final: bool, worked_minutes: int) -> None:
    """Count one day into the row's totals (see the module rules)."""
    if status is AttendanceStatus.ON_LEAVE:
        row.leave += 1
    elif status is AttendanceStatus.HALF_LEAVE:
        row.leave += 0.5
    if late:
        row.late += 1
    if not final:
        return
    row.worked_minutes += worked_minutes
    if status in (AttendanceStatus.PRESENT, AttendanceStatus.INCOMPLETE, AttendanceStatus.HALF_DAY):
        row.present += 1
    elif status is AttendanceStatus.ABSENT:
        row.absent += 1


def check_month_begun(year: int, month: int, today: date) -> None:
    if (year, month) > (today.year, today.month):
        raise Invalid(
            N_("{month} has not begun yet: ask for this month or an earlier one."),
            details={"field": "month"},
            month=f"{year}-{month:02d}",
        )
