"""/calendar (the team's month as a picture, paged by month and, for HR, by department), /holidays, /feed."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardMarkup

from chronos_bot import callbacks, keyboards
from chronos_bot.calendar import Cell, month_title
from chronos_bot.handlers.common import FORGED, audit_press
from chronos_bot.handlers.team import period_words
from chronos_bot.turn import Turn
from shared.domain.absences import CellKind, MonthGrid, Span, row_spans
from shared.domain.enums import FeedScope
from shared.domain.periods import add_months, parse_month
from shared.errors import N_, Invalid
from shared.i18n import Translator
from shared.reports.calendar_image import Labels, render_month
from shared.services.absences.audience import HR_ROLES, departments
from shared.services.absences.calendar import month_calendar
from shared.services.absences.feeds import create_feed, feed_url, list_feeds, revoke_own_feeds
from shared.services.absences.holidays import coming_holidays
from shared.texts import half_text, hours_text

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1000  # Telegram's caption limit is 1024
NO_PUBLIC_URL = N_("Calendar links are not set up here yet: the administrator has to set PUBLIC_BASE_URL.")


# ----------------------------------------------------------------------------------------- /calendar


def _labels(t: Translator, title: str) -> Labels:
    return Labels(
        title=title,
        weekdays=tuple(t.weekday_names()),
        legend=(
            (CellKind.AWAY, t("away")),
            (CellKind.PENDING, t("waiting for approval")),
            ("half", t("half day")),
            ("hours", t("some hours")),
            (CellKind.HOLIDAY, t("public holiday")),
            (CellKind.DAY_OFF, t("day off")),
        ),
        empty=t("Nobody to show."),
        more=lambda n: t("… and {n} more", n=n),
        rtl=t.locale == "ar",
    )


def _span_text(t: Translator, span: Span, tz: str | None) -> str:
    days = str(span.start.day) if span.start == span.end else f"{span.start.day}–{span.end.day}"
    days += half_text(t, span.half)
    if span.hours:  # hourly leave: away for those hours only
        days += " " + hours_text(t, span.hours, tz)
    if span.kind is CellKind.PENDING:
        days += " " + t("(waiting)")
    return days


def as_text(t: Translator, grid: MonthGrid, limit: int | None = None, tz: str | None = None) -> str:
    """The month in words: who is away on which days, and for how many hours where it is hourly leave (in
    ``tz``); the picture's caption, and its fallback."""
    lines = [f"🗓 <b>{html.escape(grid.title)}</b>"]
    for row in grid.rows:
        spans = row_spans(grid.days, row)
        if spans:
            parts = t.separator().join(_span_text(t, s, tz) for s in spans)
            lines.append(f"• {html.escape(row.name)}: {parts}")
    if len(lines) == 1:
        lines.append(t("Nobody is away this month."))
    if grid.holidays:
        names = t.separator().join(f"{d.day} {html.escape(n)}" for d, n in sorted(grid.holidays.items()))
        lines.append(t("Holidays: {days}", days=names))
    text = "\n".join(lines)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rsplit("\n", 1)[0] + "\n…"
    return text


async def _calendar_view(
    turn: Turn, year: int, month: int, department_id: int | None
) -> tuple[MonthGrid, InlineKeyboardMarkup]:
    t = turn.t
    async with turn.deps.db.session() as session:
        grid, seen = await month_calendar(
            session, viewer_id=turn.me.id, year=year, month=month, today=turn.today, department_id=department_id,
            locale=t.locale,
        )  # fmt: skip
        all_departments = await departments(session) if seen.is_hr else []
    group = seen.department.name_for(t.locale) if seen.department else t("My team")
    grid = MonthGrid(grid.year, grid.month, f"{group} — {month_title(t, year, month)}", grid.days, grid.rows,
                     grid.holidays, grid.today)  # fmt: skip
    shown = seen.department.id if seen.department else None
    rows = []
    previous, following = add_months(year, month, -1), add_months(year, month, 1)
    rows.append([
        Cell("« " + month_title(t, *previous), callbacks.team_calendar(*previous, department_id)),
        Cell(month_title(t, *following) + " »", callbacks.team_calendar(*following, department_id)),
    ])  # fmt: skip
    if len(all_departments) > 1:
        ids = [d.id for d in all_departments]
        index = ids.index(shown) if shown in ids else -1
        before, after = all_departments[index - 1], all_departments[(index + 1) % len(ids)]
        rows.append([
            Cell("‹ " + before.name_for(t.locale)[:30], callbacks.team_calendar(year, month, before.id)),
            Cell(after.name_for(t.locale)[:30] + " ›", callbacks.team_calendar(year, month, after.id)),
        ])  # fmt: skip
    return grid, keyboards.inline(rows)


