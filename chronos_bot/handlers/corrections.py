"""/correct: a missed punch — the day → check-in or check-out → the time → the reason; and the approver's buttons.

The day and the direction are buttons of the prompt the flow waits on; the time and the reason are typed
(free-text prompts that expire on a change of subject). The request goes through ``request_correction`` with
an idempotency key kept in the session, so a redelivered update makes one correction. The approver's
Approve / Reject buttons carry only the correction's id: ``decide_correction`` re-checks who may decide and
is idempotent (a second press is answered with who decided).
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import date, time

from telegram import ForceReply

from chronos_bot import callbacks, keyboards, state
from chronos_bot.calendar import Cell
from chronos_bot.handlers.common import FORGED, STALE, audit_press, require_manager, with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.turn import Turn
from shared.domain.enums import CorrectionStatus, Direction
from shared.errors import ChronosError, Forbidden, NotFound
from shared.model import PunchCorrection
from shared.notify import timekeeping_messages as msg
from shared.services.lookups import get_employee
from shared.services.timekeeping.corrections import (
    CorrectionOutcome,
    correction_day_choices,
    decide_correction,
    pending_corrections,
    request_correction,
    view_of,
)

DAY_CHOICES = 7
PENDING_LIMIT = 20
TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.h ]?([0-5]\d)\s*$")


def parse_time(text: str) -> time | None:
    """``18:10``, ``18.10``, ``1810``, ``8:05`` → a time; anything else → None."""
    found = TIME.match(text or "")
    return time(int(found.group(1)), int(found.group(2))) if found else None


async def begin(turn: Turn) -> None:
    """/correct: which day is the punch missing on?"""
    days = correction_day_choices(now=turn.now, tz=turn.timezone, days=DAY_CHOICES)
    t = turn.t
    labels = [t("Today"), t("Yesterday")]
    rows = [
        [Cell(labels[i] if i < 2 else t.format_date(d, "EEE d MMM"), callbacks.correction_day(d))]
        for i, d in enumerate(days)
    ]
    rows.append([Cell(t("✖️ Cancel"), callbacks.CORRECTION_STOP)])
    state.begin(turn.session, Flow.CORRECT, Step.DAY, key=uuid.uuid4().hex)
    await turn.say(t("🕒 Which day is the punch missing on?"), keyboards.inline(rows), remember="msg")


def _current(turn: Turn, step: Step) -> bool:
    message = turn.query.message if turn.query else None
    return (
        state.in_step(turn.session, Flow.CORRECT, step)
        and message is not None
        and turn.session.data.get("msg") == message.message_id
    )


async def _over(turn: Turn) -> None:
    await turn.answer(turn.t("This question is over. Use /correct to start again."), alert=True)


async def on_day(turn: Turn) -> None:
    """A day pressed: check-in or check-out?"""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.day is None or not _current(turn, Step.DAY):
        return await _over(turn)
    turn.session.data["day"] = press.day.isoformat()
    state.goto(turn.session, Step.DIRECTION)
    t = turn.t
    rows = [
        [Cell(t("📍 Check-in"), callbacks.correction_direction("in")),
         Cell(t("🏁 Check-out"), callbacks.correction_direction("out"))],
        [Cell(t("✖️ Cancel"), callbacks.CORRECTION_STOP)],
    ]  # fmt: skip
    text = t("🕒 {day}: which punch is missing?", day=t.format_date(press.day, "full"))
    await turn.edit(text, keyboards.inline(rows))


async def on_direction(turn: Turn) -> None:
    """In or out pressed: ask the time."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.token is None or not _current(turn, Step.DIRECTION):
        return await _over(turn)
    turn.session.data["direction"] = press.token
    state.goto(turn.session, Step.TIME)
    t = turn.t
    day = date.fromisoformat(turn.session.data["day"])
    what = t("check-in") if press.token == "in" else t("check-out")
    await turn.edit(t("🕒 {day}: missing {what}.", day=t.format_date(day, "full"), what=what))
    await turn.say(
        t("At what time? Reply like 18:10, or /cancel."),
        ForceReply(selective=True, input_field_placeholder="18:10"),
    )


async def on_time(turn: Turn) -> None:
    """The typed time: ask why the punch is missing."""
    text = (turn.message.text if turn.message else "") or ""
    found = parse_time(text)
    t = turn.t
    if found is None:
        await turn.say(t("I did not understand that time. Reply like 18:10, or /cancel."))
        return
    turn.session.data["time"] = found.strftime("%H:%M")
    state.goto(turn.session, Step.REASON)
    await turn.say(
        t("Why is the punch missing? (e.g. forgot, the device was down)"),
        ForceReply(selective=True, input_field_placeholder=t("Reason")),
    )


async def on_reason(turn: Turn) -> None:
    """The reason: send the correction to the approver."""
    reason = ((turn.message.text if turn.message else "") or "").strip()
    data = turn.session.data
    day, at = date.fromisoformat(data["day"]), time.fromisoformat(data["time"])
    direction = Direction.IN if data.get("direction") == "in" else Direction.OUT
    try:
        async with turn.deps.db.transaction() as session:
            correction = await request_correction(
                session, actor=turn.actor, employee_id=turn.me.id, day=day, at=at, direction=direction,
                reason=reason, now=turn.now, idempotency_key=f"bot:{data.get('key')}",
            )  # fmt: skip
            approver = await get_employee(session, correction.approver_id) if correction.approver_id else None
    except ChronosError as exc:
        state.clear(turn.session)
        await with_menu(turn, html.escape(exc.render(turn.t)) + "\n" + turn.t("Use /correct to try again."))
        return
    state.clear(turn.session)
    turn.deps.wake_sender()
    who = html.escape(approver.full_name) if approver is not None else turn.t("HR")
    await with_menu(turn, turn.t("📨 Correction #{id} sent to {who} for approval.", id=correction.id, who=who))


