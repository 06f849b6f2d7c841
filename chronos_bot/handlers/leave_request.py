"""/leave: type → first day → last day → half days → reason → document → summary → Confirm / Edit / Cancel.

A type booked in hours asks one day and then the time range (typed, e.g. ``10:00-12:00``) instead of the
last day and half days.

Each callback below answers one question of the flow; ``leave_flow.advance`` asks the next one. The rules
are never checked here: ``quote_leave`` is asked after the dates and at the summary, and ``request_leave``
checks everything once more on Confirm. A broken rule sends the user back to the step that fixes it.
"""

from __future__ import annotations

import html
import logging
import uuid
from datetime import date

from chronos_bot import callbacks, keyboards, state
from chronos_bot.calendar import Cell
from chronos_bot.handlers import leave_flow
from chronos_bot.handlers.common import with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.texts import MANAGERS
from chronos_bot.turn import Turn
from shared.domain.enums import LeaveStatus
from shared.domain.hourly import LeaveUnit, parse_time_range
from shared.domain.leave import RuleViolated
from shared.model import Employee
from shared.services.leave.requests import request_leave
from shared.services.lookups import get_leave_type

log = logging.getLogger(__name__)
MAX_REASON = 500


async def begin(turn: Turn) -> None:
    """/leave or the button: a new request, starting with the type."""
    state.begin(turn.session, Flow.LEAVE, Step.TYPE, leave={"key": uuid.uuid4().hex})
    await leave_flow.advance(turn)


def _current(turn: Turn, *steps: Step) -> bool:
    """Whether the pressed button is on the question the flow is waiting for."""
    message = turn.query.message if turn.query else None
    return (
        state.in_step(turn.session, Flow.LEAVE, *steps)
        and message is not None
        and message.message_id == turn.session.data.get("msg")
    )


async def _over(turn: Turn) -> None:
    await turn.answer(turn.t("This step is over. Use /leave to start a new request."))


def _press(turn: Turn) -> callbacks.Callback:
    """The decoded press (registration only routes data of the right shape here; a date may still be
    impossible, e.g. ``cal:d:20261340``, which decodes to an empty press)."""
    return callbacks.decode(turn.query.data if turn.query else None) or callbacks.Callback("invalid")


def _question(turn: Turn) -> str:
    """The pressed message's text as HTML (to keep it when its buttons go)."""
    message = turn.query.message if turn.query else None
    return getattr(message, "text_html", None) or ""


async def _drop_prompt_buttons(turn: Turn) -> None:
    """Typed answers leave the question's buttons behind: remove them."""
    message_id = turn.session.data.get("msg")
    if isinstance(message_id, int):
        await turn.drop_buttons(message_id)


async def on_type(turn: Turn) -> None:
    """A type: remember whether it allows half days and needs a document, then go on."""
    if not _current(turn, Step.TYPE):
        return await _over(turn)
    async with turn.deps.db.session() as session:
        leave_type = await get_leave_type(session, _press(turn).number or 0)
    d = state.draft(turn.session)
    hourly = leave_type.unit is LeaveUnit.HOURS
    d.update(
        type_id=leave_type.id,
        type_name=leave_type.name_for(turn.t.locale),
        half_ok=leave_type.half_days_allowed and not hourly,
        doc=leave_type.attachment_required,
        hourly=hourly,
        backdate=leave_type.backdate_days,
    )
    await turn.edit(turn.t("Leave type: {type}", type=f"<b>{html.escape(leave_type.name_for(turn.t.locale))}</b>"))
    await leave_flow.advance(turn)


async def on_month(turn: Turn) -> None:
    """« or »: the same question on another month."""
    if not _current(turn, Step.START, Step.END):
        return await _over(turn)
    year, month = _press(turn).month or (0, 1)
    if not leave_flow.in_range(turn, year, month):
        return await turn.answer()
    await turn.edit_markup(keyboards.inline(await leave_flow.date_keyboard(turn, year, month)))


