"""Validation of employee import rows (CSV), pure: every problem of every row, with its line number.

References that need the database (an unknown manager code, an unknown shift) are checked by the
service; here we check what a row says on its own and what the rows say about each other.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.domain.enums import Role
from shared.errors import N_

COLUMNS = (
    "code",
    "full_name",
    "email",
    "phone",
    "department",
    "manager_code",
    "role",
    "device_user_id",
    "locale",
    "timezone",
    "shift",
    "hire_date",
    "leaving_date",
)
DATE_COLUMNS = ("hire_date", "leaving_date")
REQUIRED = ("code", "full_name")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,20}$")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EmployeeRow:
    line: int
    code: str
    full_name: str
    email: str | None
    phone: str | None
    department: str | None
    manager_code: str | None
    role: Role
    device_user_id: str | None
    locale: str | None
    timezone: str | None
    shift: str | None
    hire_date: date | None = None
    leaving_date: date | None = None


@dataclass
class ParsedRows:
    """``rows`` are the rows without a problem; ``all_rows`` every row with a code, bad ones included (read as
    well as they could be), so that the checks against the database report every problem of every row at once."""

    rows: list[EmployeeRow]
    problems: list[RowProblem]
    header_problem: RowProblem | None = None
    columns: tuple[str, ...] = ()
    all_rows: list[EmployeeRow] = field(default_factory=list)

    @property
    def bad_lines(self) -> set[int]:
        return {p.line for p in self.problems}


def _opt(raw: dict[str, str | None], key: str) -> str | None:
    value = (raw.get(key) or "").strip()
    return value or None


def _zone_problem(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return True
    return False


def _check_row(line: int, raw: dict[str, str | None], locales: tuple[str, ...]) -> tuple[EmployeeRow, list[RowProblem]]:
    """The row (read as well as it can be) and every problem it has on its own."""
    problems: list[RowProblem] = []
    for column in REQUIRED:
        if not _opt(raw, column):
            problems.append(RowProblem(line, N_("column {column} is empty"), {"column": column}))
    code = _opt(raw, "code") or ""
    if code and not _CODE.match(code):
        problems.append(
            RowProblem(line, N_("code {value!r} may only use letters, digits, '-', '_' and '.'"), {"value": code})
        )
    email = _opt(raw, "email")
    if email and not _EMAIL.match(email):
        problems.append(RowProblem(line, N_("email {value!r} is not an e-mail address"), {"value": email}))
    phone = _opt(raw, "phone")
    if phone and not _PHONE.match(phone):
        problems.append(RowProblem(line, N_("phone {value!r} is not a phone number"), {"value": phone}))
    role_text = (_opt(raw, "role") or Role.EMPLOYEE.value).lower()
    role = Role.EMPLOYEE
    if role_text not in {r.value for r in Role}:
        problems.append(
            RowProblem(
                line,
                N_("role {value!r} is unknown; use one of {allowed}"),
                {"value": role_text, "allowed": ", ".join(r.value for r in Role)},
            )
        )
    else:
        role = Role(role_text)
    locale = _opt(raw, "locale")
    if locale and locale not in locales:
        problems.append(
            RowProblem(
                line,
                N_("locale {value!r} is not supported; use one of {allowed}"),
                {"value": locale, "allowed": ", ".join(locales)},
            )
        )
    timezone = _opt(raw, "timezone")
    if timezone and _zone_problem(timezone):
        problems.append(
            RowProblem(
                line, N_("timezone {value!r} is not an IANA time zone such as Europe/Berlin"), {"value": timezone}
            )
        )
    dates: dict[str, date | None] = {}
    for column in DATE_COLUMNS:
        value = _opt(raw, column)
        try:
            dates[column] = date.fromisoformat(value) if value else None
        except ValueError:
            dates[column] = None
            problems.append(
                RowProblem(
                    line,
                    N_("{column} {value!r} is not a date like 2026-03-01"),
                    {"column": column, "value": value or ""},
                )
            )
            continue
        parsed = dates[column]
        if parsed is not None and not 1950 <= parsed.year <= 2100:
            problems.append(
                RowProblem(line, N_("{column} {value!r} is out of range"), {"column": column, "value": value or ""})
            )
    hired, leaving = dates.get("hire_date"), dates.get("leaving_date")
    if hired is not None and leaving is not None and leaving < hired:
        problems.append(RowProblem(line, N_("leaving_date is before hire_date"), {}))
    full_name = _opt(raw, "full_name") or ""
    if len(full_name) > 200:
        problems.append(RowProblem(line, N_("full_name is longer than 200 characters"), {}))
    return (
        EmployeeRow(
            line=line,
            code=code,
            full_name=full_name,
            email=email,
            phone=phone,
            department=_opt(raw, "department"),
            manager_code=_opt(raw, "manager_code"),
            role=role,
            device_user_id=_opt(raw, "device_user_id"),
            locale=locale if locale in locales else None,
            timezone=timezone if timezone and not _zone_problem(timezone) else None,
            shift=_opt(raw, "shift"),
            hire_date=hired,
            leaving_date=leaving,
        ),
        problems,
    )


def _cross_checks(rows: list[EmployeeRow]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    seen_codes: dict[str, int] = {}
    seen_devices: dict[str, int] = {}
    for row in rows:
        key = row.code.lower()
        if key in seen_codes:
            problems.append(
                RowProblem(
                    row.line,
                    N_("code {value} already appears on line {other}"),
                    {"value": row.code, "other": str(seen_codes[key])},
                )
            )
        else:
            seen_codes[key] = row.line
        if row.device_user_id:
            if row.device_user_id in seen_devices:
                problems.append(
                    RowProblem(
                        row.line,
                        N_("device_user_id {value} already appears on line {other}"),
                        {"value": row.device_user_id, "other": str(seen_devices[row.device_user_id])},
                    )
                )
            else:
                seen_devices[row.device_user_id] = row.line
        if row.manager_code and row.manager_code.lower() == key:
            problems.append(RowProblem(row.line, N_("an employee cannot be their own manager"), {}))
    return problems


def parse_employee_csv(text: str, *, locales: tuple[str, ...]) -> ParsedRows:
    """Parse and check every row; line numbers count the header as line 1, like a spreadsheet."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        message = N_("the header must name the columns {expected}; missing: {missing}; unknown: {unknown}")
        params = {
            "expected": ", ".join(COLUMNS),
            "missing": ", ".join(missing) or "-",
            "unknown": ", ".join(unknown) or "-",
        }
        return ParsedRows([], [], RowProblem(1, message, params))
    reader.fieldnames = header
    all_rows: list[EmployeeRow] = []
    problems: list[RowProblem] = []
    for raw in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        if None in raw:
            problems.append(RowProblem(line, N_("the row has more cells than the header"), {}))
            continue
        row, row_problems = _check_row(line, raw, locales)
        problems.extend(row_problems)
        if row.code:
            all_rows.append(row)
    problems.extend(_cross_checks(all_rows))
    problems.sort(key=lambda p: p.line)
    bad = {p.line for p in problems}
    rows = [r for r in all_rows if r.line not in bad]
    return ParsedRows(rows, problems, columns=tuple(h for h in header if h), all_rows=all_rows)
