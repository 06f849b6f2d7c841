"""The digest's smaller sections as data: people, undelivered messages, off-site check-ins, working-time
violations and punch corrections (the rules are in :mod:`shared.domain.digest`'s module doc)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.domain.enums import CorrectionStatus, Direction


@dataclass(frozen=True, slots=True)
class EmployeeInfo:
    id: int
    code: str
    full_name: str
    department_name: str | None = None
    work_week: str = "12345"


def name_key(name: str | None) -> tuple[bool, str]:
    return (name is None, (name or "").casefold())


@dataclass(frozen=True, slots=True)
class OffSiteCheckin:
    """A bot check-in or check-out away from the office: outside its geofence (with the distance), or
    without a location where the office allows remote work."""

    employee_id: int
    code: str
    full_name: str
    department_name: str | None
    instant: dt.datetime
    direction: str
    distance_m: int | None
    remote: bool = False


@dataclass(frozen=True, slots=True)
class DeadMessage:
    """An outbox message that could not be delivered (status dead)."""

    channel: str
    employee_id: int | None = None
    address: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class UndeliveredRow:
    channel: str
    employee_id: int | None
    full_name: str | None
    address: str | None
    count: int
    last_error: str | None


def undelivered_rows(dead: Iterable[DeadMessage], employees: Mapping[int, EmployeeInfo]) -> tuple[UndeliveredRow, ...]:
    """Dead messages per (channel, person or address), with how many and the last error (see the module doc)."""
    grouped: dict[tuple[str, int | None, str | None], list[DeadMessage]] = defaultdict(list)
    for message in dead:
        key = (message.channel, message.employee_id, None if message.employee_id is not None else message.address)
        grouped[key].append(message)
    rows = []
    for (channel, employee_id, address), items in grouped.items():
        person = employees.get(employee_id) if employee_id is not None else None
        shown = address or next((m.address for m in items if m.address), None)
        errors = [m.error for m in items if m.error]
        name = person.full_name if person else None
        rows.append(UndeliveredRow(channel, employee_id, name, shown, len(items), errors[-1] if errors else None))
    rows.sort(key=lambda r: (r.channel, name_key(r.full_name), r.address or ""))
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class ViolationRow:
    """An open working-time violation (``rule`` is a ``shared.domain.compliance.RuleCode`` value)."""

    violation_id: int
    employee_id: int
    rule: str
    period_start: dt.date
    period_end: dt.date
    excess: int
    code: str = ""
    full_name: str = ""
    department_name: str | None = None


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """A missed-punch correction HR should see (asked for, approved or rejected)."""

    correction_id: int
    employee_id: int
    full_name: str
    day: dt.date
    direction: Direction
    instant: dt.datetime
    status: CorrectionStatus
    decided_by: str | None = None


def violations_on(
    rows: Iterable[ViolationRow], day: dt.date, employees: Mapping[int, EmployeeInfo]
) -> tuple[ViolationRow, ...]:
    found = []
    for row in rows:
        if not row.period_start <= day <= row.period_end:
            continue
        person = employees.get(row.employee_id) or EmployeeInfo(row.employee_id, "", f"#{row.employee_id}")
        found.append(
            ViolationRow(
                row.violation_id,
                row.employee_id,
                row.rule,
                row.period_start,
                row.period_end,
                row.excess,
                person.code,
                person.full_name,
                person.department_name,
            )
        )
    found.sort(key=lambda r: (name_key(r.department_name), r.full_name.casefold(), r.code, r.rule, r.period_start))
    return tuple(found)
