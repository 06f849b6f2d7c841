"""The weekly overtime summary's buttons: approve or reject one person's overtime of that week.

The button carries the person and the week's Monday, never authority: ``decide_overtime`` checks the presser
is the person's approver or HR, and decides only what is still undecided (a second press finds nothing).
"""

from __future__ import annotations

import html
from datetime import timedelta

from chronos_bot import callbacks, keyboards
from chronos_bot.handlers.common import FORGED, STALE, audit_press, require_manager, with_menu
from chronos_bot.turn import Turn
from shared.domain.overtime import week_start
from shared.errors import ChronosError, Forbidden, NotFound
from shared.notify import timekeeping_messages as msg
from shared.services.lookups import get_employee
from shared.services.timekeeping.overtime import decide_overtime, overtime_waiting_for
from shared.texts import DAYS, count


async def waiting(turn: Turn) -> None:
    """/overtime: last week's and this week's undecided overtime of the people I approve, with buttons."""
    require_manager(turn)
    this_week = week_start(turn.today)
    summaries = []
    async with turn.deps.db.session() as session:
        for week in (this_week - timedelta(days=7), this_week):
            lines = await overtime_waiting_for(
                session, approver_id=turn.me.id, include_unrouted=turn.actor.is_hr, week=week, today=turn.today
            )
            if lines:
                summaries.append(msg.overtime_summary(turn.me.locale or turn.t.locale, week, lines[:20]))
    if not summaries:
        await with_menu(turn, turn.t("No overtime waits for your decision."))
        return
    for text, keyboard in summaries:
        await turn.say(text, keyboards.from_outbox(keyboard))


async def on_decision(turn: Turn) -> None:
    """✅ / ❌ pressed next to a person in the summary."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.employee_id is None or press.day is None:
        await audit_press(turn, FORGED, "overtime_decision", None, "malformed")
        await turn.answer(turn.t("This button is not valid."), alert=True)
        return
    week = press.day
    try:
        async with turn.deps.db.transaction() as session:
            outcome = await decide_overtime(
                session, actor=turn.actor, employee_id=press.employee_id, date_from=week,
                date_to=week + timedelta(days=6), approve=bool(press.approve), today=turn.today, now=turn.now,
            )  # fmt: skip
            name = (await get_employee(session, press.employee_id)).full_name
    except (Forbidden, NotFound) as exc:
        await audit_press(turn, FORGED, "overtime_decision", press.employee_id, getattr(exc, "code", "forbidden"))
        await turn.answer(turn.t("⛔ You cannot decide on this overtime."), alert=True)
        return
    except ChronosError as exc:
        await turn.fail(exc)
        return
    t = turn.t
    if not outcome.changed:
        await audit_press(turn, STALE, "overtime_decision", press.employee_id, "nothing_left")
        await turn.answer(t("The overtime of {name} that week is already decided.", name=name), alert=True)
        return
    turn.deps.wake_sender()
    if press.approve:
        text = t("✅ Overtime of {name} approved; time off in lieu: {days}.", name=html.escape(name),
                 days=count(t, DAYS, outcome.credit_days))  # fmt: skip
    else:
        text = t("❌ Overtime of {name} not approved.", name=html.escape(name))
    await turn.say(text)
    await turn.answer(t("Done"))
