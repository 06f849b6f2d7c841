"""/delegate: while I am away my approvals go to someone else — whom, for how long; and ending it early.

The person and the period are buttons (the period may be "during my leave" for leave of mine that is
coming). ``set_delegation`` checks everything again, writes the audit row and tells both people; requests
already waiting on me move to the delegate at once.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

from chronos_bot import callbacks, keyboards, state
from chronos_bot.calendar import Cell
from chronos_bot.handlers.common import require_manager, with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.turn import Turn
from shared.errors import ChronosError
from shared.model import Employee
from shared.services.leave.delegations import (
    delegate_candidates,
    end_delegation,
    list_delegations,
    own_leave_ahead,
    set_delegation,
)


async def delegate(turn: Turn) -> None:
    """/delegate: my delegations now, each with End; then whom to delegate to."""
    require_manager(turn)
    t = turn.t
    async with turn.deps.db.session() as session:
        current = await list_delegations(session, employee_id=turn.me.id, current_on=turn.today)
        people = await delegate_candidates(session, employee_id=turn.me.id)
    mine = [v for v in current if v.row.delegator_id == turn.me.id]
    if mine:
        lines = [t("🤝 <b>Your delegations</b>")]
        rows = []
        for view in mine:
            lines.append(t("{name}: {start} – {end}", name=html.escape(view.delegate_name),
                           start=t.format_date(view.row.start_date, "medium"),
                           end=t.format_date(view.row.end_date, "medium")))  # fmt: skip
            rows.append([Cell(t("End the delegation to {name}", name=view.delegate_name),
                              callbacks.end_delegation(view.row.id))])  # fmt: skip
        await turn.say("\n".join(lines), keyboards.inline(rows))
    if not people:
        await with_menu(turn, t("Nobody can be your delegate: nobody else who approves is linked to the bot."))
        return
    state.begin(turn.session, Flow.DELEGATE, Step.DELEGATE)
    rows = [[Cell(p.full_name, callbacks.delegate_person(p.id))] for p in people]
    await turn.say(t("Who should decide your approvals while you are away?"), keyboards.inline(rows), remember="msg")


def _current(turn: Turn) -> bool:
    message = turn.query.message if turn.query else None
    return (
        state.in_step(turn.session, Flow.DELEGATE, Step.DELEGATE)
        and message is not None
        and message.message_id == turn.session.data.get("msg")
    )


def _press(turn: Turn) -> callbacks.Callback:
    return callbacks.decode(turn.query.data if turn.query else None) or callbacks.Callback("invalid")


async def on_person(turn: Turn) -> None:
    """A person picked: for how long?"""
    if not _current(turn):
        return await turn.answer(turn.t("This step is over. Use /delegate to start again."))
    chosen = _press(turn).number
    async with turn.deps.db.session() as session:
        person = await session.get(Employee, chosen or 0)
        leave = await own_leave_ahead(session, employee_id=turn.me.id, today=turn.today)
    if person is None:
        return await turn.answer(turn.t("This button is not valid."), alert=True)
    turn.session.data["delegate_id"] = person.id
    t = turn.t
    await turn.edit(t("Delegate: {name}", name=f"<b>{html.escape(person.full_name)}</b>"))
    period = callbacks.delegate_period
    rows = [
        [Cell(t("Today only"), period("t")), Cell(t("Until Sunday"), period("w"))],
        [Cell(t("One week"), period("7")), Cell(t("Two weeks"), period("14"))],
    ]
    for request in leave:
        dates = f"{t.format_date(request.start_date, 'short')} – {t.format_date(request.end_date, 'short')}"
        rows.append([Cell(t("During my leave {dates}", dates=dates), callbacks.delegate_period(f"l{request.id}"))])
    await turn.say(t("For how long?"), keyboards.inline(rows), remember="msg")


def _period(turn: Turn, token: str, leave: dict[int, tuple[date, date]]) -> tuple[date, date] | None:
    today = turn.today
    if token == "t":
        return today, today
    if token == "w":
        return today, today + timedelta(days=6 - today.weekday())
    if token in ("7", "14"):
        return today, today + timedelta(days=int(token) - 1)
    found = leave.get(int(token[1:])) if token.startswith("l") and token[1:].isdigit() else None
    return (max(found[0], today), found[1]) if found else None


async def on_period(turn: Turn) -> None:
    """A period picked: set the delegation (both of us are told)."""
    if not _current(turn) or "delegate_id" not in turn.session.data:
        return await turn.answer(turn.t("This step is over. Use /delegate to start again."))
    async with turn.deps.db.session() as session:
        leave = {r.id: (r.start_date, r.end_date) for r in await own_leave_ahead(
            session, employee_id=turn.me.id, today=turn.today)}  # fmt: skip
    period = _period(turn, _press(turn).token or "", leave)
    if period is None:
        return await turn.answer(turn.t("This button is not valid."), alert=True)
    delegate_id = int(turn.session.data["delegate_id"])
    state.clear(turn.session)
    try:
        async with turn.deps.db.transaction() as session:
            view = await set_delegation(
                session, actor=turn.actor, delegator_id=turn.me.id, delegate_id=delegate_id, start=period[0],
                end=period[1], today=turn.today, now=turn.now,
            )  # fmt: skip
    except ChronosError as exc:
        await turn.edit(turn.t("For how long?"))
        await with_menu(turn, "⚠️ " + html.escape(exc.render(turn.t)))
        return
    turn.deps.wake_sender()
    t = turn.t
    start, end = t.format_date(view.row.start_date, "medium"), t.format_date(view.row.end_date, "medium")
    await turn.edit(t("From {start} to {end} your approvals go to {name}.", start=start, end=end,
                      name=html.escape(view.delegate_name)))  # fmt: skip
    await with_menu(turn, t("🤝 Done. {name} has been told.", name=html.escape(view.delegate_name)))


async def on_end(turn: Turn) -> None:
    """End pressed: the delegation ends now and waiting requests come back."""
    number = _press(turn).number
    try:
        async with turn.deps.db.transaction() as session:
            view = await end_delegation(
                session, actor=turn.actor, delegation_id=number or 0, today=turn.today, now=turn.now
            )
    except ChronosError as exc:
        await turn.answer(exc.render(turn.t), alert=True)
        return
    turn.deps.wake_sender()
    await turn.edit(turn.t("The delegation to {name} has ended.", name=html.escape(view.delegate_name)))
    await turn.answer()