async def on_day(turn: Turn) -> None:
    """A day: the first day, or the last one (the dates are then checked at once)."""
    if not _current(turn, Step.START, Step.END):
        return await _over(turn)
    day = _press(turn).day
    if day is None:
        return await _over(turn)
    d = state.draft(turn.session)
    if turn.session.step == Step.START.value and day < leave_flow.earliest_day(turn):
        await turn.answer(past_day_text(turn), alert=True)  # refused at once, not after the last day
        return
    if turn.session.step == Step.START.value:
        state.forget(d, "dates")
        d["start"] = day.isoformat()
        if d.get("hourly"):  # hours are booked on one day: the time range comes next
            d["end"] = day.isoformat()
            await turn.edit(turn.t("Day: {date}", date=turn.t.format_date(day, "full")))
        else:
            await turn.edit(turn.t("First day: {date}", date=turn.t.format_date(day, "full")))
        await leave_flow.advance(turn)
        return
    start = state.start_of(d)
    if start is None or day < start:
        await turn.answer(turn.t("The last day cannot be before the first day."), alert=True)
        return
    await _set_end(turn, day)


def past_day_text(turn: Turn) -> str:
    back = int(state.draft(turn.session).get("backdate") or 0)
    if back:
        return turn.t.plural(
            "Leave of this type can start at most {n} day back. Pick a later day.",
            "Leave of this type can start at most {n} days back. Pick a later day.",
            back,
        )
    return turn.t("That day is in the past. Pick today or a later day.")


async def on_blocked_day(turn: Turn) -> None:
    """A day that does not pick (a day off, the past, a day already on leave): say why, change nothing."""
    if not _current(turn, Step.START, Step.END):
        return await _over(turn)
    await turn.answer(
        turn.t("This day cannot be picked: it is a day off, too early, or you already have leave then."), alert=True
    )


async def on_back(turn: Turn) -> None:
    """Back: from the first day to the leave type, from the last day to the first day."""
    if not _current(turn, Step.START, Step.END):
        return await _over(turn)
    d = state.draft(turn.session)
    state.forget(d, "type" if turn.session.step == Step.START.value else "dates")
    await turn.edit(_question(turn))
    await leave_flow.advance(turn)


async def on_back_to_summary(turn: Turn) -> None:
    """From "what would you like to change?" back to the summary, nothing changed."""
    if not _current(turn, Step.EDIT):
        return await _over(turn)
    await turn.edit(_question(turn))
    await leave_flow.advance(turn)


async def on_same_day(turn: Turn) -> None:
    """The "just that one day" button: the last day is the first day."""
    if not _current(turn, Step.END):
        return await _over(turn)
    start = state.start_of(state.draft(turn.session))
    assert start is not None
    await _set_end(turn, start)


async def _set_end(turn: Turn, day: date) -> None:
    d = state.draft(turn.session)
    d["end"] = day.isoformat()
    d.pop("half", None)
    start = state.start_of(d) or day
    t = turn.t
    dates = t.format_date(start, "full") if start == day else f"{t.format_date(start)} – {t.format_date(day)}"
    await turn.edit(t("Dates: {dates}", dates=dates))
    result = await leave_flow.quote(turn, has_attachment=None)
    if result.violations:
        await leave_flow.explain(turn, result.violations[0])
        return
    await leave_flow.advance(turn)


async def on_half(turn: Turn) -> None:
    """A half-day option: remember it and go on."""
    if not _current(turn, Step.HALF):
        return await _over(turn)
    option = _press(turn).token or ""
    d = state.draft(turn.session)
    start, end = state.start_of(d), state.end_of(d)
    if start is None or end is None or not state.valid_half(option, start, end):
        return await _over(turn)
    d["half"] = option
    label = leave_flow.half_label(turn, option, several=start != end)
    await turn.edit(turn.t("Days: {choice}", choice=label))
    await leave_flow.advance(turn)


async def on_times(turn: Turn) -> None:
    """Text at the hours step: the time range, checked against the shift, the minimum and the step at once."""
    text = ((turn.message.text if turn.message else "") or "").strip()
    found = parse_time_range(text)
    if found is None:
        await turn.say(turn.t("Please type the hours as a range, for example 10:00-12:00."))
        return
    await _drop_prompt_buttons(turn)
    d = state.draft(turn.session)
    d["times"] = f"{found[0].isoformat('minutes')}-{found[1].isoformat('minutes')}"
    result = await leave_flow.quote(turn, has_attachment=None)
    if result.violations:
        await leave_flow.explain(turn, result.violations[0])
        return
    await leave_flow.advance(turn)


