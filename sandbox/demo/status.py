"""The web chat's side panel: devices, today's attendance so far, what waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select

from shared.domain.enums import LeaveStatus, OutboxStatus
from shared.model import Device, LeaveRequest, OutboxMessage, Punch
from shared.persistence import Database
from shared.services.attendance.processing import local_bounds, today_in


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
        checked_in = await session.scalar(
            select(func.count(distinct(Punch.employee_id))).where(Punch.instant >= start, Punch.instant < end)
        )
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
            "Checked in": int(checked_in or 0),
            "Punches": int(punches or 0),
            "On leave": int(on_leave or 0),
            "Requests pending": int(pending or 0),
            "Unknown badge punches (7 days)": int(unknown or 0),
            "Messages queued": int(backlog or 0),
        },
    }
