"""The leave flow's prompts: one per step, chosen by ``state.next_leave_step``; and how a broken rule is explained.

Each prompt is a new message whose id is kept in the session (``msg``): only that message's buttons
move the flow, so an old calendar pressed later gets "this step is over" instead of changing the answer.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from chronos_bot import callbacks, keyboards, state
from chronos_bot.calendar import APPROVED_MARK, DAY_OFF_MARK, PENDING_MARK, Cell, add_months, month_grid
from chronos_bot.state import Step
from chronos_bot.turn import Turn
from shared.domain.enums import LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.domain.leave import LeaveRecord, Violation
from shared.notify.leave_messages import LeaveView, describe
from shared.services.leave.balances import balances
from shared.services.leave.context import own_requests, work_calendar
from shared.services.leave.requests import LeaveQuote, quote_leave
from shared.texts import HOURS, WORKING_DAYS, Noun, count, leave_type_choice, unpaid_note

MONTHS_BACK = 1
MONTHS_AHEAD = 12


def half_label(turn: Turn, option: str, *, several: bool = True) -> str:
    """The label of a half-day option; for a single day, "the whole day" (not "whole days")."""
    t = turn.t
    labels = {
        "f": t("Whole days") if several else t("The whole day"),
        "am": t("Morning only"),
        "pm": t("Afternoon only"),
        "s": t("Start after lunch"),
        "e": t("End at lunch"),
        "se": t("Start after lunch, end at lunch"),
    }
    return labels[option]


def cancel_row(turn: Turn) -> list[Cell]:
    return [Cell(turn.t("✖️ Cancel"), callbacks.leave_action("cancel"))]


async def prompt(turn: Turn, text: str, rows: list[list[Cell]] | None = None) -> None:
    """Send the step's question and remember its message as the one whose buttons count."""
    await turn.say(text, keyboards.inline(rows) if rows else None, remember="msg")


async def advance(turn: Turn) -> None:
    """Ask for the first thing still missing (or show the summary)."""
    step = state.next_leave_step(state.draft(turn.session))
    state.goto(turn.session, step)
    asks = {
        Step.TYPE: ask_type,
        Step.START: ask_start,
        Step.END: ask_end,
        Step.HALF: ask_half,
        Step.TIMES: ask_times,
        Step.REASON: ask_reason,
        Step.ATTACHMENT: ask_attachment,
        Step.CONFIRM: show_summary,
    }
    await asks[step](turn)


async def ask_type(turn: Turn) -> None:
    """The leave types, each with what is left of it."""
    async with turn.deps.db.session() as session:
        lines = await balances(session, employee_id=turn.me.id, as_of=turn.today)
    t = turn.t
    rows = [
        [Cell(leave_type_choice(t, name=line.name_for(t.locale), paid=line.paid, unlimited=line.unlimited,
                                available=line.available, year=line.year, noun=unit_noun(line.unit)),
              callbacks.leave_type(line.leave_type_id))]
        for line in lines
    ]  # fmt: skip
    await prompt(turn, turn.t("Which kind of leave?"), [*rows, cancel_row(turn)])


async def calendar_rows(turn: Turn, year: int, month: int) -> list[list[Cell]]:
    """The month's grid with the employee's days off marked, bounded to a year ahead."""
    first = date(year, month, 1)
    last = date(*add_months(year, month, 1), 1)
    async with turn.deps.db.session() as session:
        calendar = await work_calendar(session, turn.me, first, last)
        taken = await own_requests(session, turn.me.id)
    today = turn.today
    return month_grid(
        turn.t,
        year,
        month,
        is_day_off=lambda day: not calendar.is_working_day(day),
        today=today,
        first=add_months(today.year, today.month, -MONTHS_BACK),
        last=add_months(today.year, today.month, MONTHS_AHEAD),
        earliest=earliest_day(turn),
        marks=leave_marks(taken, first, last),
    )


