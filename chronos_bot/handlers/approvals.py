"""Approvals: Approve / Reject buttons (re-authorised on every press), the reject reason, and /pending.

The button carries only the request id. ``decide_leave`` decides who may decide (the current approver or
HR) and is idempotent: a press on an already decided request changes nothing and is answered with who
decided and when. The pressed message is edited at once (the service also queues the same edit for every
approval message of the request through the outbox), so a second press has nothing left to press.
"""

from __future__ import annotations

import html

from telegram import ForceReply

from chronos_bot import callbacks, keyboards, state
from chronos_bot.handlers.common import FORGED, STALE, audit_press, require_manager, with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.turn import Turn
from shared.domain.enums import LeaveStatus
from shared.domain.leave_state import FORBIDDEN_CODES, can_decide
from shared.errors import Forbidden, NotFound
from shared.model import Employee, LeaveRequest
from shared.notify import leave_messages as msg
from shared.services.leave.context import record_of
from shared.services.leave.decisions import DecisionOutcome, decide_leave, pending_for
from shared.services.leave.levels import level_already_decided
from shared.services.leave.notify import chain_view, leave_view, rule_actor
from shared.services.lookups import get_employee, get_leave_type
from shared.services.notify.team import team_overlaps

PENDING_LIMIT = 20


