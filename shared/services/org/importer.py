"""Import employees from CSV: check every row first, then write all of them or none.

The CLI (`chronos import employees`) and the API (`POST /api/v1/employees/import`) both call
:func:`import_employees`; the report is the same for both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import SUPPORTED_LOCALES
from shared.domain.employee_rows import DATE_COLUMNS, EmployeeRow, RowProblem, parse_employee_csv
from shared.errors import N_
from shared.model import Department, Employee, Shift, utcnow
from shared.services.actor import Actor
from shared.services.attendance.badges import claim_badge_punches
from shared.services.audit import audit, snapshot
from shared.services.org.employment import ATTENDANCE_FIELDS, company_today, employment_changed, grant_entitlements

Progress = Callable[[int, int], None]
_FIELDS = ("full_name", "email", "phone", "role", "device_user_id", "locale", "timezone")


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    departments_created: list[str] = field(default_factory=list)
    written: bool = False


def _reference_problems(
    rows: list[EmployeeRow],
    shifts: dict[str, int],
    db_codes: dict[str, int],
    db_devices: dict[str, str],
) -> list[RowProblem]:
    file_codes = {r.code.lower() for r in rows}
    problems: list[RowProblem] = []
    for row in rows:
        if row.shift and row.shift.lower() not in shifts:
            problems.append(RowProblem(row.line, N_("shift {value!r} does not exist"), {"value": row.shift}))
        if row.manager_code and row.manager_code.lower() not in file_codes | set(db_codes):
            problems.append(
                RowProblem(
                    row.line,
                    N_("manager_code {value} is neither in the file nor an employee"),
                    {"value": row.manager_code},
                )
            )
        owner = db_devices.get(row.device_user_id or "")
        if owner and owner.lower() != row.code.lower():
            problems.append(
                RowProblem(
                    row.line,
                    N_("device_user_id {value} already belongs to employee {other}"),
                    {"value": row.device_user_id or "", "other": owner},
                )
            )
    return problems


def _cycle_problems(rows: list[EmployeeRow], db_managers: dict[str, str | None]) -> list[RowProblem]:
    managers = dict(db_managers)
    managers.update({r.code.lower(): (r.manager_code or "").lower() or None for r in rows})
    problems = []
    for row in rows:
        seen = {row.code.lower()}
        current = managers.get(row.code.lower())
        while current:
            if current in seen:
                problems.append(
                    RowProblem(row.line, N_("the manager chain of {value} loops back to itself"), {"value": row.code})
                )
                break
            seen.add(current)
            current = managers.get(current)
    return problems


async def _load_references(
    session: AsyncSession,
) -> tuple[dict[str, int], dict[str, int], dict[str, str], dict[str, str | None]]:
    shifts = {name.lower(): sid for sid, name in (await session.execute(select(Shift.id, Shift.name))).all()}
    emp_rows = (
        await session.execute(select(Employee.id, Employee.code, Employee.device_user_id, Employee.manager_id))
    ).all()
    code_by_id = {eid: code for eid, code, _, _ in emp_rows}
    db_codes = {code.lower(): eid for eid, code, _, _ in emp_rows}
    db_devices = {dev: code for _, code, dev, _ in emp_rows if dev}
    db_managers = {
        code.lower(): (code_by_id[mid].lower() if mid in code_by_id else None) for _, code, _, mid in emp_rows
    }
    return shifts, db_codes, db_devices, db_managers


async def import_employees(
    session: AsyncSession,
    *,
    text: str,
    actor: Actor,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row, then upsert employees by code (all rows, or the valid ones with skip_invalid)."""
    parsed = parse_employee_csv(text, locales=SUPPORTED_LOCALES)
    report = ImportReport(total_rows=len({r.line for r in parsed.all_rows} | parsed.bad_lines))
    if parsed.header_problem:
        report.problems = [parsed.header_problem]
        return report
    shifts, db_codes, db_devices, db_managers = await _load_references(session)
    problems = list(parsed.problems)
    # every row, bad ones too, is checked against the database: one run names every problem of every row
    problems += _reference_problems(parsed.all_rows, shifts, db_codes, db_devices)
    problems += _cycle_problems(parsed.all_rows, db_managers)
    rows = parsed.rows
    while skip_invalid:  # dropping a bad row may orphan rows that name it as manager: repeat until stable
        problems += _reference_problems(rows, shifts, db_codes, db_devices) + _cycle_problems(rows, db_managers)
        bad = {p.line for p in problems}
        kept = [r for r in rows if r.line not in bad]
        if len(kept) == len(rows):
            break
        rows = kept
    unique = {(p.line, p.message, tuple(sorted(p.params.items()))): p for p in problems}
    report.problems = sorted(unique.values(), key=lambda p: p.line)
    bad_lines = {p.line for p in problems}
    if bad_lines and not skip_invalid:
        return report
    report.skipped_lines = sorted(bad_lines)
    rows = [r for r in rows if r.line not in bad_lines]
    await _write(session, rows, shifts, actor, report, progress, parsed.columns)
    report.written = True
    return report


