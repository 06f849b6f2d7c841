"""Leave requests: list, read, quote, ask on an employee's behalf, approve, reject, cancel.

The same services as the bot's buttons, so the same rules, ledger postings, audit rows and Telegram
notifications. Manager tokens see and decide only for their reporting line (and the requests routed to
them); the services still check that the decider is the request's approver (or HR) and not its owner.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from api.access import Caller, EmployeeAccess, EmployeeAccessDep
from api.cache import DIGEST, ResponseCache
from api.deps import (
    DatabaseDep,
    IdPath,
    IdQuery,
    NowDep,
    PageDep,
    Principal,
    ReportCacheDep,
    SettingsDep,
    check_date_order,
)
from api.errors import request_translator
from api.schemas.common import ERRORS, Day, Page
from api.schemas.leaves import (
    AttendanceRefreshOut,
    CancelBody,
    DecisionBody,
    LeaveCreate,
    LeaveOut,
    LeaveQuoteRequest,
    QuoteOut,
    RejectBody,
    ViolationOut,
    YearQuoteOut,
)
from shared.config import Settings
from shared.domain.enums import LeaveStatus
from shared.domain.leave_state import Action, transition_violation
from shared.errors import N_, Conflict, Forbidden
from shared.persistence import Database
from shared.services.attendance.refresh import refreshed_in
from shared.services.leave import queries as queries_leave
from shared.services.leave.attachments import fetch_attachment
from shared.services.leave.decisions import DecisionOutcome, decide_leave
from shared.services.leave.queries import Scope, employee_today, get_leave_row
from shared.services.leave.requests import cancel_leave, quote_leave, request_leave

router = APIRouter(prefix="/leaves", tags=["leaves"], responses=ERRORS)

ALREADY = {
    LeaveStatus.APPROVED: N_("This request has already been approved by {name}."),
    LeaveStatus.REJECTED: N_("This request has already been rejected by {name}."),
    LeaveStatus.CANCELLED: N_("This request has already been cancelled by {name}."),
    LeaveStatus.PENDING: N_("This approval level has already been approved by {name}."),
}


class AlreadyDecided(Conflict):
    code = "already_decided"


def already_decided(outcome: DecisionOutcome) -> Conflict:
    """409 naming who decided (or cancelled) first; the details carry that outcome as it stands."""
    current = outcome.request.status
    facts = [
        {"field": "status", "value": current.value},
        {"field": "decided_by", "value": outcome.decided_by or ""},
        {"field": "decided_at", "value": outcome.decided_at.isoformat() if outcome.decided_at else ""},
    ]
    if outcome.decided_by and current in ALREADY:
        error = AlreadyDecided(ALREADY[current], name=outcome.decided_by, details={"problems": facts})
    else:
        violation = transition_violation(current, Action.APPROVE)
        message = violation.message if violation else N_("This request has already been decided.")
        error = AlreadyDecided(message, details={"problems": facts})
    if current is LeaveStatus.CANCELLED:
        error.code = "already_cancelled"
    return error


@router.get(
    "",
    summary="List leave requests",
    description="Requests whose dates overlap [date_from, date_to] (either end may be left open), latest start "
    "first. Manager tokens see their reporting line and the requests routed to them.",
)
async def list_leaves(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    employee_id: IdQuery = None,
    status: LeaveStatus | None = None,
    date_from: Annotated[Day | None, Query(description="Overlapping on or after this date")] = None,
    date_to: Annotated[Day | None, Query(description="Overlapping on or before this date")] = None,
    approver_id: IdQuery = None,
    leave_type_id: IdQuery = None,
) -> Page[LeaveOut]:
    check_date_order(date_from, date_to)
    line = await access.visible_ids()
    scope = Scope(line, access.principal.employee_id) if line is not None else queries_leave.EVERYTHING
    async with db.session() as session:
        found = await queries_leave.list_leave_requests(
            session,
            limit=page.limit,
            offset=page.offset,
            scope=scope,
            employee_id=employee_id,
            status=status,
            date_from=date_from,
            date_to=date_to,
            approver_id=approver_id,
            leave_type_id=leave_type_id,
        )
    answer = Page[LeaveOut].of(found, LeaveOut.of)
    answer.items = [await _shown(access, item) for item in answer.items]
    return answer


@router.get("/{request_id}", summary="Read a leave request")
async def get_leave(request_id: IdPath, access: EmployeeAccessDep, db: DatabaseDep) -> LeaveOut:
    async with db.session() as session:
        row = await get_leave_row(session, request_id=request_id)
    await access.ensure_request(row.request.employee_id, row.request.approver_id)
    return await _shown(access, LeaveOut.of(row))


async def _shown(access: EmployeeAccess, leave: LeaveOut) -> LeaveOut:
    """Reason, comment and attachment only for readers entitled to them (HR, managers, the approver)."""
    if await access.sees_leave_reasons(leave.employee_id, leave.approver_id):
        return leave
    return leave.without_reasons()


@router.get(
    "/{request_id}/attachment",
    summary="Download the document attached to a request (e.g. a sick note)",
    description="The file the employee sent the bot, fetched from Telegram. For HR, admin, the person's managers "
    "and the request's approver (like the reason). 404 when the request has no document; 503 when Telegram "
    "cannot be asked now.",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The document"}},
)
async def get_attachment(request_id: IdPath, request: Request, access: EmployeeAccessDep, db: DatabaseDep) -> Response:
    async with db.session() as session:
        row = await get_leave_row(session, request_id=request_id)
        await access.ensure_request(row.request.employee_id, row.request.approver_id)
        if not await access.sees_leave_reasons(row.request.employee_id, row.request.approver_id):
            raise Forbidden(N_("Only HR, the person's managers and the approver may see this document."))
        found = await fetch_attachment(session, request_id=request_id, files=request.app.state.files)
    return Response(
        content=found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"', "Cache-Control": "no-store"},
    )


@router.post(
    "/quote",
    summary="Check a prospective request against every rule (writes nothing)",
    description="Working days, the balance before and after, who would decide, and every rule the request "
    "would break, each with its reason in the request's language.",
)
async def quote(
    body: LeaveQuoteRequest,
    request: Request,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
) -> QuoteOut:
    await access.ensure(body.employee_id)
    async with db.session() as session:
        today = await employee_today(
            session, employee_id=body.employee_id, company_timezone=settings.company_timezone, now=now
        )
        found = await quote_leave(session, **body.service_args(), today=today, has_attachment=body.has_attachment)
    t = request_translator(request)
    return QuoteOut(
        ok=found.ok,
        working_days=found.working_days,
        year=found.year,
        balance=found.balance,
        reserved=found.reserved,
        balance_after=found.balance_after,
        years=[
            YearQuoteOut(
                year=y.year,
                working_days=y.working_days,
                balance=y.balance,
                reserved=y.reserved,
                balance_after=y.balance_after,
            )
            for y in found.years
        ],
        approver_id=found.approver_id,
        approver_name=found.approver_name,
        level=found.level,
        minutes=found.hours.minutes if found.hours else None,
        auto_approved=found.auto_approved,
        violations=[
            ViolationOut(code=v.code, step=str(v.field) if v.field else None, message=v.render(t))
            for v in found.violations
        ],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for leave on an employee's behalf (HR)",
    description="Every rule of the bot applies; a broken one answers 409 (overlap, balance, blackout, team "
    "capacity) or 422 (dates, notice, half days, attachment) with the rule's code and reason. The request is "
    "routed to its approver, who is notified in Telegram; a type without approval is approved at once. "
    "Send an `Idempotency-Key` header to retry safely: a repeated call with the same key returns the request "
    "the first one made (a different request under a used key is a 422).",
)
async def create_leave(
    body: LeaveCreate,
    principal: Caller,
    db: DatabaseDep,
    settings: SettingsDep,
    cache: ReportCacheDep,
    now: NowDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=120, description="Any unique string of yours, e.g. a UUID, per request")
    ] = None,
) -> LeaveOut:
    async with db.transaction() as session:
        today = await employee_today(
            session, employee_id=body.employee_id, company_timezone=settings.company_timezone, now=now
        )
        created = await request_leave(
            session,
            actor=principal.actor,
            **body.service_args(),
            reason=body.reason,
            attachment_file_id=body.attachment_file_id,
            today=today,
            now=now,
            idempotency_key=idempotency_key,
        )
        answer = LeaveOut.of(await get_leave_row(session, request_id=created.id))
        answer.attendance = AttendanceRefreshOut.of(refreshed_in(session))
    await cache.forget(DIGEST)  # an approved leave changes who is out
    return answer


async def _check_access(access: EmployeeAccessDep, db: Database, request_id: int, *, approver_may: bool) -> int:
    """404 for an unknown request, 403 outside the token's reach; returns whose request it is.

    Read in a session of its own: the service must be the first to load the row in its transaction
    (it locks it, and an earlier copy in the session would hide a concurrent decision).
    """
    async with db.session() as session:
        found = await queries_leave.get_leave_request(session, request_id=request_id)
        employee_id, approver_id = found.employee_id, found.approver_id
    if approver_may:
        await access.ensure_request(employee_id, approver_id)
    else:
        await access.ensure(employee_id)
    return employee_id


async def _act_on(
    request_id: int,
    access: EmployeeAccessDep,
    db: Database,
    settings: Settings,
    cache: ResponseCache,
    now: datetime,
    act: Callable[[AsyncSession, date], Awaitable[None]],
    *,
    approver_may: bool = True,
) -> LeaveOut:
    """Check the token may act on the request, run ``act(session, today)`` in one transaction (today where
    the employee is), answer the request as it is now; the digest's cached answers are forgotten."""
    employee_id = await _check_access(access, db, request_id, approver_may=approver_may)
    async with db.transaction() as session:
        today = await employee_today(
            session, employee_id=employee_id, company_timezone=settings.company_timezone, now=now
        )
        await act(session, today)
        answer = LeaveOut.of(await get_leave_row(session, request_id=request_id))
        answer.attendance = AttendanceRefreshOut.of(refreshed_in(session))
    await cache.forget(DIGEST)
    return answer


