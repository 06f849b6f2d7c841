"""Anonymising one person: their name, contact, Telegram id and every free text about them are replaced; the
numbers payroll needs (punch instants, worked minutes, leave days, ledger amounts) are kept.

What is replaced:

- the employee: name (``Anonymised <code>``), e-mail, phone, Telegram id, device user id; deactivated;
- punches: the location (latitude, longitude, distance) and the note;
- daily rows: the override reason; leave requests: reason, decision comment, attachment;
- ledger entries: the note; compliance violations: the acknowledgement comment;
- invitations: the Telegram id that redeemed them; API tokens bound to them are revoked;
- audit entries about the person, their leave requests, punches and violations: the personal fields inside
  (names, contact, Telegram ids, reasons, notes, comments, locations);
- outbox messages sent to their chat, and those about their leave requests or rest warnings: the text.

A person under a legal hold is never anonymised. Every anonymisation writes one audit entry
(``anonymise`` / ``employee``) saying why and how many rows were touched — never what was removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, Conflict
from shared.model import (
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
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.lookups import get_employee
from shared.services.org.tokens import revoke_employee_tokens

REPLACED = "[anonymised]"
PERSONAL_KEYS = frozenset(
    {
        "full_name",
        "email",
        "phone",
        "telegram_user_id",
        "used_by_telegram_id",
        "device_user_id",
        "reason",
        "decision_comment",
        "attachment_file_id",
        "note",
        "override_reason",
        "acknowledgement_comment",
        "latitude",
        "longitude",
        "distance_m",
        "comment",
        "hold_reason",
        "name",
    }
)
LEGAL_HOLD = N_("{name} is under a legal hold: their data cannot be anonymised until HR lifts the hold.")
ALREADY = N_("{name}'s personal data was already anonymised on {date}.")


def scrub(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """An audit entry's values with the personal fields replaced (nested dictionaries too)."""
    if values is None:
        return None
    found: dict[str, Any] = {}
    for key, value in values.items():
        if key in PERSONAL_KEYS and value is not None:
            found[key] = REPLACED
        elif isinstance(value, dict):
            found[key] = scrub(value)
        else:
            found[key] = value
    return found


def _chunks(ids: Sequence[Any], size: int = 1000) -> Iterable[list[Any]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


async def _ids(session: AsyncSession, column: Any, where: Any) -> list[int]:
    return list(await session.scalars(select(column).where(where)))


async def _scrub_audit(session: AsyncSession, entity: str, ids: Sequence[int]) -> int:
    touched = 0
    for chunk in _chunks([str(i) for i in ids]):
        for row in await session.scalars(
            select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id.in_(chunk))
        ):
            old, new = scrub(row.old), scrub(row.new)
            if old != row.old or new != row.new:
                row.old, row.new = old, new
                touched += 1
    return touched


async def _scrub_outbox(session: AsyncSession, employee: Employee, request_ids: Sequence[int]) -> int:
    conditions: list[Any] = [OutboxMessage.ref.like(f"rest:{employee.id}:%"), OutboxMessage.employee_id == employee.id]
    if employee.telegram_user_id is not None:
        conditions.append(OutboxMessage.chat_id == employee.telegram_user_id)
    if employee.email:
        conditions.append(OutboxMessage.email_to == employee.email)
    for rid in request_ids[:500]:  # the approval messages and the documents sent with them
        conditions += [OutboxMessage.ref.like(f"leave:{rid}:%"), OutboxMessage.ref.like(f"leave-document:{rid}:%")]
    touched = 0
    for row in await session.scalars(select(OutboxMessage).where(or_(*conditions))):
        payload = dict(row.payload)
        for key in ("text", "caption", "filename", "subject", "html"):  # e-mails: subject and HTML part too
            if payload.get(key):
                payload[key] = REPLACED
        row.payload, row.attachment = payload, None
        if row.email_to is not None and (row.employee_id == employee.id or row.email_to == employee.email):
            row.email_to = None  # the address is personal data (an unsent mail to it then goes dead)
        touched += 1
    return touched


def check_can_anonymise(employee: Employee) -> None:
    """Conflict (409) when the person is under a legal hold or already anonymised."""
    if employee.legal_hold:
        raise Conflict(LEGAL_HOLD, name=employee.full_name)
    if employee.anonymised_at is not None:
        raise Conflict(ALREADY, name=employee.full_name, date=employee.anonymised_at.date())


async def anonymise_employee(
    session: AsyncSession, *, actor: Actor, employee_id: int, now: dt.datetime, why: str
) -> dict[str, int]:
    """Anonymise one person now (see the module docstring); returns how many rows of each kind were touched."""
    employee = await session.get(Employee, employee_id, with_for_update=True) or await get_employee(
        session, employee_id
    )
    check_can_anonymise(employee)
    punch_ids = await _ids(session, Punch.id, Punch.employee_id == employee.id)
    request_ids = await _ids(session, LeaveRequest.id, LeaveRequest.employee_id == employee.id)
    violation_ids = await _ids(session, ComplianceViolation.id, ComplianceViolation.employee_id == employee.id)
    counts = {
        "punches": len(punch_ids),
        "leave_requests": len(request_ids),
        "outbox": await _scrub_outbox(session, employee, request_ids),
    }
    await session.execute(
        update(Punch)
        .where(Punch.employee_id == employee.id)
        .values(latitude=None, longitude=None, distance_m=None, note=None)
    )
    await session.execute(
        update(DailyAttendance)
        .where(DailyAttendance.employee_id == employee.id, DailyAttendance.override_reason.is_not(None))
        .values(override_reason=REPLACED)
    )
    await session.execute(
        update(LeaveRequest)
        .where(LeaveRequest.employee_id == employee.id)
        .values(reason=None, decision_comment=None, attachment_file_id=None)
    )
    await session.execute(
        update(LeaveLedgerEntry)
        .where(LeaveLedgerEntry.employee_id == employee.id, LeaveLedgerEntry.note.is_not(None))
        .values(note=REPLACED)
    )
    await session.execute(
        update(ComplianceViolation)
        .where(ComplianceViolation.employee_id == employee.id, ComplianceViolation.acknowledgement_comment.is_not(None))
        .values(acknowledgement_comment=REPLACED)
    )
    await session.execute(
        update(Invitation).where(Invitation.employee_id == employee.id).values(used_by_telegram_id=None)
    )
    counts["audit_entries"] = (
        await _scrub_audit(session, "employee", [employee.id])
        + await _scrub_audit(session, "leave_request", request_ids)
        + await _scrub_audit(session, "punch", punch_ids)
        + await _scrub_audit(session, "compliance_violation", violation_ids)
    )
    await revoke_employee_tokens(session, employee_id=employee.id, actor=actor, now=now)
    employee.full_name = f"Anonymised {employee.code}"
    employee.email = employee.phone = None
    employee.telegram_user_id = None
    employee.device_user_id = None
    employee.active = False
    employee.anonymised_at = now
    await session.flush()
    audit(session, actor, "anonymise", "employee", employee.id, new={"why": why, **counts})
    return counts
