"""/settings: how the person is notified — Telegram, e-mail, both, or automatic (inline buttons)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from chronos_bot import callbacks, keyboards
from chronos_bot.calendar import Cell
from chronos_bot.handlers.common import FORGED, audit_press
from chronos_bot.turn import Turn
from shared.domain.enums import Channel, ChannelChoice
from shared.errors import N_, ChronosError
from shared.i18n import Translator
from shared.model import Employee
from shared.services.org.profile import set_channels
from shared.services.reach import channels_of, email_enabled

CHOICE_LABELS = {
    ChannelChoice.AUTO: N_("Automatic"),
    ChannelChoice.TELEGRAM: N_("Telegram"),
    ChannelChoice.EMAIL: N_("E-mail"),
    ChannelChoice.BOTH: N_("Both"),
}
CHANNEL_NAMES = {Channel.TELEGRAM: N_("Telegram"), Channel.EMAIL: N_("e-mail")}


def _keyboard(t: Translator, current: ChannelChoice) -> InlineKeyboardMarkup:
    cells = [
        Cell(("✓ " if choice is current else "") + t.gettext(text), callbacks.channels(choice.value))
        for choice, text in CHOICE_LABELS.items()
    ]
    return keyboards.inline([cells[:2], cells[2:]])


def _describe(t: Translator, me: Employee) -> str:
    """The choice, where notifications actually go, and why a chosen channel is not used."""
    choice = ChannelChoice(me.notify_channels or ChannelChoice.AUTO)
    going = channels_of(me)
    lines = [
        t("🔔 <b>How I notify you</b>: {choice}", choice=html.escape(t.gettext(CHOICE_LABELS[choice]))),
        t("E-mail address: {email}", email=html.escape(me.email) if me.email else t("none on file (HR adds it)")),
        t("Notifications go to: {channels}", channels=t.join([t.gettext(CHANNEL_NAMES[c]) for c in going]) or "—"),
    ]
    wants_email = choice in (ChannelChoice.EMAIL, ChannelChoice.BOTH)
    if wants_email and Channel.EMAIL not in going:
        reason = t("e-mail is not set up on this server") if not email_enabled() else t("no e-mail address on file")
        lines.append(t("⚠️ E-mail is not used: {reason}.", reason=reason))
    return "\n".join(lines)


async def settings(turn: Turn) -> None:
    """/settings: the current choice and a button per choice."""
    await turn.say(_describe(turn.t, turn.me), _keyboard(turn.t, ChannelChoice(turn.me.notify_channels)))


async def on_channels(turn: Turn) -> None:
    """A choice button: store it (the service re-checks), then redraw the message."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.token is None:
        await audit_press(turn, FORGED, "employee", turn.me.id, "bad_channels")
        await turn.answer(turn.t("This button is not valid."), alert=True)
        return
    try:
        async with turn.deps.db.transaction() as session:
            me = await set_channels(session, actor=turn.actor, employee_id=turn.me.id, choice=press.token)
    except ChronosError as exc:
        await turn.answer(exc.render(turn.t), alert=True)
        return
    turn.me.notify_channels = me.notify_channels
    await turn.answer(turn.t("Saved."))
    await turn.edit(_describe(turn.t, turn.me), _keyboard(turn.t, ChannelChoice(turn.me.notify_channels)))
