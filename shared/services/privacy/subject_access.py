"""Subject access: one archive of everything Chronos stores about one person — ``person.json`` (every row, by
table) and ``person.xlsx`` (the same rows, one sheet per table, through the one export writer).

Secrets are left out (invitation code hashes, token hashes); everything else about the person is in:
the employee row, punches, daily rows, leave requests, ledger entries, compliance violations, invitations,
API tokens bound to them, the audit entries about them (and those they made), and the messages sent to
their chat. Every export writes an audit entry (``export`` / ``employee``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, Forbidden, NotFound
from shared.i18n import Translator
from shared.model import (
    ApiToken,
    AuditLog,
    ComplianceViolation,
    DailyAttendance,
    Employee,
    Invitation,
    LeaveLedgerEntry,
    LeaveRequest,
    OutboxMessage,
    Punch,
)
from shared.reports.export import Table, write_tables
from shared.services.actor import Actor
from shared.services.audit import audit, jsonable, snapshot
from shared.services.lookups import get_employee

SECRETS = {
    "invitations": frozenset({"code_hash"}),
    "api_tokens": frozenset({"token_hash"}),
    "outbox": frozenset({"attachment"}),
}
SHEETS: dict[str, str] = {
    "employee": N_("Person"),
    "punches": N_("Punches"),
    "daily_attendance": N_("Daily attendance"),
    "leave_requests": N_("Leave requests"),
    "leave_ledger": N_("Leave ledger"),
    "compliance_violations": N_("Working-time violations"),
    "invitations": N_("Invitations"),
    "api_tokens": N_("API tokens"),
    "audit_log": N_("Audit log"),
    "outbox": N_("Messages"),
}
PERSON_MISSING = N_("No employee has the code {code}.")


def _rows(objects: Sequence[Any], table: str) -> list[dict[str, Any]]:
    return [snapshot(o, exclude=SECRETS.get(table, frozenset())) for o in objects]


async def _all(session: AsyncSession, statement: Any) -> list[Any]:
    return list(await session.scalars(statement))


async def person_data(session: AsyncSession, *, employee: Employee) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about ``employee``, by table (JSON-ready)."""
    eid = employee.id
    punches = await _all(session, select(Punch).where(Punch.employee_id == eid).order_by(Punch.instant))
    requests = await _all(
        session, select(LeaveRequest).where(LeaveRequest.employee_id == eid).order_by(LeaveRequest.id)
    )
    violations = await _all(
        session,
        select(ComplianceViolation).where(ComplianceViolation.employee_id == eid).order_by(ComplianceViolation.id),
    )
    about: list[Any] = [
        AuditLog.actor == f"employee:{eid}",
        (AuditLog.entity == "employee") & (AuditLog.entity_id == str(eid)),
    ]
    for entity, ids in (("leave_request", requests), ("punch", punches), ("compliance_violation", violations)):
        keys = [str(row.id) for row in ids]
        for start in range(0, len(keys), 1000):
            about.append((AuditLog.entity == entity) & AuditLog.entity_id.in_(keys[start : start + 1000]))
    chat: list[Any] = [OutboxMessage.ref.like(f"rest:{eid}:%")]
    if employee.telegram_user_id is not None:
        chat.append(OutboxMessage.chat_id == employee.telegram_user_id)
    return {
        "employee": _rows([employee], "employee"),
        "punches": _rows(punches, "punches"),
        "daily_attendance": _rows(
            await _all(
                session,
                select(DailyAttendance).where(DailyAttendance.employee_id == eid).order_by(DailyAttendance.date),
            ),
            "daily_attendance",
        ),
        "leave_requests": _rows(requests, "leave_requests"),
        "leave_ledger": _rows(
            await _all(
                session,
                select(LeaveLedgerEntry).where(LeaveLedgerEntry.employee_id == eid).order_by(LeaveLedgerEntry.id),
            ),
            "leave_ledger",
        ),
        "compliance_violations": _rows(violations, "compliance_violations"),
        "invitations": _rows(
            await _all(session, select(Invitation).where(Invitation.employee_id == eid).order_by(Invitation.id)),
            "invitations",
        ),
        "api_tokens": _rows(
            await _all(session, select(ApiToken).where(ApiToken.employee_id == eid).order_by(ApiToken.id)),
            "api_tokens",
        ),
        "audit_log": _rows(await _all(session, select(AuditLog).where(or_(*about)).order_by(AuditLog.id)), "audit_log"),
        "outbox": _rows(
            await _all(session, select(OutboxMessage).where(or_(*chat)).order_by(OutboxMessage.id)), "outbox"
        ),
    }


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def person_workbook(t: Translator, data: dict[str, list[dict[str, Any]]]) -> bytes:
    """The rows as an XLSX (one sheet per table; JSON columns as JSON text)."""
    tables = []
    for key, rows in data.items():
        headers = list(rows[0]) if rows else ["id"]
        tables.append(Table(t.gettext(SHEETS[key]), headers, ([_cell(r.get(h)) for h in headers] for r in rows)))
    return write_tables("xlsx", tables, rtl=t.rtl)


async def employee_by_code(session: AsyncSession, code: str) -> Employee:
    employee = await session.scalar(select(Employee).where(Employee.code == code.strip()))
    if employee is None:
        raise NotFound(PERSON_MISSING, code=code.strip()[:32])
    return employee


async def export_person(
    session: AsyncSession, *, actor: Actor, employee_id: int, now: dt.datetime, t: Translator
) -> tuple[str, bytes]:
    """The subject-access archive (file name, zip bytes); HR or admin only, audited."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can export everything stored about a person."))
    employee = await get_employee(session, employee_id)
    data = await person_data(session, employee=employee)
    document = {"exported_at": now.isoformat(), "employee_id": employee.id, "code": employee.code, "tables": data}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("person.json", json.dumps(jsonable(document), ensure_ascii=False, indent=2))
        archive.writestr("person.xlsx", person_workbook(t, data))
    counts = {key: len(rows) for key, rows in data.items()}
    audit(session, actor, "export", "employee", employee.id, new={"what": "subject_access", **counts})
    return f"chronos-person-{employee.code}.zip", buffer.getvalue()