async def on_reason(turn: Turn) -> None:
    """Text at the reason step: that is the reason."""
    text = ((turn.message.text if turn.message else "") or "").strip()[:MAX_REASON]
    await _drop_prompt_buttons(turn)
    state.draft(turn.session)["reason"] = text or None
    await leave_flow.advance(turn)


async def on_skip(turn: Turn) -> None:
    """Skip: no reason."""
    if not _current(turn, Step.REASON):
        return await _over(turn)
    state.draft(turn.session)["reason"] = None
    await turn.edit(turn.t("No reason given."))
    await leave_flow.advance(turn)


async def on_attachment(turn: Turn) -> None:
    """A photo or a file at the document step: keep its Telegram file id."""
    message = turn.message
    assert message is not None
    file = message.photo[-1] if message.photo else message.document
    if file is None:
        return
    await _drop_prompt_buttons(turn)
    state.draft(turn.session)["attachment"] = file.file_id
    await turn.say(turn.t("📎 Got it."))
    await leave_flow.advance(turn)


async def on_confirm(turn: Turn) -> None:
    """Confirm: make the request; the service checks every rule once more."""
    if not _current(turn, Step.CONFIRM):
        return await _over(turn)
    d = state.draft(turn.session)
    start, end = state.start_of(d), state.end_of(d)
    assert start is not None and end is not None
    start_half, end_half = state.halves(d.get("half"))
    start_time, end_time = state.times_of(d)
    try:
        async with turn.deps.db.transaction() as session:
            request = await request_leave(
                session, actor=turn.actor, employee_id=turn.me.id, leave_type_id=int(d["type_id"]),
                start=start, end=end, start_half=start_half, end_half=end_half, reason=d.get("reason"),
                attachment_file_id=d.get("attachment"), start_time=start_time, end_time=end_time,
                today=turn.today, now=turn.now,
                idempotency_key=state.confirm_key(d, start, end, start_half, end_half),
            )  # fmt: skip
            approver = await session.get(Employee, request.approver_id) if request.approver_id else None
    except RuleViolated as exc:
        await turn.edit(_question(turn))
        await leave_flow.explain(turn, exc.violation)
        return
    turn.deps.wake_sender()
    state.clear(turn.session)
    t = turn.t
    if request.status is LeaveStatus.APPROVED:
        done = t("✅ Booked: this type needs no approval.")
    elif approver is not None:
        done = t("📨 Sent to {name} for approval. I will tell you when they decide.",
                 name=html.escape(approver.full_name))  # fmt: skip
    else:
        done = t("📨 Sent to HR for approval. I will tell you when they decide.")
    if turn.me.role in MANAGERS and request.minutes is None:  # an approver going away: who decides meanwhile
        done += "\n" + t("While you are away, /delegate lets someone else decide your approvals.")
    await turn.edit(_question(turn))
    await with_menu(turn, done)
    turn.toast(t("Request sent"))


async def on_edit(turn: Turn) -> None:
    """Edit: which part of the request to change."""
    if not _current(turn, Step.CONFIRM):
        return await _over(turn)
    d = state.draft(turn.session)
    t = turn.t
    parts = [("type", t("Leave type")), ("dates", t("Day and hours") if d.get("hourly") else t("Dates"))]
    if d.get("half_ok"):
        parts.append(("half", t("Half days")))
    parts.append(("reason", t("Reason")))
    if d.get("doc"):
        parts.append(("attachment", t("Document")))
    rows = [[Cell(text, callbacks.edit_step(step))] for step, text in parts]
    rows.append([Cell(t("↩️ Back to the summary"), callbacks.leave_action("summary")), *leave_flow.cancel_row(turn)])
    state.goto(turn.session, Step.EDIT)
    await turn.edit(_question(turn) + "\n\n" + t("What would you like to change?"), keyboards.inline(rows))


async def on_edit_step(turn: Turn) -> None:
    """One part to change: forget it and ask it again (then back to the summary)."""
    if not _current(turn, Step.EDIT):
        return await _over(turn)
    state.forget(state.draft(turn.session), _press(turn).token or "dates")
    await turn.edit(_question(turn))
    await leave_flow.advance(turn)


async def on_cancel(turn: Turn) -> None:
    """Cancel (button): drop the request being made."""
    if not _current(turn):
        return await _over(turn)
    state.clear(turn.session)
    await turn.edit(_question(turn))
    await with_menu(turn, turn.t("Cancelled. What would you like to do?"))