def earliest_day(turn: Turn) -> date:
    """The first day that may be picked: today, or as far back as the type allows; at the last-day step,
    not before the first day."""
    d = state.draft(turn.session)
    earliest = turn.today - timedelta(days=int(d.get("backdate") or 0))
    start = state.start_of(d)
    if turn.session.step == Step.END.value and start is not None:
        earliest = max(earliest, start)
    return earliest


def leave_marks(requests: list[LeaveRecord], first: date, last: date) -> dict[date, str]:
    """The days of ``[first, last)`` the employee already has leave on: approved ✓, pending ⏳."""
    marks: dict[date, str] = {}
    for request in requests:
        day = max(request.start_date, first)
        while day <= request.end_date and day < last:
            mark = APPROVED_MARK if request.status is LeaveStatus.APPROVED else PENDING_MARK
            marks[day] = APPROVED_MARK if marks.get(day) == APPROVED_MARK else mark
            day += timedelta(days=1)
    return marks


def in_range(turn: Turn, year: int, month: int) -> bool:
    today = turn.today
    lo = add_months(today.year, today.month, -MONTHS_BACK)
    hi = add_months(today.year, today.month, MONTHS_AHEAD)
    return lo <= (year, month) <= hi


async def date_keyboard(turn: Turn, year: int, month: int) -> list[list[Cell]]:
    """The calendar plus the step's extra buttons (the last day may be the first one)."""
    rows = await calendar_rows(turn, year, month)
    if turn.session.step == Step.END.value:
        rows.append([Cell(turn.t("Just that one day"), callbacks.leave_action("same"))])
    rows.append([Cell(turn.t("◀️ Back"), callbacks.leave_action("back")), *cancel_row(turn)])
    turn.session.data["cal"] = f"{year:04d}-{month:02d}"
    return rows


def legend(turn: Turn) -> str:
    return turn.t(
        "{off} day off · {approved} approved leave · {pending} pending request · crossed out: cannot be picked.",
        off=DAY_OFF_MARK,
        approved=APPROVED_MARK,
        pending=PENDING_MARK,
    )


def unit_noun(unit: LeaveUnit) -> Noun:
    """Hours for a type booked in hours, working days otherwise."""
    return HOURS if unit is LeaveUnit.HOURS else WORKING_DAYS


async def ask_start(turn: Turn) -> None:
    """The calendar for the first day (the day, for hours), at this month."""
    today = turn.today
    first = (
        turn.t("Pick the day:")
        if state.draft(turn.session).get("hourly")
        else turn.t("Pick the first day of your leave:")
    )
    text = first + "\n" + legend(turn)
    await prompt(turn, text, await date_keyboard(turn, today.year, today.month))


async def ask_end(turn: Turn) -> None:
    """The calendar for the last day, at the first day's month."""
    start = state.start_of(state.draft(turn.session)) or turn.today
    text = turn.t("First day: {date}. Now pick the last day:", date=turn.t.format_date(start, "full"))
    await prompt(turn, text + "\n" + legend(turn), await date_keyboard(turn, start.year, start.month))


async def ask_half(turn: Turn) -> None:
    """Whole days or half days (the options depend on whether it is one day or several)."""
    d = state.draft(turn.session)
    start, end = state.start_of(d), state.end_of(d)
    assert start is not None and end is not None
    several = start != end
    rows = [[Cell(half_label(turn, o, several=several), callbacks.half_day(o))] for o in state.half_options(start, end)]
    await prompt(turn, turn.t("Whole days, or half days?"), [*rows, cancel_row(turn)])


async def ask_times(turn: Turn) -> None:
    """The hours of that day, typed as a range inside the shift."""
    text = turn.t("Which hours? Type the range inside your shift, for example 10:00-12:00.")
    await prompt(turn, text, [cancel_row(turn)])


async def ask_reason(turn: Turn) -> None:
    """A reason for the approver, optional."""
    rows = [[Cell(turn.t("Skip"), callbacks.leave_action("skip"))], cancel_row(turn)]
    await prompt(turn, turn.t("Add a short reason for your manager (just type it), or skip."), rows)