async def _show_calendar(turn: Turn, year: int, month: int, department_id: int | None, *, edit: bool) -> None:
    grid, markup = await _calendar_view(turn, year, month, department_id)
    try:
        picture = render_month(grid, _labels(turn.t, grid.title))
    except Exception:  # a picture that cannot be drawn must not cost the user the answer
        log.exception("the calendar picture could not be drawn; sending it as text")
        text = as_text(turn.t, grid, limit=4000, tz=turn.timezone)
        await (turn.edit(text, markup) if edit else turn.say(text, markup))
        return
    caption = as_text(turn.t, grid, limit=CAPTION_LIMIT, tz=turn.timezone)
    name = f"calendar-{year:04d}-{month:02d}.png"
    if edit:
        await turn.edit_photo(name, picture, caption, markup)
    else:
        await turn.send_photo(name, picture, caption, markup)


async def calendar_command(turn: Turn) -> None:
    """/calendar [YYYY-MM]: the month of the people I may see, as a picture."""
    year, month = parse_month(" ".join(turn.args), today=turn.today, aliases=period_words(turn.t))
    await _show_calendar(turn, year, month, None, edit=False)


async def on_calendar_page(turn: Turn) -> None:
    """« / » / ‹ department ›: another month or department (re-checked: HR only for other departments)."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.month is None:
        await audit_press(turn, FORGED, "team_calendar", None, "malformed")
        await turn.answer(turn.t("This button is not valid."), alert=True)
        return
    await _show_calendar(turn, *press.month, press.number, edit=True)


# ----------------------------------------------------------------------------------------- /holidays


async def holidays_command(turn: Turn) -> None:
    """/holidays: the coming public holidays of my calendar."""
    async with turn.deps.db.session() as session:
        found = await coming_holidays(session, employee_id=turn.me.id, today=turn.today)
    t = turn.t
    if found.calendar is None:
        await turn.say(t("You have no holiday calendar yet; HR sets it in your profile."))
        return
    head = t("🎉 <b>Coming public holidays</b> ({calendar})", calendar=html.escape(found.calendar))
    if not found.days:
        await turn.say(head + "\n" + t("No more holidays are on the calendar."))
        return
    lines = [f"• {t.format_date(day, 'full')} — {html.escape(name)}" for day, name in found.days]
    await turn.say("\n".join([head, *lines]))


# ----------------------------------------------------------------------------------------- /feed


def _feed_buttons(turn: Turn) -> InlineKeyboardMarkup:
    t = turn.t
    rows = [
        [
            Cell(t("🔗 My calendar"), callbacks.feed_action("p")),
            Cell(t("🔗 With my shifts"), callbacks.feed_action("s")),
        ],
        [Cell(t("🔗 My team"), callbacks.feed_action("t"))],
    ]
    if turn.me.role in HR_ROLES:
        rows.append([Cell(t("🔗 Whole company"), callbacks.feed_action("c"))])
    rows.append([Cell(t("🚫 Revoke all my links"), callbacks.feed_action("x"))])
    return keyboards.inline(rows)


async def feed_command(turn: Turn) -> None:
    """/feed: my calendar links (a new one replaces the old of its kind; revoke them all)."""
    async with turn.deps.db.session() as session:
        live = await list_feeds(session, limit=50, offset=0, owner_ids={turn.me.id}, live=True)
    t = turn.t
    text = [
        t("📅 <b>Absences in your calendar app</b>"),
        t(
            'Subscribe to a link in Google Calendar, Outlook or Apple Calendar ("add calendar from URL"). '
            "A link is shown once: keep it secret. Making a new one stops the old one of its kind."
        ),
        t("Links you have now: {n}", n=live.total),
    ]
    await turn.say("\n\n".join(text), _feed_buttons(turn))


async def on_feed(turn: Turn) -> None:
    """A /feed button: a new link of that kind (shown once), or revoke all of mine."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.token is None:
        await audit_press(turn, FORGED, "calendar_feed", None, "malformed")
        await turn.answer(turn.t("This button is not valid."), alert=True)
        return
    t, settings = turn.t, turn.deps.settings
    if press.token == "x":
        async with turn.deps.db.transaction() as session:
            revoked = await revoke_own_feeds(session, owner_id=turn.me.id, actor=turn.actor, now=turn.now)
        await turn.say(t("Links revoked: {n}. Calendars subscribed to them stop updating.", n=revoked))
        return
    if not settings.public_base_url:
        raise Invalid(NO_PUBLIC_URL)
    scope = {"p": FeedScope.PERSON, "s": FeedScope.PERSON, "t": FeedScope.TEAM, "c": FeedScope.COMPANY}[press.token]
    async with turn.deps.db.transaction() as session:
        _, token = await create_feed(
            session, owner_id=turn.me.id, scope=scope, include_shifts=press.token == "s", pepper=settings.secret_key,
            actor=turn.actor, now=turn.now,
        )  # fmt: skip
    url = feed_url(settings.public_base_url, token)
    await turn.say(t("Your new link (the previous one of this kind stopped working):") + f"\n<code>{url}</code>")
