"""The main menu: /help by role, /language, /cancel, and a hint for text nobody waits for."""

from __future__ import annotations

from chronos_bot import callbacks, keyboards, state
from chronos_bot.handlers.common import FORGED, audit_press, with_menu
from chronos_bot.texts import LANGUAGE_NAMES, help_text
from chronos_bot.turn import Turn
from shared.services.org.profile import set_locale


async def help_command(turn: Turn) -> None:
    """/help: what this role can do, in the user's language, with the main menu."""
    await with_menu(turn, help_text(turn.t, turn.me.role))


async def language(turn: Turn) -> None:
    """/language: offer the supported languages as buttons."""
    await turn.say(turn.t("Choose your language:"), keyboards.languages())


async def on_language(turn: Turn) -> None:
    """A language button: store the choice and redraw the menu in that language."""
    press = callbacks.decode(turn.query.data if turn.query else None)
    if press is None or press.token is None:
        await audit_press(turn, FORGED, "employee", turn.me.id, "bad_language")
        return
    async with turn.deps.db.transaction() as session:
        await set_locale(session, actor=turn.actor, employee_id=turn.me.id, locale=press.token)
    turn.me.locale = press.token
    turn.use_locale(press.token)
    await turn.answer(LANGUAGE_NAMES[press.token])
    await turn.edit(turn.t("Language: {name}", name=LANGUAGE_NAMES[press.token]))
    turn.publish_commands(turn.me.role, press.token)
    await with_menu(turn, turn.t("Done. I will speak {name} from now on.", name=LANGUAGE_NAMES[press.token]))


async def cancel(turn: Turn) -> None:
    """/cancel: leave whatever flow the user is in."""
    if turn.session.flow is None:
        await with_menu(turn, turn.t("There is nothing to cancel."))
        return
    state.clear(turn.session)
    await with_menu(turn, turn.t("Cancelled. What would you like to do?"))


async def unknown(turn: Turn) -> None:
    """Text that is neither a menu button nor an answer the current step waits for."""
    await with_menu(turn, turn.t("Sorry, I did not understand that. Use the buttons below, or /help."))


async def noop(turn: Turn) -> None:
    """A button that does nothing (calendar titles, blanks): just stop the spinner."""
    await turn.answer()


async def unknown_button(turn: Turn) -> None:
    """A button this bot never made (a modified client): refuse and audit."""
    await audit_press(turn, FORGED, "callback", None, "unknown_data")
    await turn.answer(turn.t("This button is not valid."), alert=True)
