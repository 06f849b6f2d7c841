"""/myleaves (history, with a cancel button where the rules allow it) and /balance (per type, to year end)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from chronos_bot import callbacks, keyboards
from chronos_bot.calendar import Cell
from chronos_bot.handlers.common import FORGED, STALE, audit_press, with_menu
from chronos_bot.turn import Turn
from shared.domain.enums import LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.domain.leave_state import NotAllowed, WrongState, can_cancel
from shared.errors import NotFound
from shared.model import LeaveRequest
from shared.notify.leave_messages import LeaveView, describe, format_dates, status_label
from shared.services.leave.balances import balances
from shared.services.leave.context import record_of
from shared.services.leave.notify import leave_view, rule_actor
from shared.services.leave.requests import cancel_leave
from shared.services.lookups import get_leave_type
from shared.services.org.profile import HistoryLine, leave_history
from shared.texts import HOURS, WORKING_DAYS, count, unpaid_note


async def _history(turn: Turn) -> tuple[str, InlineKeyboardMarkup | None]:
    """The list and its cancel buttons (only for requests the rules let me cancel today)."""
    async with turn.deps.db.session() as session:
        lines = await leave_history(session, employee_id=turn.me.id)
    t = turn.t
    if not lines:
        return t("You have no leave requests yet. Use /leave to ask for some."), None
    text = [t("🗂 <b>Your leave requests</b>")]
    rows = []
    who = rule_actor(turn.actor)
    for line in lines:
        r = line.request
        hourly = line.unit is LeaveUnit.HOURS
        view = LeaveView(r.id, turn.me.full_name, line.type_name, r.start_date, r.end_date, r.start_half,
                         r.end_half, r.working_days, r.reason, r.status)  # fmt: skip
        when = format_dates(t, view)
        if hourly and r.start_at is not None and r.end_at is not None:
            tz = turn.timezone
            when += f"{t.separator()}{t.format_time(r.start_at, tz=tz)}–{t.format_time(r.end_at, tz=tz)}"
        text.append(
            f"#{r.id} <b>{html.escape(line.type_in(t.locale))}</b>: {when} · "
            f"{html.escape(count(t, HOURS if hourly else WORKING_DAYS, r.working_days))} · {status_label(t, r.status)}"
        )
        if r.status is LeaveStatus.PENDING:
            text.append("   " + _where(turn, line))
        if r.status is LeaveStatus.REJECTED and r.decision_comment:
            text.append("    " + t("Reason given: {reason}", reason=html.escape(r.decision_comment)))
        if can_cancel(who, record_of(r), turn.today) is None:
            rows.append([Cell(t("Cancel #{id}", id=r.id), callbacks.cancel_request(r.id))])
    return "\n".join(text), keyboards.inline(rows) if rows else None


def _where(turn: Turn, line: HistoryLine) -> str:
    """Where a pending request stands: who decides it now, at which level of how many."""
    t = turn.t
    who = html.escape(line.waiting_on) if line.waiting_on else t("HR")
    if line.level is not None:
        return "⏳ " + t("waits for {name} (level {n} of {total})", name=who, n=line.level[0], total=line.level[1])
    return "⏳ " + t("waits for {name}", name=who)


async def my_leaves(turn: Turn) -> None:
    """/myleaves: my latest requests with their status."""
    text, markup = await _history(turn)
    await turn.say(text, markup)


async def on_cancel_request(turn: Turn) -> None:
    """Cancel #N pressed: cancel through the service (it re-checks who may and when), then refresh the list."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    request_id = press.request_id if press is not None else None
    if request_id is None:
        await audit_press(turn, FORGED, "leave_request", None, "malformed")
        await turn.answer(turn.t("This button is not valid."), alert=True)
        return
    if press is not None and press.token != "confirmed" and await _asks_first(turn, request_id):
        return
    try:
        async with turn.deps.db.transaction() as session:
            await cancel_leave(session, actor=turn.actor, request_id=request_id, today=turn.today, now=turn.now)
    except (NotAllowed, NotFound) as exc:
        await audit_press(turn, FORGED, "leave_request", request_id, getattr(exc, "code", "not_allowed"))
        await turn.answer(exc.render(turn.t), alert=True)
        return
    except WrongState as exc:
        await audit_press(turn, STALE, "leave_request", request_id, exc.code)
        answer, alert = exc.render(turn.t), True
    else:
        turn.deps.wake_sender()
        answer, alert = turn.t("🚫 Request #{id} cancelled.", id=request_id), False
    text, markup = await _history(turn)
    await turn.edit(text, markup)
    await turn.answer(answer, alert=alert)


async def _asks_first(turn: Turn, request_id: int) -> bool:
    """An approved leave is cancelled only after a second, explicit yes: ask, and say who will be told."""
    async with turn.deps.db.session() as session:
        request = await session.get(LeaveRequest, request_id)
        if request is None or request.employee_id != turn.me.id or request.status is not LeaveStatus.APPROVED:
            return False  # the service decides (and refuses what is not mine)
        leave_type = await get_leave_type(session, request.leave_type_id)
    t = turn.t
    view = leave_view(request, turn.me, leave_type)
    question = t("Cancel your approved leave #{id}? Your approver and HR will be told, and the days come back.",
                 id=request_id)  # fmt: skip
    rows = [[Cell(t("Yes, cancel it"), callbacks.confirm_cancel(request_id)),
             Cell(t("No, keep it"), callbacks.KEEP_LEAVE)]]  # fmt: skip
    await turn.edit(f"{question}\n\n{describe(t, view)}", keyboards.inline(rows))
    await turn.answer()
    return True


async def on_keep(turn: Turn) -> None:
    """ "No, keep it": the list again, nothing changed."""
    text, markup = await _history(turn)
    await turn.edit(text, markup)
    await turn.answer(turn.t("Nothing was cancelled."))


async def balance(turn: Turn) -> None:
    """/balance: per type what is left now, what pending requests hold, and the projection to Dec 31."""
    async with turn.deps.db.session() as session:
        lines = await balances(session, employee_id=turn.me.id, as_of=turn.today)
    t = turn.t
    year = turn.today.year
    text = [t("💼 <b>Your leave balance for {year}</b>", year=year)]
    for line in lines:
        noun = HOURS if line.unit is LeaveUnit.HOURS else WORKING_DAYS
        text.append(f"\n<b>{html.escape(line.name_for(t.locale))}</b>")
        if line.unlimited:
            text.append(t("No day limit: this leave is not counted against a balance.") + unpaid_note(t, line.paid))
            continue
        text.append(t("Available now: {days}", days=html.escape(count(t, noun, line.available))))
        if line.reserved:
            text.append(t("Held by pending requests: {days}", days=html.escape(count(t, noun, line.reserved))))
        text.append(t("By the end of {year}: {days}", year=year,
                      days=html.escape(count(t, noun, line.year_end))))  # fmt: skip
        text.append(t("For leave in {year}: up to {days}", year=line.next_year,
                      days=html.escape(count(t, noun, line.next_year_available))))  # fmt: skip
    if not lines:
        text.append(t("No leave types are set up yet."))
    await with_menu(turn, "\n".join(text))
