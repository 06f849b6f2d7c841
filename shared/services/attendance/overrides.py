"""Days set by hand: HR overrides a day with a reason (processing keeps it) or takes the override back."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import AttendanceStatus
from shared.errors import N_, Forbidden, Invalid, NotFound
from shared.model import DailyAttendance
from shared.services.actor import Actor, ensure_not_self
from shared.services.attendance.processing import process_days
from shared.services.audit import audit, snapshot
from shared.services.lookups import get_employee


async def override_day(
    session: AsyncSession,
    *,
    actor: Actor,
    employee_id: int,
    day: date,
    status: AttendanceStatus,
    reason: str,
    worked_minutes: int | None = None,
    now: datetime,
) -> DailyAttendance:
    """HR sets a day by hand; nightly processing will keep it."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can override attendance."))
    ensure_not_self(actor, employee_id, N_("You cannot set your own attendance; ask another HR person."))
    if not reason or not reason.strip():
        raise Invalid(N_("An override needs a reason."))
    if worked_minutes is not None and not 0 <= worked_minutes <= 24 * 60:
        raise Invalid(N_("Worked minutes must be between 0 and 1440."))
    await get_employee(session, employee_id)
    row = await session.scalar(
        select(DailyAttendance)
        .where(DailyAttendance.employee_id == employee_id, DailyAttendance.date == day)
        .with_for_update()
    )
    before = snapshot(row) if row else None
    if row is None:
        row = DailyAttendance(employee_id=employee_id, date=day, status=status)
        session.add(row)
    row.status = status
    if worked_minutes is not None:
        row.worked_minutes = worked_minutes
    if status not in (AttendanceStatus.PRESENT, AttendanceStatus.INCOMPLETE):
        row.late_minutes = row.early_exit_minutes = 0
    row.manual_override = True
    row.override_reason = reason.strip()[:2000]
    row.override_by = actor.label
    row.is_final = True
    row.processed_at = now
    await session.flush()
    audit(session, actor, "override", "daily_attendance", row.id, old=before, new=snapshot(row))
    return row


async def clear_override(
    session: AsyncSession, *, actor: Actor, employee_id: int, day: date, now: datetime, company_timezone: str
) -> DailyAttendance | None:
    """HR takes a day set by hand back: it is computed from the punches again, in this transaction."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can override attendance."))
    ensure_not_self(actor, employee_id, N_("You cannot set your own attendance; ask another HR person."))
    await get_employee(session, employee_id)
    row = await session.scalar(
        select(DailyAttendance)
        .where(DailyAttendance.employee_id == employee_id, DailyAttendance.date == day)
        .with_for_update()
    )
    if row is None or not row.manual_override:
        raise NotFound(N_("There is no override of that day to remove."))
    before = snapshot(row)
    row.manual_override = False
    row.override_reason = row.override_by = None
    await session.flush()
    await process_days(
        session, date_from=day, date_to=day, now=now, company_timezone=company_timezone, employee_ids=[employee_id]
    )
    await session.refresh(row)
    audit(session, actor, "clear_override", "daily_attendance", row.id, old=before, new=snapshot(row))
    return row
