"""/team for managers (today: in, late, not yet in, on leave; the week's open working-time violations) and
/whosout [period] (approved leave)."""

from __future__ import annotations

import html
from datetime import timedelta

from telegram import InlineKeyboardMarkup

from chronos_bot import callbacks, keyboards
from chronos_bot.calendar import Cell
from chronos_bot.handlers.common import FORGED, audit_press, require_manager, with_menu
from chronos_bot.texts import HR
from chronos_bot.turn import Turn
from shared.domain.periods import WORD_LABELS, Period, PeriodWord, parse_period
from shared.errors import N_
from shared.i18n import Translator
from shared.reports.compliance_render import excess_text, rule_label
from shared.services.notify.team import OutLine, TeamMember, TeamViolation, team_today, team_violations, whos_out
from shared.texts import MINUTES, absence_when, count, half_text

LIST_LIMIT = 60
VIOLATION_DAYS = 7


def _names(t: Translator, people: list[TeamMember], line: str) -> list[str]:
    shown = [line.format(name=html.escape(p.name)) for p in people[:LIST_LIMIT]]
    if len(people) > LIST_LIMIT:
        shown.append(t("… and {n} more", n=len(people) - LIST_LIMIT))
    return shown


async def team(turn: Turn) -> None:
    """/team: my team today."""
    require_manager(turn)
    async with turn.deps.db.session() as session:
        today = await team_today(
            session, manager_id=turn.me.id, now=turn.now, company_timezone=turn.deps.settings.company_timezone,
            locale=turn.t.locale,
        )  # fmt: skip
        violations, violation_count = await team_violations(
            session, manager_id=turn.me.id, first=today.day - timedelta(days=VIOLATION_DAYS), last=today.day
        )
    t = turn.t
    tz = turn.timezone
    away = t("away")  # the type of someone's leave, for readers not entitled to it
    text = [t("👥 <b>Your team on {day}</b>", day=t.format_date(today.day, "full"))]
    if today.size == 0:
        text.append(t("Nobody reports to you yet."))
    outside = " " + t("(outside the shift)")
    sections = [
        (t("✅ In ({n})", n=len(today.present)),
         [f"• {html.escape(p.name)} — {t.format_time(p.first_in, tz=tz)}{outside if p.unscheduled else ''}"
          for p in today.present if p.first_in]),
        (t("⏰ Late ({n})", n=len(today.late)),
         [f"• {html.escape(p.name)} — {t.format_time(p.first_in, tz=tz)}{t.separator()}"
          f"{html.escape(count(t, MINUTES, p.late_minutes))}{outside if p.unscheduled else ''}"
          for p in today.late if p.first_in]),
        (t("❔ Not yet in ({n})", n=len(today.not_in)), _names(t, today.not_in, "• {name}")),
        (t("🌴 On leave ({n})", n=len(today.on_leave)),
         [f"• {html.escape(p.name)} — {html.escape(p.leave_type or away)}{half_text(t, p.half)}"
          + (" " + t("until {date}", date=t.format_date(p.leave_until, "medium")) if p.leave_until else "")
          for p in today.on_leave]),
        (t("💤 Day off ({n})", n=len(today.day_off)), _names(t, today.day_off, "• {name}")),
        (t("⚠️ Working-time violations this week ({n})", n=violation_count),
         [_violation_line(t, v) for v in violations]
         + ([t("… and {n} more", n=violation_count - len(violations))] if violation_count > len(violations) else [])),
    ]  # fmt: skip
    for title, lines in sections:
        if lines:
            text += ["", f"<b>{title}</b>", *lines[:LIST_LIMIT]]
    await with_menu(turn, "\n".join(text))


def _violation_line(t: Translator, v: TeamViolation) -> str:
    day = t.format_date(v.period_start, "medium")
    if v.period_end != v.period_start:
        day += " – " + t.format_date(v.period_end, "medium")
    what = f"{rule_label(t, v.rule)} ({excess_text(t, v.rule, v.excess)})"
    return f"• {html.escape(v.name)} — {html.escape(what)}{t.separator()}{day}"


