"""The web chat's side panel: devices, today's attendance so far, what waits.

"In now" is counted as `/team` counts it (the same service, as seen by the admin, who sees everyone): a
person is in when they checked in within their current shift, so a night worker who left at 06:00 and a
day worker who has not arrived yet are not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from shared.domain.enums import LeaveStatus, OutboxStatus, Role
from shared.model import Device, Employee, LeaveRequest, OutboxMessage, Punch
from shared.persistence import Database
from shared.services.attendance.processing import local_bounds, today_in
from shared.services.notify.team import team_today


async def demo_status(db: Database, zone: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    today = today_in(zone, now)
    start, end = local_bounds(today, zone)
    async with db.session() as session:
        devices = [
            {
                "name": d.name,
                "status": d.status.value,
                "last_success_at": d.last_success_at.isoformat() if d.last_success_at else None,
                "record_count": d.last_record_count,
            }
            for d in await session.scalars(select(Device).order_by(Device.name))
        ]
        admin = await session.scalar(select(Employee.id).where(Employee.role == Role.ADMIN).order_by(Employee.id))
        team = await team_today(session, manager_id=admin, now=now, company_timezone=zone) if admin else None
        checked_in = len(team.present) + len(team.late) if team else 0
        punches = await session.scalar(select(func.count(Punch.id)).where(Punch.instant >= start, Punch.instant < end))
        on_leave = await session.scalar(
            select(func.count(LeaveRequest.id)).where(
                LeaveRequest.status == LeaveStatus.APPROVED,
                LeaveRequest.start_date <= today,
                LeaveRequest.end_date >= today,
            )
        )
        pending = await session.scalar(
            select(func.count(LeaveRequest.id)).where(LeaveRequest.status == LeaveStatus.PENDING)
        )
        backlog = await session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        unknown = await session.scalar(
            select(func.count(Punch.id)).where(Punch.employee_id.is_(None), Punch.instant >= start - timedelta(days=7))
        )
    return {
        "devices": devices,
        "today": {
            "Checked in": checked_in,
            "Punches": int(punches or 0),
            "On leave": int(on_leave or 0),
            "Requests pending": int(pending or 0),
            "Unknown badge punches (7 days)": int(unknown or 0),
            "Messages queued": int(backlog or 0),
        },
    }
