"""Today: who is in, late, not yet in, away or off shift, by department, with the devices' health;
the board refreshes itself (htmx polling every ``CONSOLE_REFRESH_SECONDS``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from api.access import Caller, EmployeeAccessDep
from api.console.web import reader, render
from api.deps import DatabaseDep, NowDep, SettingsDep
from api.policy import DEVICES_READ
from shared.config import Settings
from shared.domain.names import localized_name
from shared.model import Department, Employee
from shared.persistence import Database
from shared.services.devices.admin import list_devices
from shared.services.notify.team import team_today

router = APIRouter(prefix="/console", include_in_schema=False)
BUCKETS = ("late", "not_in", "present", "on_leave", "day_off")


async def _board(caller: Caller, db: Database, settings: Settings, now: datetime, locale: str) -> dict[str, Any]:
    """The board, with leave types and departments named in the reader's ``locale``."""
    async with db.session() as session:
        team = await team_today(
            session, manager_id=caller.employee_id or 0, now=now, company_timezone=settings.company_timezone,
            locale=locale,
        )  # fmt: skip
        ids = [m.employee_id for bucket in BUCKETS for m in getattr(team, bucket)]
        departments = {
            employee_id: localized_name(name, names, locale) if name else None
            for employee_id, name, names in (await session.execute(
                select(Employee.id, Department.name, Department.name_translations)
                .outerjoin(Department, Department.id == Employee.department_id)
                .where(Employee.id.in_(ids))
            )).all()
        }  # fmt: skip
        devices = []
        if DEVICES_READ.scope_for(caller.role) is not None:
            devices = list((await list_devices(session, limit=100, offset=0)).items)
    groups: dict[str, dict[str, list[object]]] = defaultdict(lambda: {b: [] for b in BUCKETS})
    for bucket in BUCKETS:
        for member in getattr(team, bucket):
            groups[departments.get(member.employee_id) or ""][bucket].append(member)
    return {"day": team.day, "groups": sorted(groups.items()), "devices": devices, "now": now}


@router.get("/today")
async def today(request: Request, caller: Caller, db: DatabaseDep, settings: SettingsDep, now: NowDep) -> Response:
    board = await _board(caller, db, settings, now, reader(request).locale)
    return render(request, "today.html", refresh=settings.console_refresh_seconds, tz=settings.company_timezone,
                  **board)  # fmt: skip


@router.get("/today/board")
async def today_board(
    request: Request, caller: Caller, access: EmployeeAccessDep, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> Response:
    """The board alone, for htmx to swap in."""
    board = await _board(caller, db, settings, now, reader(request).locale)
    return render(request, "_today_board.html", refresh=settings.console_refresh_seconds,
                  tz=settings.company_timezone, **board)  # fmt: skip