def _decision(
    principal: Principal, request_id: int, now: datetime, *, approve: bool, comment: str | None, level: int | None
) -> Callable[[AsyncSession, date], Awaitable[None]]:
    async def decide(session: AsyncSession, today: date) -> None:
        outcome = await decide_leave(
            session,
            actor=principal.actor,
            request_id=request_id,
            approve=approve,
            comment=comment,
            level=level,
            today=today,
            now=now,
        )
        if not outcome.changed:
            raise already_decided(outcome)

    return decide


DECISION_ERRORS = (
    "403 when the token is not the request's approver, HR or admin (or it is its own request); 409 with "
    "code already_decided (details: status, decided_by, decided_at) when someone decided first (with `level`: "
    "when that level of the approval chain was already decided). Approving a level with a next level passes "
    "the request on: it stays pending, at the next `stage`, with its new approver."
)


@router.post("/{request_id}/approve", summary="Approve a pending request", description=DECISION_ERRORS)
async def approve_leave(
    request_id: IdPath,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    cache: ReportCacheDep,
    now: NowDep,
    body: DecisionBody | None = None,
) -> LeaveOut:
    decide = _decision(
        principal, request_id, now, approve=True, comment=body.comment if body else None,
        level=body.level if body else None,
    )  # fmt: skip
    return await _act_on(request_id, access, db, settings, cache, now, decide)


@router.post(
    "/{request_id}/reject",
    summary="Reject a pending request with a reason (told to the employee)",
    description=DECISION_ERRORS,
)
async def reject_leave(
    request_id: IdPath,
    body: RejectBody,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    cache: ReportCacheDep,
    now: NowDep,
) -> LeaveOut:
    decide = _decision(principal, request_id, now, approve=False, comment=body.reason, level=body.level)
    return await _act_on(request_id, access, db, settings, cache, now, decide)


@router.post(
    "/{request_id}/cancel",
    summary="Cancel a pending request, or an approved one before it ends (the days come back)",
    description="HR and admin cancel any request; a manager token only its own. 409 when the "
    "request is already cancelled or decided against, or the leave has ended.",
)
async def cancel(
    request_id: IdPath,
    principal: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    cache: ReportCacheDep,
    now: NowDep,
    body: CancelBody | None = None,
) -> LeaveOut:
    async def cancel_it(session: AsyncSession, today: date) -> None:
        reason = body.reason if body else None
        await cancel_leave(session, actor=principal.actor, request_id=request_id, today=today, now=now, reason=reason)

    return await _act_on(request_id, access, db, settings, cache, now, cancel_it, approver_may=False)
