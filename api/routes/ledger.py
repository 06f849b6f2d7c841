"""The append-only leave ledger of an employee, and HR's adjustments to it."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, IdQuery, NowDep, PageDep, SettingsDep
from api.schemas.balances import LedgerAdjust, LedgerEntryOut
from api.schemas.common import ERRORS, Page
from shared.services.leave.balances import adjust_balance
from shared.services.leave.queries import employee_today, list_ledger

router = APIRouter(prefix="/ledger", tags=["balances"], responses=ERRORS)


@router.post(
    "/adjust",
    status_code=status.HTTP_201_CREATED,
    summary="Add an adjustment to an employee's balance (HR)",
    description="A new ledger entry with a note; existing entries are never edited.",
)
async def adjust(
    body: LedgerAdjust, principal: Caller, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> LedgerEntryOut:
    async with db.transaction() as session:
        day = body.effective_date or await employee_today(
            session, employee_id=body.employee_id, company_timezone=settings.company_timezone, now=now
        )
        entry = await adjust_balance(
            session,
            actor=principal.actor,
            employee_id=body.employee_id,
            leave_type_id=body.leave_type_id,
            delta=body.delta,
            note=body.note,
            on=day,
        )
        return LedgerEntryOut.model_validate(entry)


@router.get("/{employee_id}", summary="An employee's ledger entries, newest first")
async def get_ledger(
    employee_id: IdPath,
    db: DatabaseDep,
    page: PageDep,
    leave_type_id: IdQuery = None,
) -> Page[LedgerEntryOut]:
    async with db.session() as session:
        found = await list_ledger(
            session, employee_id=employee_id, limit=page.limit, offset=page.offset, leave_type_id=leave_type_id
        )
    return Page[LedgerEntryOut].of(found)
