"""What a device sync reads back from the database: badges to employees, and whether rows are stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from sqlalchemy import select

from shared.model import Employee, Punch
from shared.persistence import Database
from shared.services.attendance.punch_store import INSTANT, USER, PunchRow


async def employee_ids_by_badge(db: Database) -> dict[str, int]:
    """Employee ids by their device user id (badge), for matching a device's records."""
    async with db.session() as session:
        rows = await session.execute(
            select(Employee.device_user_id, Employee.id).where(Employee.device_user_id.is_not(None))
        )
        return {str(user): employee for user, employee in rows.all()}


async def all_stored(db: Database, device_id: int, rows: Sequence[PunchRow]) -> bool:
    """Whether every row read from the device is already stored (a device log may then be cleared)."""
    if not rows:
        return True
    low, high = min(r[INSTANT] for r in rows), max(r[INSTANT] for r in rows)
    async with db.session() as session:
        found = await session.execute(
            select(Punch.device_user_id, Punch.instant).where(
                Punch.device_id == device_id, Punch.instant >= low, Punch.instant <= high
            )
        )
        stored = {(user, instant.astimezone(UTC)) for user, instant in found.all()}
    return all((r[USER], r[INSTANT]) in stored for r in rows)