async def on_stop(turn: Turn) -> None:
    """Cancel pressed in the flow."""
    if state.in_step(turn.session, Flow.CORRECT):
        state.clear(turn.session)
    await turn.edit(turn.t("Correction cancelled: nothing was sent."))


# ----- the approver's side -----


async def waiting(turn: Turn) -> None:
    """/corrections: the corrections that wait for my decision, each with Approve / Reject."""
    require_manager(turn)
    async with turn.deps.db.session() as session:
        found = await pending_corrections(session, approver_id=turn.me.id, include_unrouted=turn.actor.is_hr)
        cards = []
        for correction in found[:PENDING_LIMIT]:
            if correction.employee_id == turn.me.id:
                continue
            employee = await get_employee(session, correction.employee_id)
            cards.append(msg.correction_request(turn.me.locale or turn.t.locale, view_of(correction, employee)))
    if not cards:
        await with_menu(turn, turn.t("No correction waits for your decision."))
        return
    for text, keyboard in cards:
        await turn.say(text, keyboards.from_outbox(keyboard))


async def on_decision(turn: Turn) -> None:
    """Approve or Reject pressed on a correction: decide now, or ask the reason for a rejection."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.kind != "correction" or press.request_id is None:
        await _refuse(turn, None, "malformed")
        return
    if press.approve:
        await _approve(turn, press.request_id)
    else:
        await _ask_reason(turn, press.request_id)


async def _approve(turn: Turn, correction_id: int) -> None:
    try:
        async with turn.deps.db.transaction() as session:
            outcome = await decide_correction(
                session, actor=turn.actor, correction_id=correction_id, approve=True, now=turn.now
            )
    except (Forbidden, NotFound) as exc:
        await _refuse(turn, correction_id, getattr(exc, "code", "forbidden"))
        return
    await turn.edit(await _decided_text(turn, outcome))
    if not outcome.changed:
        await audit_press(turn, STALE, "punch_correction", correction_id, outcome.correction.status.value)
        await turn.answer(_already(turn, outcome), alert=True)
        return
    turn.deps.wake_sender()
    await turn.answer(turn.t("✅ Approved"))


async def _ask_reason(turn: Turn, correction_id: int) -> None:
    async with turn.deps.db.session() as session:
        correction = await session.get(PunchCorrection, correction_id)
        employee = await get_employee(session, correction.employee_id) if correction is not None else None
    if correction is None or employee is None:
        await _refuse(turn, correction_id, "not_found")
        return
    if correction.status is not CorrectionStatus.PENDING:
        outcome = CorrectionOutcome(correction, False)
        await audit_press(turn, STALE, "punch_correction", correction_id, correction.status.value)
        await turn.edit(await _decided_text(turn, outcome))
        await turn.answer(_already(turn, outcome), alert=True)
        return
    mine = turn.actor.is_hr or correction.approver_id == turn.me.id
    if not mine or correction.employee_id == turn.me.id:
        await _refuse(turn, correction_id, "not_approver")
        return
    message = turn.query.message if turn.query else None
    state.begin(turn.session, Flow.REJECT_CORRECTION, Step.REASON, correction_id=correction_id,
                msg=message.message_id if message else None, name=employee.full_name)  # fmt: skip
    turn.toast(turn.t("Please give a reason."))
    await turn.say(
        turn.t("Why do you reject the correction of {name}? Reply with the reason, or /cancel to keep it waiting.",
               name=html.escape(employee.full_name)),
        ForceReply(selective=True, input_field_placeholder=turn.t("Reason")),
    )  # fmt: skip


async def on_reject_reason(turn: Turn) -> None:
    """The reason for rejecting a correction: reject now (unless someone decided meanwhile)."""
    text = ((turn.message.text if turn.message else "") or "").strip()
    correction_id = int(turn.session.data.get("correction_id") or 0)
    message_id = turn.session.data.get("msg")
    state.clear(turn.session)
    try:
        async with turn.deps.db.transaction() as session:
            outcome = await decide_correction(
                session, actor=turn.actor, correction_id=correction_id, approve=False, comment=text, now=turn.now
            )
    except ChronosError as exc:
        await with_menu(turn, html.escape(exc.render(turn.t)))
        return
    if isinstance(message_id, int):
        await turn.edit_message(message_id, await _decided_text(turn, outcome))
    if not outcome.changed:
        await with_menu(turn, _already(turn, outcome))
        return
    turn.deps.wake_sender()
    await with_menu(turn, turn.t("❌ Rejected. The employee has been told."))


async def _decided_text(turn: Turn, outcome: CorrectionOutcome) -> str:
    correction = outcome.correction
    async with turn.deps.db.session() as session:
        employee = await get_employee(session, correction.employee_id)
    view = view_of(correction, employee)
    return msg.correction_decided(turn.me.locale, view, correction.decided_by or "?", correction.decided_at or turn.now)


def _already(turn: Turn, outcome: CorrectionOutcome) -> str:
    t = turn.t
    correction = outcome.correction
    when = t.format_time(correction.decided_at, tz=turn.timezone) if correction.decided_at else "?"
    who = correction.decided_by or "?"
    if correction.status is CorrectionStatus.APPROVED:
        return t("Already approved by {who} at {time}.", who=who, time=when)
    return t("Already rejected by {who} at {time}.", who=who, time=when)


async def _refuse(turn: Turn, correction_id: int | None, reason: str) -> None:
    await audit_press(turn, FORGED, "punch_correction", correction_id, reason)
    await turn.answer(turn.t("⛔ You cannot decide on this correction."), alert=True)