async def _departments(session: AsyncSession, names: set[str], actor: Actor, report: ImportReport) -> dict[str, int]:
    found = {n.lower(): i for i, n in (await session.execute(select(Department.id, Department.name))).all()}
    for name in sorted(names):
        if name.lower() not in found:
            dept = Department(name=name)
            session.add(dept)
            await session.flush()
            audit(session, actor, "create", "department", dept.id, new={"name": name, "via": "import"})
            found[name.lower()] = dept.id
            report.departments_created.append(name)
    return found


def _value(snap: dict, field: str) -> object:
    """A column's value from a JSON snapshot (dates come back as dates)."""
    value = snap.get(field)
    return date.fromisoformat(value) if field in DATE_COLUMNS and isinstance(value, str) else value


async def _write(
    session: AsyncSession,
    rows: list[EmployeeRow],
    shifts: dict[str, int],
    actor: Actor,
    report: ImportReport,
    progress: Progress | None,
    columns: tuple[str, ...] = (),
) -> None:
    departments = await _departments(session, {r.department for r in rows if r.department}, actor, report)
    codes = [r.code for r in rows]
    existing = (
        {e.code.lower(): e for e in (await session.scalars(select(Employee).where(Employee.code.in_(codes)))).all()}
        if codes
        else {}
    )
    total = len(rows)
    touched: list[tuple[EmployeeRow, Employee, dict | None]] = []
    for done, row in enumerate(rows, 1):
        employee = existing.get(row.code.lower())
        before = snapshot(employee) if employee else None
        if employee is None:
            employee = Employee(code=row.code)
            session.add(employee)
            existing[row.code.lower()] = employee
        for name in _FIELDS:
            setattr(employee, name, getattr(row, name))
        for name in DATE_COLUMNS:
            if name in columns:  # a file without the column leaves the dates as they are
                setattr(employee, name, getattr(row, name))
        employee.department_id = departments.get(row.department.lower()) if row.department else None
        employee.shift_id = shifts.get(row.shift.lower()) if row.shift else None
        touched.append((row, employee, before))
        if progress and (done % 200 == 0 or done == total):
            progress(done, total)
    await session.flush()
    all_ids = {code.lower(): eid for eid, code in (await session.execute(select(Employee.id, Employee.code))).all()}
    for row, employee, _before in touched:
        employee.manager_id = all_ids.get(row.manager_code.lower()) if row.manager_code else None
    await session.flush()
    now = utcnow()
    await grant_entitlements(
        session, employees=[e for _, e, b in touched if b is None], today=company_today(now), actor=actor
    )
    for _row, employee, before in touched:
        after = snapshot(employee)
        if before is not None and any(before.get(f) != after.get(f) for f in ATTENDANCE_FIELDS):
            earlier = {f: _value(before, f) for f in ATTENDANCE_FIELDS}
            await employment_changed(
                session, employee=employee, before={"id": employee.id, **earlier}, actor=actor, now=now
            )
        if employee.device_user_id and (before is None or before.get("device_user_id") != employee.device_user_id):
            await claim_badge_punches(session, employee=employee, actor=actor, now=utcnow())
        if before is None:
            report.created += 1
            audit(session, actor, "create", "employee", employee.id, new=after)
        elif {k: v for k, v in before.items() if k != "updated_at"} != {
            k: v for k, v in after.items() if k != "updated_at"
        }:
            report.updated += 1
            audit(session, actor, "update", "employee", employee.id, old=before, new=after)
        else:
            report.unchanged += 1
