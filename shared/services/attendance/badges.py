"""A badge that punched before anyone owned it: when HR gives it to an employee, the punches are theirs.

Devices store every punch, also from badges no employee has yet (the digest lists them as unknown). When
HR then sets an employee's ``device_user_id``, the punches of that badge from the last
ATTENDANCE_LOOKBACK_DAYS days are linked to the employee and those days are processed again, so the
absences they showed become the attendance they were. Older punches stay unlinked: history that payroll
may already have used is not rewritten silently.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.model import Employee, Punch
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days, zone
from shared.services.audit import audit


async def claim_badge_punches(session: AsyncSession, *, employee: Employee, actor: Actor, now: datetime) -> int:
    """Link the badge's recent unmatched punches to ``employee`` and re-process their days; returns how many."""
    if not employee.device_user_id or not employee.active:
        return 0
    settings = get_settings()
    since = now - timedelta(days=settings.attendance_lookback_days)
    claimed = (
        (
            await session.execute(
                update(Punch)
                .where(
                    Punch.employee_id.is_(None), Punch.device_user_id == employee.device_user_id, Punch.instant >= since
                )
                .values(employee_id=employee.id)
                .returning(Punch.instant)
            )
        )
        .scalars()
        .all()
    )
    if not claimed:
        return 0
    tz = zone(employee.timezone or settings.company_timezone)
    first = min(claimed).astimezone(tz).date() - timedelta(days=1)  # a night shift's morning belongs to the day before
    last = min(max(claimed).astimezone(tz).date(), now.astimezone(tz).date())
    await process_days(
        session,
        date_from=first,
        date_to=last,
        now=now,
        company_timezone=settings.company_timezone,
        employee_ids=[employee.id],
    )
    audit(
        session, actor, "claim_badge_punches", "employee", employee.id,
        new={"device_user_id": employee.device_user_id, "punches": len(claimed), "from": str(first), "to": str(last)},
    )  # fmt: skip
    return len(claimed)