async def on_decision(turn: Turn) -> None:
    """Approve or Reject pressed: decide now, or ask the reason for a rejection."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.kind != "decide" or press.request_id is None:
        await _refuse(turn, None, "malformed")
        return
    if press.approve:
        await _approve(turn, press.request_id, press.number)
    else:
        await _ask_reason(turn, press.request_id, press.number)


async def _approve(turn: Turn, request_id: int, level: int | None) -> None:
    try:
        async with turn.deps.db.transaction() as session:
            outcome = await decide_leave(
                session, actor=turn.actor, request_id=request_id, approve=True, level=level, today=turn.today,
                now=turn.now,
            )  # fmt: skip
    except (Forbidden, NotFound) as exc:
        await _refuse(turn, request_id, getattr(exc, "code", "forbidden"))
        return
    if not outcome.changed:
        await _stale(turn, outcome)
        return
    turn.deps.wake_sender()
    await turn.edit(await _decided_text(turn, outcome))
    if outcome.passed_to:
        await turn.answer(turn.t("✅ Approved; passed on to {name}", name=outcome.passed_to))
    else:
        await turn.answer(turn.t("✅ Approved"))


async def _ask_reason(turn: Turn, request_id: int, level: int | None) -> None:
    """Reject pressed: check the presser may decide, then ask why (a reply to a force-reply prompt)."""
    async with turn.deps.db.session() as session:
        request = await session.get(LeaveRequest, request_id)
        violation = can_decide(rule_actor(turn.actor), record_of(request)) if request is not None else None
        employee = await get_employee(session, request.employee_id) if request is not None else None
    if request is None or employee is None:
        await _refuse(turn, request_id, "not_found")
        return
    if request.status is not LeaveStatus.PENDING:
        outcome = DecisionOutcome(
            request, False, request.decided_by or request.cancelled_by, request.decided_at or request.cancelled_at
        )
        await _stale(turn, outcome)
        return
    if level is not None and request.stage != level:
        async with turn.deps.db.session() as session:
            await _stale(turn, await level_already_decided(session, request, level))
        return
    if violation is not None and violation.code in FORBIDDEN_CODES:
        await _refuse(turn, request_id, violation.code)
        return
    message = turn.query.message if turn.query else None
    state.begin(turn.session, Flow.REJECT, Step.REASON, request_id=request_id, level=level,
                msg=message.message_id if message else None, name=employee.full_name)  # fmt: skip
    turn.toast(turn.t("Please give a reason."))
    await turn.say(
        turn.t("Why do you reject the leave of {name}? Reply with the reason, or /cancel to keep it waiting.",
               name=html.escape(employee.full_name)),
        ForceReply(selective=True, input_field_placeholder=turn.t("Reason")),
    )  # fmt: skip


async def on_reject_reason(turn: Turn) -> None:
    """The reason for a rejection: reject now (unless someone decided meanwhile)."""
    text = ((turn.message.text if turn.message else "") or "").strip()
    request_id = int(turn.session.data.get("request_id") or 0)
    level = turn.session.data.get("level")
    message_id = turn.session.data.get("msg")
    state.clear(turn.session)
    try:
        async with turn.deps.db.transaction() as session:
            outcome = await decide_leave(
                session, actor=turn.actor, request_id=request_id, approve=False, comment=text,
                level=level if isinstance(level, int) else None, today=turn.today, now=turn.now,
            )  # fmt: skip
    except (Forbidden, NotFound) as exc:
        await with_menu(turn, html.escape(exc.render(turn.t)))
        return
    decided = await _decided_text(turn, outcome)
    if isinstance(message_id, int):
        await turn.edit_message(message_id, decided)
    if not outcome.changed:
        await with_menu(turn, _already(turn, outcome))
        return
    turn.deps.wake_sender()
    await with_menu(turn, turn.t("❌ Rejected. The employee has been told."))


async def pending(turn: Turn) -> None:
    """/pending: what waits on me, each with Approve / Reject."""
    async with turn.deps.db.session() as session:
        requests = await pending_for(session, approver_id=turn.me.id, include_unrouted=turn.actor.is_hr)
        cards = []
        for request in requests[:PENDING_LIMIT]:
            employee = await get_employee(session, request.employee_id)
            view = await chain_view(session, request, employee, await get_leave_type(session, request.leave_type_id))
            overlaps = await team_overlaps(
                session, employee_id=employee.id, start=request.start_date, end=request.end_date
            )
            cards.append(msg.approval_request(turn.me.locale or turn.t.locale, view, overlaps, None))
    if not requests:
        require_manager(turn)  # an employee with nothing delegated to them hears what /team says: managers only
        await with_menu(turn, turn.t("Nothing waits for your decision. 🎉"))
        return
    await turn.say(
        turn.t.plural("{n} request waits for your decision:", "{n} requests wait for your decision:", len(requests))
    )
    for text, keyboard in cards:
        await turn.say(text, keyboards.from_outbox(keyboard))


async def _decided_text(turn: Turn, outcome: DecisionOutcome) -> str:
    """The approval message once decided, exactly as the outbox edit will write it."""
    request = outcome.request
    async with turn.deps.db.session() as session:
        employee = await get_employee(session, request.employee_id)
        view = leave_view(request, employee, await get_leave_type(session, request.leave_type_id))
        holder = await session.get(Employee, request.approver_id) if request.approver_id else None
    at = outcome.decided_at or turn.now
    if request.status is LeaveStatus.PENDING:  # one level approved; the request waits at the next
        return msg.level_passed_for_approver(
            turn.me.locale, view, outcome.decided_by or "?", outcome.passed_to or (holder.full_name if holder else "?")
        )
    if request.status is LeaveStatus.CANCELLED:
        own = request.cancelled_by == f"employee:{employee.id}"
        return msg.cancelled_notice(turn.me.locale, view, employee.full_name if own else outcome.decided_by or "?")
    return msg.decided_for_approver(
        turn.me.locale, view, outcome.decided_by or "?", at, turn.deps.settings.company_timezone
    )


def _already(turn: Turn, outcome: DecisionOutcome) -> str:
    t = turn.t
    who = outcome.decided_by or "?"
    when = t.format_time(outcome.decided_at, tz=turn.timezone) if outcome.decided_at else "?"
    status = outcome.request.status
    if status in (LeaveStatus.APPROVED, LeaveStatus.PENDING):  # pending: this level was approved
        return t("Already approved by {who} at {time}.", who=who, time=when)
    if status is LeaveStatus.EXPIRED:
        return t("This request expired: nobody decided in time.")
    if status is LeaveStatus.REJECTED:
        return t("Already rejected by {who} at {time}.", who=who, time=when)
    return t("This request was cancelled at {time}.", time=when)


async def _stale(turn: Turn, outcome: DecisionOutcome) -> None:
    """A press on a request that is no longer pending: say who decided, drop the buttons, audit it."""
    await audit_press(turn, STALE, "leave_request", outcome.request.id, outcome.request.status.value)
    await turn.edit(await _decided_text(turn, outcome))
    await turn.answer(_already(turn, outcome), alert=True)


async def _refuse(turn: Turn, request_id: int | None, reason: str) -> None:
    """A press this user may not make (or on a request that does not exist): refuse and audit."""
    await audit_press(turn, FORGED, "leave_request", request_id, reason)
    await turn.answer(turn.t("⛔ You cannot decide on this request."), alert=True)