def _out_line(t: Translator, line: OutLine, tz: str | None) -> str:
    dates = absence_when(t, start=line.start_date, end=line.end_date, start_half=line.start_half,
                         end_half=line.end_half, hours=line.hours, tz=tz)  # fmt: skip
    kind = line.type_name or t("away")  # the type only for readers entitled to it
    return f"• {html.escape(line.name)} — {html.escape(kind)}{t.separator()}{dates}"


PERIOD_TITLES = {
    PeriodWord.TODAY: N_("🗓 <b>Who is out today</b> ({start})"),
    PeriodWord.TOMORROW: N_("🗓 <b>Who is out tomorrow</b> ({start})"),
    PeriodWord.THIS_WEEK: N_("🗓 <b>Who is out this week</b> ({start} – {end})"),
    PeriodWord.NEXT_WEEK: N_("🗓 <b>Who is out next week</b> ({start} – {end})"),
    PeriodWord.THIS_MONTH: N_("🗓 <b>Who is out this month</b> ({start} – {end})"),
    PeriodWord.NEXT_MONTH: N_("🗓 <b>Who is out next month</b> ({start} – {end})"),
}


def _period_buttons(t: Translator) -> InlineKeyboardMarkup:
    labels = {"tw": t("This week"), "nw": t("Next week"), "tm": t("This month"), "nm": t("Next month")}
    return keyboards.inline([[Cell(label, callbacks.whos_out_period(code)) for code, label in labels.items()]])


async def _whos_out(turn: Turn, period: Period) -> str:
    department = None if turn.me.role in HR else turn.me.department_id
    async with turn.deps.db.session() as session:
        lines = await whos_out(
            session,
            start=period.start,
            end=period.end,
            department_id=department,
            viewer_id=turn.me.id,
            viewer_is_hr=turn.me.role in HR,
            locale=turn.t.locale,
        )
    t = turn.t
    start, end = t.format_date(period.start, "medium"), t.format_date(period.end, "medium")
    if period.word is not None:
        head = t(PERIOD_TITLES[period.word], start=start, end=end)
    elif period.start == period.end:
        head = t("🗓 <b>Who is out on {start}</b>", start=start)
    else:
        head = t("🗓 <b>Who is out</b> ({start} – {end})", start=start, end=end)
    if not lines:
        return head + "\n" + t("Nobody is on leave then.")
    body = [_out_line(t, line, turn.timezone) for line in lines[:LIST_LIMIT]]
    if len(lines) > LIST_LIMIT:
        body.append(t("… and {n} more", n=len(lines) - LIST_LIMIT))
    return "\n".join([head, *body])


def period_words(t: Translator) -> dict[str, PeriodWord]:
    """The reader's words for the period keywords ("следующая неделя" → next week)."""
    return {t.pgettext(*label): word for word, label in WORD_LABELS.items()}


async def whos_out_command(turn: Turn) -> None:
    """/whosout [period]: approved leave in the period (this week by default; my department, everyone for HR)."""
    period = parse_period(" ".join(turn.args), today=turn.today, aliases=period_words(turn.t))
    text = await _whos_out(turn, period)
    if turn.args:
        await turn.say(text, _period_buttons(turn.t))
    else:  # the menu button: the menu stays; other periods are one command away
        hint = turn.t("Other periods: /whosout next week · /whosout this month · /whosout 2026-12-21..2026-12-31")
        await with_menu(turn, text + "\n\n" + hint)


async def on_whos_out_period(turn: Turn) -> None:
    """A period button under /whosout: the same list for that period, in place."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.token is None:
        await audit_press(turn, FORGED, "whos_out", None, "malformed")
        await turn.answer(turn.t("This button is not valid."), alert=True)
        return
    period = parse_period(press.token, today=turn.today)
    await turn.edit(await _whos_out(turn, period), _period_buttons(turn.t))
