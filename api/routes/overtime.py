"""Overtime per person and day, the decisions on it, and time off in lieu.

Processing records overtime on the daily rows; a manager (the person's approver) or HR approves or rejects
a range of days (the bot sends a weekly summary with the same buttons). Approval credits the time-off-in-lieu
leave type through the ledger; HR can take an approved day back (a reversal, never an edit).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from api.access import Caller, EmployeeAccessDep
from api.deps import DatabaseDep, IdPath, IdQuery, NowDep, PageDep, SettingsDep, check_date_order
from api.schemas.common import ERRORS, Day, Page
from api.schemas.timekeeping import OvertimeApprove, OvertimeDecisionOut, OvertimeOut, OvertimeReject, OvertimeReverse
from shared.errors import N_, Invalid
from shared.services.leave.queries import employee_today
from shared.services.timekeeping import queries
from shared.services.timekeeping.overtime import MAX_SPAN_DAYS, OvertimeOutcome, decide_overtime, reverse_overtime
from shared.services.timekeeping.queries import OvertimeRow

router = APIRouter(prefix="/overtime", tags=["overtime"], responses=ERRORS)


@router.get(
    "",
    summary="Days with overtime and their decisions",
    description="Final days with overtime minutes in [date_from, date_to] (at most 62 days; default: the last "
    "7 days), by date then person; status `pending` until someone decides. Manager tokens see their line.",
)
async def list_overtime(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    settings: SettingsDep,
    now: NowDep,
    employee_id: IdQuery = None,
    date_from: Annotated[Day | None, Query()] = None,
    date_to: Annotated[Day | None, Query()] = None,
) -> Page[OvertimeOut]:
    check_date_order(date_from, date_to)
    last = date_to or now.astimezone(settings.tz).date()
    first = date_from or last - timedelta(days=6)
    if (last - first).days > MAX_SPAN_DAYS:
        raise Invalid(N_("Pick a range of at most {n} days, the end not before the start."), n=MAX_SPAN_DAYS)
    visible = await access.visible_ids()
    async with db.session() as session:
        rows, total = await queries.list_overtime(
            session, date_from=first, date_to=last, visible=visible, employee_id=employee_id, limit=page.limit,
            offset=page.offset,
        )  # fmt: skip
    return Page[OvertimeOut](items=[OvertimeOut.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


def _answer(outcome: OvertimeOutcome) -> OvertimeDecisionOut:
    decided = [
        OvertimeOut.of(
            OvertimeRow(d.employee_id, d.date, d.minutes, d.status, d.credit_days, d.decided_by, d.decided_at)
        )
        for d in outcome.decisions
    ]
    return OvertimeDecisionOut(decided=decided, minutes=outcome.minutes, credit_days=outcome.credit_days)


async def _decide(
    employee_id: int, first: date, last: date, principal: Caller, db: DatabaseDep, settings: SettingsDep,
    now: NowDep, *, approve: bool, comment: str | None,
) -> OvertimeDecisionOut:  # fmt: skip
    check_date_order(first, last)
    async with db.transaction() as session:
        today = await employee_today(
            session, employee_id=employee_id, company_timezone=settings.company_timezone, now=now
        )
        outcome = await decide_overtime(
            session, actor=principal.actor, employee_id=employee_id, date_from=first, date_to=last,
            approve=approve, comment=comment, today=today, now=now,
        )  # fmt: skip
        return _answer(outcome)


DECISION_NOTE = (
    "Decides every undecided final day with overtime of the person in the range (an empty `decided` list "
    "when nothing was left to decide). 403 unless the token is the person's approver, HR or admin."
)


@router.post(
    "/{employee_id}/approve",
    summary="Approve a person's overtime in a date range (credits time off in lieu)",
    description=DECISION_NOTE,
)
async def approve_overtime(
    employee_id: IdPath, body: OvertimeApprove, principal: Caller, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> OvertimeDecisionOut:
    return await _decide(
        employee_id, body.date_from, body.date_to, principal, db, settings, now, approve=True, comment=body.comment
    )


@router.post("/{employee_id}/reject", summary="Reject a person's overtime in a date range", description=DECISION_NOTE)
async def reject_overtime(
    employee_id: IdPath, body: OvertimeReject, principal: Caller, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> OvertimeDecisionOut:
    return await _decide(
        employee_id, body.date_from, body.date_to, principal, db, settings, now, approve=False, comment=body.reason
    )


@router.post(
    "/{employee_id}/reverse",
    summary="Take back an approved overtime day (HR): the credit is reversed in the ledger",
    description="409 when the day's overtime is not approved (pending, rejected or already reversed).",
)
async def reverse(
    employee_id: IdPath, body: OvertimeReverse, principal: Caller, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> OvertimeOut:
    async with db.transaction() as session:
        today = await employee_today(
            session, employee_id=employee_id, company_timezone=settings.company_timezone, now=now
        )
        row = await reverse_overtime(
            session, actor=principal.actor, employee_id=employee_id, day=body.date, reason=body.reason, today=today,
            now=now,
        )  # fmt: skip
        return OvertimeOut.of(
            OvertimeRow(row.employee_id, row.date, row.minutes, row.status, row.credit_days, row.decided_by,
                        row.decided_at)
        )  # fmt: skip
