"""HR commands: /invite EMPLOYEE_CODE (a linked employee needs a confirmed re-link), /digest [YYYY-MM-DD],
/report [YYYY-MM]."""

from __future__ import annotations

import html
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from chronos_bot import callbacks
from chronos_bot.handlers.common import FORGED, audit_press, require_hr, with_menu
from chronos_bot.turn import Turn
from shared.domain.bounds import in_bounds
from shared.domain.timesheet import parse_month
from shared.errors import N_, Invalid
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_filename, digest_xlsx
from shared.reports.timesheet import timesheet_filename, timesheet_xlsx
from shared.services.attendance.processing import today_in
from shared.services.attendance.timesheet import load_timesheet
from shared.services.lookups import get_employee
from shared.services.notify.digest import load_digest
from shared.services.notify.documents import mail_document
from shared.services.org.invitations import AlreadyLinked, bot_username, create_invitation, deep_link
from shared.services.org.profile import employee_by_code


async def invite(turn: Turn) -> None:
    """/invite CODE: a one-time invitation code and the deep link that uses it."""
    require_hr(turn)
    if not turn.args:
        await with_menu(turn, turn.t("Usage: /invite EMPLOYEE_CODE"))
        return
    async with turn.deps.db.session() as session:
        employee = await employee_by_code(session, turn.args[0])
    await _invite(turn, employee.id, relink=False)


async def on_relink(turn: Turn) -> None:
    """Re-link pressed: HR confirms that a new code may move the employee to another Telegram account."""
    require_hr(turn)
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.kind != "relink" or press.number is None:
        await audit_press(turn, FORGED, "employee", None, "malformed")
        await turn.answer(turn.t("This button is not valid."), alert=True)
        return
    await turn.answer()
    await turn.edit_markup(None)
    await _invite(turn, press.number, relink=True)


async def _invite(turn: Turn, employee_id: int, *, relink: bool) -> None:
    """Create the invitation (earlier codes stop working) and show it; a linked person needs a confirmation."""
    try:
        async with turn.deps.db.transaction() as session:
            employee = await get_employee(session, employee_id)
            name = employee.full_name  # read now: the rollback of a refusal expires the row
            created = await create_invitation(
                session,
                employee_id=employee.id,
                actor=turn.actor,
                pepper=turn.deps.settings.secret_key,
                now=turn.now,
                relink=relink,
            )
    except AlreadyLinked:
        text = turn.t(
            "⚠️ {name} is already linked to a Telegram account. A new code would move them to another account; "
            "their current chat would be told. Re-link?",
            name=f"<b>{html.escape(name)}</b>",
        )
        button = InlineKeyboardButton(
            turn.t("🔁 Yes, create a re-link code"), callback_data=callbacks.relink(employee_id)
        )
        await turn.say(text, InlineKeyboardMarkup([[button]]))
        return
    settings = turn.deps.settings
    username = await bot_username(turn.deps.redis, prefix=settings.redis_prefix, configured=settings.bot_username) or (
        turn.context.bot.username
    )
    link = deep_link(username, created.code)
    t = turn.t
    lines = [
        t("✉️ Invitation for {name}", name=f"<b>{html.escape(name)}</b>"),
        t("Code: {code}", code=f"<code>{html.escape(created.code)}</code>"),
    ]
    if link:
        lines.append(t("Link: {link}", link=html.escape(link)))
    lines.append(
        t("Valid until {when}. It works once; earlier codes for this person no longer work.",
          when=t.format_datetime(created.invitation.expires_at, "short", tz=turn.timezone))
    )  # fmt: skip
    if created.invitation.relink:
        lines.append(t("Re-link: when the code is used, the current chat loses access and is told."))
    await with_menu(turn, "\n".join(lines))


def _day_argument(turn: Turn) -> date:
    if not turn.args:
        return turn.today - timedelta(days=1)
    try:
        day = date.fromisoformat(turn.args[0])
    except ValueError:
        raise Invalid(N_("Give the date as YYYY-MM-DD, e.g. 2026-11-23.")) from None
    if not in_bounds(day):
        raise Invalid(N_("Give a date between 2000-01-01 and 2100-12-31."))
    return day


async def digest(turn: Turn) -> None:
    """/digest [date]: the exception digest of that day (yesterday by default), text and XLSX."""
    require_hr(turn)
    day = _day_argument(turn)
    tz = turn.deps.settings.company_timezone
    async with turn.deps.db.session() as session:
        loaded = await load_digest(session, day=day, today=turn.today, company_timezone=tz, now=turn.now)
    await with_menu(turn, render_digest(turn.t, loaded, tz=tz))
    await turn.send_document(
        digest_filename(loaded), digest_xlsx(turn.t, loaded, tz=tz), caption=turn.t("Attendance digest (XLSX)")
    )


async def report(turn: Turn) -> None:
    """/report [YYYY-MM] [email]: the month's timesheet as an XLSX document (this month by default), or mailed."""
    require_hr(turn)
    args = list(turn.args)
    by_mail = bool(args) and args[-1].lower() in ("email", "mail")
    if by_mail:
        args.pop()
    year, month = parse_month(args[0]) if args else (turn.today.year, turn.today.month)
    async with turn.deps.db.session() as session:
        today = today_in(turn.deps.settings.company_timezone, turn.now)
        sheet = await load_timesheet(session, year=year, month=month, today=today)
    caption = turn.t("Timesheet for {month}", month=turn.t.format_month(year, month))
    content, filename = timesheet_xlsx(turn.t, sheet), timesheet_filename(sheet, "xlsx")
    if by_mail:
        async with turn.deps.db.transaction() as session:
            me = await get_employee(session, turn.me.id)
            address = await mail_document(session, person=me, text=caption, filename=filename, content=content)
        turn.deps.wake_sender()
        await with_menu(turn, turn.t("📧 The timesheet is on its way to {email}.", email=html.escape(address)))
        return
    await turn.send_document(filename, content, caption=caption)
