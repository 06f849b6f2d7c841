"""/lateness (HR): the latest lateness notices not waived, each with a Waive button that asks why.

``waive_lateness`` re-checks that the presser is HR (and not the person), reverses the deduction exactly and
is idempotent: a second waiver changes nothing.
"""

from __future__ import annotations

import html

from telegram import ForceReply

from chronos_bot import callbacks, keyboards, state
from chronos_bot.handlers.common import FORGED, STALE, audit_press, require_hr, with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.turn import Turn
from shared.domain.enums import LatenessStatus
from shared.errors import ChronosError
from shared.model import LatenessNotice
from shared.notify import timekeeping_messages as msg
from shared.services.timekeeping.lateness import active_notices, days_of, waive_lateness


async def lateness(turn: Turn) -> None:
    """/lateness: what HR may waive."""
    require_hr(turn)
    async with turn.deps.db.session() as session:
        found = await active_notices(session)
    if not found:
        await with_menu(turn, turn.t("No lateness notice is standing."))
        return
    await turn.say(turn.t("⚠️ <b>Lateness notices</b>"))
    for notice, name in found:
        text, keyboard = msg.lateness_card(turn.me.locale, notice.id, name, days_of(notice), notice.deducted_days)
        await turn.say(text, keyboards.from_outbox(keyboard))


async def on_waive(turn: Turn) -> None:
    """Waive pressed: ask why (HR only; the service checks again)."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    notice_id = press.number if press is not None else None
    async with turn.deps.db.session() as session:
        notice = await session.get(LatenessNotice, notice_id) if notice_id else None
    if notice is None or not turn.actor.is_hr or notice.employee_id == turn.me.id:
        await audit_press(turn, FORGED, "lateness_notice", notice_id, "not_hr" if notice else "not_found")
        await turn.answer(turn.t("⛔ You cannot waive this notice."), alert=True)
        return
    if notice.status is LatenessStatus.WAIVED:
        await audit_press(turn, STALE, "lateness_notice", notice_id, "waived")
        await turn.answer(turn.t("This notice was already waived."), alert=True)
        return
    message = turn.query.message if turn.query else None
    state.begin(turn.session, Flow.WAIVE, Step.REASON, notice_id=notice.id,
                msg=message.message_id if message else None)  # fmt: skip
    turn.toast(turn.t("Please give a reason."))
    await turn.say(
        turn.t("Why do you waive notice #{id}? Reply with the reason, or /cancel.", id=notice.id),
        ForceReply(selective=True, input_field_placeholder=turn.t("Reason")),
    )


async def on_waive_reason(turn: Turn) -> None:
    """The reason: waive now (the deduction is reversed)."""
    text = ((turn.message.text if turn.message else "") or "").strip()
    notice_id = int(turn.session.data.get("notice_id") or 0)
    message_id = turn.session.data.get("msg")
    state.clear(turn.session)
    try:
        async with turn.deps.db.transaction() as session:
            outcome = await waive_lateness(
                session, actor=turn.actor, notice_id=notice_id, reason=text, today=turn.today, now=turn.now
            )
    except ChronosError as exc:
        await with_menu(turn, html.escape(exc.render(turn.t)))
        return
    if isinstance(message_id, int):
        await turn.drop_buttons(message_id)
    if not outcome.changed:
        await with_menu(turn, turn.t("This notice was already waived."))
        return
    turn.deps.wake_sender()
    await with_menu(turn, turn.t("↩️ Notice #{id} waived; any deduction was reversed.", id=notice_id))
