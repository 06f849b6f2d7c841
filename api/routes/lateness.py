"""Lateness notices: the crossings of the lateness policy (LATENESS_COUNT late arrivals in a period), and
HR's waiver, which reverses the deduction exactly."""

from __future__ import annotations

from fastapi import APIRouter

from api.access import Caller, EmployeeAccessDep
from api.deps import DatabaseDep, IdPath, IdQuery, NowDep, PageDep, SettingsDep
from api.schemas.common import ERRORS, Page
from api.schemas.timekeeping import LatenessOut, WaiveBody
from shared.domain.enums import LatenessStatus
from shared.services.leave.queries import employee_today
from shared.services.timekeeping import queries
from shared.services.timekeeping.lateness import waive_lateness

router = APIRouter(prefix="/lateness-notices", tags=["lateness"], responses=ERRORS)


@router.get("", summary="List lateness notices", description="Newest first. Manager tokens see their line.")
async def list_notices(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    employee_id: IdQuery = None,
    status: LatenessStatus | None = None,
) -> Page[LatenessOut]:
    async with db.session() as session:
        found = await queries.list_lateness_notices(
            session, limit=page.limit, offset=page.offset, visible=await access.visible_ids(),
            employee_id=employee_id, status=status,
        )  # fmt: skip
    return Page[LatenessOut].of(found)


@router.post(
    "/{notice_id}/waive",
    summary="Waive a lateness notice (HR): its deduction is reversed in the ledger",
    description="A second waiver changes nothing and answers the notice as it is. The person and their "
    "manager are told.",
)
async def waive(
    notice_id: IdPath, body: WaiveBody, principal: Caller, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> LatenessOut:
    async with db.transaction() as session:
        owner = await queries.notice_owner(session, notice_id=notice_id)
        today = await employee_today(session, employee_id=owner, company_timezone=settings.company_timezone, now=now)
        outcome = await waive_lateness(
            session, actor=principal.actor, notice_id=notice_id, reason=body.reason, today=today, now=now
        )
        return LatenessOut.model_validate(outcome.notice)
