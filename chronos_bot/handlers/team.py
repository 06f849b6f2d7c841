"""/team for managers (today: in, late, not yet in, on leave) and /whosout (approved leave this week)."""

from __future__ import annotations

import html
from datetime import timedelta

from chronos_bot.handlers.common import require_manager, with_menu
from chronos_bot.texts import HR
from chronos_bot.turn import Turn
from shared.domain.enums import HalfDay
from shared.i18n import Translator
from shared.services.notify.team import OutLine, TeamMember, team_today, whos_out
from shared.texts import MINUTES, count

LIST_LIMIT = 60


def _names(t: Translator, people: list[TeamMember], line: str) -> list[str]:
    shown = [line.format(name=html.escape(p.name)) for p in people[:LIST_LIMIT]]
    if len(people) > LIST_LIMIT:
        shown.append(t("… and {n} more", n=len(people) - LIST_LIMIT))
    return shown


def _half(t: Translator, half: HalfDay | None) -> str:
    if half is HalfDay.MORNING:
        return " " + t("(morning)")
    if half is HalfDay.AFTERNOON:
        return " " + t("(afternoon)")
    return ""


async def team(turn: Turn) -> None:
    """/team: my team today."""
    require_manager(turn)
    async with turn.deps.db.session() as session:
        today = await team_today(
            session, manager_id=turn.me.id, now=turn.now, company_timezone=turn.deps.settings.company_timezone,
            locale=turn.t.locale,
        )  # fmt: skip
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
         [f"• {html.escape(p.name)} — {html.escape(p.leave_type or away)}{_half(t, p.half)}"
          + (" " + t("until {date}", date=t.format_date(p.leave_until, "medium")) if p.leave_until else "")
          for p in today.on_leave]),
        (t("💤 Day off ({n})", n=len(today.day_off)), _names(t, today.day_off, "• {name}")),
    ]  # fmt: skip
    for title, lines in sections:
        if lines:
            text += ["", f"<b>{title}</b>", *lines[:LIST_LIMIT]]
    await with_menu(turn, "\n".join(text))


def _out_line(t: Translator, line: OutLine) -> str:
    start = t.format_date(line.start_date, "medium") + _half(t, line.start_half)
    end = t.format_date(line.end_date, "medium") + _half(t, line.end_half)
    dates = start if line.start_date == line.end_date else f"{start} – {end}"
    kind = line.type_name or t("away")  # the type only for readers entitled to it
    return f"• {html.escape(line.name)} — {html.escape(kind)}{t.separator()}{dates}"


async def whos_out_command(turn: Turn) -> None:
    """/whosout: approved leave this week (my department; everyone for HR)."""
    monday = turn.today - timedelta(days=turn.today.weekday())
    sunday = monday + timedelta(days=6)
    department = None if turn.me.role in HR else turn.me.department_id
    async with turn.deps.db.session() as session:
        lines = await whos_out(
            session,
            start=monday,
            end=sunday,
            department_id=department,
            viewer_id=turn.me.id,
            viewer_is_hr=turn.me.role in HR,
            locale=turn.t.locale,
        )
    t = turn.t
    head = t("🗓 <b>Who is out this week</b> ({start} – {end})",
             start=t.format_date(monday, "medium"), end=t.format_date(sunday, "medium"))  # fmt: skip
    if not lines:
        await with_menu(turn, head + "\n" + t("Nobody is on leave this week."))
        return
    body = [_out_line(t, line) for line in lines[:LIST_LIMIT]]
    await with_menu(turn, "\n".join([head, *body]))
