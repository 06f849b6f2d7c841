"""Deciding leave from an e-mail link (:mod:`shared.services.leave.mail_links` issues them).

Opening a link (GET) acts on nothing: the API shows the request and a form (mail scanners fetch every link).
The form's POST calls :func:`act_on_decision_link`, which locks the link row, refuses a used or expired link,
and decides through :func:`shared.services.leave.decisions.decide_leave` as the link's approver — the very
rules of the Telegram buttons (the current approver or HR decides, never on their own request; a rejection
needs a reason; a request decided meanwhile is reported, not decided twice). The link is marked used in the
same transaction, so two POSTs of one link make one decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.action_links import LinkState, link_state
from shared.domain.employment import has_access
from shared.domain.enums import LeaveStatus
from shared.errors import N_, Conflict, Forbidden, NotFound
from shared.model import ActionLink, LeaveRequest
from shared.notify.leave_messages import LeaveView
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.leave.decisions import DecisionOutcome, decide_leave
from shared.services.leave.mail_links import APPROVE, PURPOSE, REJECT, token_hash
from shared.services.leave.notify import leave_view
from shared.services.lookups import get_employee, get_leave_type
from shared.services.reach import locale_of


@dataclass(frozen=True)
class OpenedLink:
    """What the confirmation page shows: the link's state, the request, and whose link it is."""

    state: LinkState
    view: LeaveView
    locale: str
    approver_name: str
    request_pending: bool
    used_for: str | None


async def _link(session: AsyncSession, token: str, *, lock: bool = False) -> ActionLink:
    query = select(ActionLink).where(ActionLink.token_hash == token_hash(token), ActionLink.purpose == PURPOSE)
    link = await session.scalar(query.with_for_update() if lock else query)
    if link is None or link.leave_request_id is None:
        raise NotFound(N_("This link is not valid. Open the newest e-mail, or decide in the bot."))
    return link


async def open_decision_link(session: AsyncSession, *, token: str, now: datetime) -> OpenedLink:
    """Read a link (a GET): nothing is written."""
    link = await _link(session, token)
    request = await session.get(LeaveRequest, link.leave_request_id)
    if request is None:
        raise NotFound(N_("This link is not valid. Open the newest e-mail, or decide in the bot."))
    approver = await get_employee(session, link.employee_id)
    employee = await get_employee(session, request.employee_id)
    view = leave_view(request, employee, await get_leave_type(session, request.leave_type_id))
    state = link_state(expires_at=link.expires_at, used_at=link.used_at, now=now)
    return OpenedLink(state, view, locale_of(approver), approver.full_name, request.status is LeaveStatus.PENDING,
                      link.used_for)  # fmt: skip


async def act_on_decision_link(
    session: AsyncSession, *, token: str, approve: bool, comment: str | None, today: date, now: datetime
) -> DecisionOutcome:
    """Decide as the link's approver (a POST of the confirmation form); the link is used up in this transaction."""
    link = await _link(session, token, lock=True)
    state = link_state(expires_at=link.expires_at, used_at=link.used_at, now=now)
    if state is LinkState.USED:
        raise Conflict(N_("This link was already used."))
    if state is LinkState.EXPIRED:
        raise Conflict(N_("This link has expired. Decide in the bot, or with /pending."))
    approver = await get_employee(session, link.employee_id)
    if not has_access(approver.active, approver.leaving_date, today):
        raise Forbidden(N_("Your access has ended; this link no longer works."))
    actor = Actor.for_employee(approver.id, approver.role)
    assert link.leave_request_id is not None
    outcome = await decide_leave(
        session, actor=actor, request_id=link.leave_request_id, approve=approve, comment=comment, today=today, now=now
    )
    link.used_at = now
    link.used_for = APPROVE if approve else REJECT
    used = {"leave_request_id": link.leave_request_id, "action": link.used_for, "changed": outcome.changed}
    audit(session, actor, "use_link", "action_link", link.id, new=used)
    return outcome
