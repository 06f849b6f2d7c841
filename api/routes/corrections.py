"""Missed-punch corrections: list, read, ask on an employee's behalf (HR), approve, reject.

The same services as the bot's ``/correct`` and its buttons: an approval writes a punch of source
``correction`` and re-processes the day; the employee and the approver are told in Telegram.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from api.access import Caller, EmployeeAccess, EmployeeAccessDep
from api.cache import DIGEST
from api.deps import DatabaseDep, IdPath, IdQuery, NowDep, PageDep, ReportCacheDep, check_date_order
from api.schemas.common import ERRORS, Day, Page
from api.schemas.leaves import DecisionBody, RejectBody
from api.schemas.timekeeping import CorrectionCreate, CorrectionOut
from shared.domain.enums import CorrectionStatus
from shared.errors import N_, Conflict
from shared.model import PunchCorrection
from shared.services.timekeeping import queries
from shared.services.timekeeping.corrections import CorrectionOutcome, decide_correction, request_correction

router = APIRouter(prefix="/corrections", tags=["corrections"], responses=ERRORS)


class AlreadyDecided(Conflict):
    code = "already_decided"


ALREADY = {
    CorrectionStatus.APPROVED: N_("This correction has already been approved by {name}."),
    CorrectionStatus.REJECTED: N_("This correction has already been rejected by {name}."),
}


async def _shown(access: EmployeeAccess, row: PunchCorrection) -> CorrectionOut:
    answer = CorrectionOut.model_validate(row)
    if await access.sees_leave_reasons(row.employee_id, row.approver_id):
        return answer
    return answer.without_reasons()


@router.get(
    "",
    summary="List missed-punch corrections",
    description="Newest day first. Manager tokens see their reporting line and the corrections routed to them.",
)
async def list_corrections(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    employee_id: IdQuery = None,
    status: CorrectionStatus | None = None,
    date_from: Annotated[Day | None, Query(description="On or after this day")] = None,
    date_to: Annotated[Day | None, Query(description="On or before this day")] = None,
) -> Page[CorrectionOut]:
    check_date_order(date_from, date_to)
    async with db.session() as session:
        found = await queries.list_corrections(
            session, limit=page.limit, offset=page.offset, visible=await access.visible_ids(),
            approver_id=access.principal.employee_id, employee_id=employee_id, status=status,
            date_from=date_from, date_to=date_to,
        )  # fmt: skip
    return Page[CorrectionOut](
        items=[await _shown(access, row) for row in found.items], total=found.total, limit=found.limit,
        offset=found.offset,
    )  # fmt: skip


@router.get("/{correction_id}", summary="Read a missed-punch correction")
async def get_correction(correction_id: IdPath, access: EmployeeAccessDep, db: DatabaseDep) -> CorrectionOut:
    async with db.session() as session:
        row = await queries.get_correction(session, correction_id=correction_id)
    await access.ensure_request(row.employee_id, row.approver_id)
    return await _shown(access, row)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for a missed punch on an employee's behalf (HR)",
    description="The day, the local time, in or out, and why. The correction is routed to the employee's "
    "approver, who gets Approve / Reject buttons in Telegram. 422 for a day in the future or beyond the "
    "lookback, a time that does not belong to the day, or no reason; 409 when a correction of the same punch "
    "already waits. Send an `Idempotency-Key` header to retry safely.",
)
async def create_correction(
    body: CorrectionCreate,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    now: NowDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=120, description="Any unique string of yours, e.g. a UUID, per request")
    ] = None,
) -> CorrectionOut:
    async with db.transaction() as session:
        row = await request_correction(
            session, actor=principal.actor, employee_id=body.employee_id, day=body.date, at=body.time,
            direction=body.direction, reason=body.reason, now=now, idempotency_key=idempotency_key,
        )  # fmt: skip
    return await _shown(access, row)


DECISION_ERRORS = (
    "403 when the token is not the correction's approver, HR or admin (or it is its own); 409 with code "
    "already_decided when someone decided first. An approval writes a punch of source `correction` and "
    "re-processes the day at once."
)


async def _decide(
    correction_id: int, principal: Caller, access: EmployeeAccess, db: DatabaseDep, now: NowDep, *,
    approve: bool, comment: str | None,
) -> CorrectionOut:  # fmt: skip
    async with db.session() as session:
        found = await queries.get_correction(session, correction_id=correction_id)
        employee_id, approver_id = found.employee_id, found.approver_id
    await access.ensure_request(employee_id, approver_id)
    async with db.transaction() as session:
        outcome: CorrectionOutcome = await decide_correction(
            session, actor=principal.actor, correction_id=correction_id, approve=approve, comment=comment, now=now
        )
        if not outcome.changed:
            done = outcome.correction
            raise AlreadyDecided(ALREADY[done.status], name=done.decided_by or "?")
        answer = await _shown(access, outcome.correction)
    return answer


@router.post("/{correction_id}/approve", summary="Approve a missed-punch correction", description=DECISION_ERRORS)
async def approve_correction(
    correction_id: IdPath,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    cache: ReportCacheDep,
    now: NowDep,
    body: DecisionBody | None = None,
) -> CorrectionOut:
    answer = await _decide(
        correction_id, principal, access, db, now, approve=True, comment=body.comment if body else None
    )
    await cache.forget(DIGEST)
    return answer


@router.post(
    "/{correction_id}/reject",
    summary="Reject a missed-punch correction with a reason (told to the employee)",
    description=DECISION_ERRORS,
)
async def reject_correction(
    correction_id: IdPath,
    body: RejectBody,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    now: NowDep,
) -> CorrectionOut:
    return await _decide(correction_id, principal, access, db, now, approve=False, comment=body.reason)
