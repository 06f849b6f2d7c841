"""Leave balances per type as of a date (posted, reserved by pending requests, projected to year end)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DatabaseDep, IdPath, NowDep, SettingsDep
from api.schemas.balances import BalanceLineOut, BalancesOut
from api.schemas.common import ERRORS, Day
from shared.services.leave.balances import balances
from shared.services.leave.queries import employee_today

router = APIRouter(prefix="/balances", tags=["balances"], responses=ERRORS)


@router.get("/{employee_id}", summary="An employee's balance of every active leave type")
async def get_balances(
    employee_id: IdPath,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    as_of: Annotated[Day | None, Query(description="Defaults to today in the employee's zone")] = None,
) -> BalancesOut:
    async with db.session() as session:
        day = as_of or await employee_today(
            session, employee_id=employee_id, company_timezone=settings.company_timezone, now=now
        )
        lines = await balances(session, employee_id=employee_id, as_of=day)
    return BalancesOut(
        employee_id=employee_id, as_of=day, balances=[BalanceLineOut.model_validate(line) for line in lines]
    )