async def ask_attachment(turn: Turn) -> None:
    """The document the type requires, as a photo or a file."""
    name = html.escape(state.draft(turn.session).get("type_name", ""))
    text = turn.t("{type} needs a document, for example a medical certificate. Send it as a photo or a file.",
                  type=name)  # fmt: skip
    await prompt(turn, text, [cancel_row(turn)])


async def quote(turn: Turn, *, has_attachment: bool | None) -> LeaveQuote:
    """What the rules say about the answers so far (nothing is written)."""
    d = state.draft(turn.session)
    start, end = state.start_of(d), state.end_of(d)
    assert start is not None and end is not None
    start_half, end_half = state.halves(d.get("half"))
    start_time, end_time = state.times_of(d)
    async with turn.deps.db.session() as session:
        return await quote_leave(
            session,
            employee_id=turn.me.id,
            leave_type_id=int(d["type_id"]),
            start=start,
            end=end,
            start_half=start_half,
            end_half=end_half,
            today=turn.today,
            has_attachment=has_attachment,
            start_time=start_time,
            end_time=end_time,
        )


def view_of(turn: Turn, result: LeaveQuote) -> LeaveView:
    d = state.draft(turn.session)
    start, end = state.start_of(d), state.end_of(d)
    assert start is not None and end is not None
    start_half, end_half = state.halves(d.get("half"))
    hours = (result.hours.start, result.hours.end, turn.timezone) if result.hours else None
    return LeaveView(0, turn.me.full_name, d.get("type_name", ""), start, end, start_half, end_half,
                     result.working_days, d.get("reason"), LeaveStatus.PENDING, hours=hours)  # fmt: skip


async def show_summary(turn: Turn) -> None:
    """Everything the request will say, with Confirm / Edit / Cancel; or the first broken rule."""
    d = state.draft(turn.session)
    result = await quote(turn, has_attachment=bool(d.get("attachment")))
    if result.violations:
        await explain(turn, result.violations[0])
        return
    t = turn.t
    lines = [t("📝 <b>Please check your request</b>"), describe(t, view_of(turn, result))]
    noun = HOURS if result.hours else WORKING_DAYS
    if result.unlimited:
        lines.append(t("No day limit: this leave is not counted against a balance.") + unpaid_note(t, result.paid))
    for year in [] if result.unlimited else result.years:
        lines.append(t("Balance for {year} after this request: {days}", year=year.year,
                       days=html.escape(count(t, noun, year.balance_after))))  # fmt: skip
    if result.auto_approved:
        lines.append(t("This type needs no approval: it is booked as soon as you confirm."))
    elif result.approver_name:
        lines.append(t("Approver: {name}", name=html.escape(result.approver_name)))
    if d.get("reason"):
        lines.append(t("Reason: {reason}", reason=html.escape(d["reason"])))
    if d.get("attachment"):
        lines.append(t("📎 Document attached"))
    rows = [
        [Cell(t("✅ Confirm"), callbacks.leave_action("ok"))],
        [Cell(t("✏️ Edit"), callbacks.leave_action("edit")), *cancel_row(turn)],
    ]
    await prompt(turn, "\n".join(lines), rows)


def localized(turn: Turn, params: Mapping[str, Any]) -> dict[str, Any]:
    """Dates and numbers of a rule's message written the reader's way."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, date):
            out[key] = turn.t.format_date(value, "medium")
        elif isinstance(value, Decimal):
            out[key] = turn.t.format_decimal(value.normalize())
        else:
            out[key] = value
    return out


async def explain(turn: Turn, violation: Violation) -> None:
    """Say which rule the request breaks, forget the step that fixes it, and ask that step again."""
    shown = dataclasses.replace(violation, params=localized(turn, violation.params))
    await turn.say("⚠️ " + html.escape(shown.render(turn.t)))
    d = state.draft(turn.session)
    edit = state.edit_for_rule(violation.field)
    state.forget(d, edit)
    if edit == "attachment":
        d["doc"] = True
    if state.next_leave_step(d) is Step.CONFIRM:  # nothing left to ask would loop: ask for the dates again
        state.forget(d, "dates")
    await advance(turn)
