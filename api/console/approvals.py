"""Approvals: the requests waiting on me (all pending ones for HR) with the team's absences beside each;
approve or reject with a reason (``shared.services.leave.decisions``, as the bot's buttons and the API);
a request's page with its attachment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

import httpx
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.access import Caller, EmployeeAccessDep
from api.console.web import back_to, reader, render
from api.deps import DatabaseDep, IdPath, NowDep, SettingsDep
from shared.domain.enums import LeaveStatus
from shared.errors import N_, ChronosError, Forbidden, NotFound
from shared.services.leave import queries
from shared.services.leave.decisions import decide_leave, pending_for
from shared.services.notify.team import team_overlaps

router = APIRouter(prefix="/console", include_in_schema=False)


@dataclass(frozen=True)
class Waiting:
    """A pending request as the page shows it: the request with names, who of the team is away then, and
    whether it is routed to the reader."""

    row: queries.LeaveRow
    overlaps: list[tuple[str, date, date]]
    mine: bool


NO_ATTACHMENT = N_("This request has no attachment.")
ATTACHMENT_UNAVAILABLE = N_("The attachment could not be fetched from Telegram; try again later.")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class AttachmentUnavailable(ChronosError):
    code = "unavailable"
    status = 502


@router.get("/approvals")
async def approvals(
    request: Request,
    caller: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    show: Annotated[Literal["mine", "all"], Query()] = "all",
) -> Response:
    """Pending requests this person decides (HR: every pending request, or only those routed to them),
    oldest start first."""
    items: list[Waiting] = []
    mine_only = access.limited or show == "mine"
    async with db.session() as session:
        if mine_only:  # a manager (or HR asking): what is routed to them
            waiting = await pending_for(session, approver_id=caller.employee_id or 0)
            rows = [await queries.get_leave_row(session, request_id=r.id) for r in waiting]
        else:  # HR and admin: every pending request
            page = await queries.list_leave_requests(session, limit=500, offset=0, status=LeaveStatus.PENDING)
            rows = page.items
        for row in rows:
            overlaps = await team_overlaps(
                session, employee_id=row.request.employee_id, start=row.request.start_date, end=row.request.end_date
            )
            mine = row.request.approver_id == caller.employee_id
            items.append(Waiting(row, overlaps, mine))
    items.sort(key=lambda item: (item.row.request.start_date, item.row.request.id))
    return render(request, "approvals.html", items=items, hr=not access.limited, show=show)


async def _reachable(access: EmployeeAccessDep, db: DatabaseDep, request_id: int) -> queries.LeaveRow:
    async with db.session() as session:
        row = await queries.get_leave_row(session, request_id=request_id)
    await access.ensure_request(row.request.employee_id, row.request.approver_id)
    return row


@router.get("/leaves/{request_id}")
async def leave_page(request: Request, request_id: IdPath, access: EmployeeAccessDep, db: DatabaseDep) -> Response:
    row = await _reachable(access, db, request_id)
    reasons = await access.sees_leave_reasons(row.request.employee_id, row.request.approver_id)
    return render(request, "leave.html", row=row, reasons=reasons)


@router.get("/leaves/{request_id}/attachment")
async def attachment(request_id: IdPath, access: EmployeeAccessDep, db: DatabaseDep, settings: SettingsDep) -> Response:
    """The file the employee sent with the request, fetched from Telegram (getFile, then the file URL)."""
    row = await _reachable(access, db, request_id)
    if not await access.sees_leave_reasons(row.request.employee_id, row.request.approver_id):
        raise Forbidden(N_("Only HR and the employee's managers see a leave request's attachment."))
    file_id = row.request.attachment_file_id
    if not file_id:
        raise NotFound(NO_ATTACHMENT)
    token = settings.telegram_bot_token
    try:
        async with httpx.AsyncClient(timeout=settings.telegram_timeout_seconds, trust_env=False) as http:
            described = await http.get(f"{settings.telegram_api_url}{token}/getFile", params={"file_id": file_id})
            path = described.json()["result"]["file_path"]
            content = await http.get(f"{settings.telegram_file_base_url}{token}/{path}")
            content.raise_for_status()
    except (httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
        raise AttachmentUnavailable(ATTACHMENT_UNAVAILABLE) from exc
    if len(content.content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentUnavailable(ATTACHMENT_UNAVAILABLE)
    name = path.rsplit("/", 1)[-1] or "attachment"
    return Response(
        content.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


async def _decide(
    request: Request,
    caller: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    settings: SettingsDep,
    now: datetime,
    request_id: int,
    *,
    approve: bool,
    reason: str | None,
) -> Response:
    row = await _reachable(access, db, request_id)
    t = reader(request)
    try:
        async with db.transaction() as session:
            today = await queries.employee_today(
                session, employee_id=row.request.employee_id, company_timezone=settings.company_timezone, now=now
            )
            outcome = await decide_leave(
                session, actor=caller.actor, request_id=request_id, approve=approve, comment=reason, today=today,
                now=now,
            )  # fmt: skip
    except ChronosError as refused:
        if refused.status == 403:
            raise
        return render(request, "error.html", http_status=refused.status, status_code=refused.status,
                      message=refused.render(t))  # fmt: skip
    if not outcome.changed:
        message = t(N_("This request has already been decided by {name}."), name=outcome.decided_by or "?")
        return render(request, "error.html", http_status=409, status_code=409, message=message)
    return RedirectResponse(back_to(request, "/console/approvals"), status_code=303)


@router.post("/leaves/{request_id}/approve")
async def approve(
    request: Request, request_id: IdPath, caller: Caller, access: EmployeeAccessDep, db: DatabaseDep,
    settings: SettingsDep, now: NowDep, comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    return await _decide(request, caller, access, db, settings, now, request_id, approve=True, reason=comment)


@router.post("/leaves/{request_id}/reject")
async def reject(
    request: Request, request_id: IdPath, caller: Caller, access: EmployeeAccessDep, db: DatabaseDep,
    settings: SettingsDep, now: NowDep, reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    return await _decide(request, caller, access, db, settings, now, request_id, approve=False, reason=reason)
