"""Onboarding: ``/start <code>`` (or ``/start`` then the code) links a Telegram account to an invited employee.

A stranger can do nothing else: every other update brings them back here. Wrong codes are limited to
five per hour per Telegram user (``AttemptLimiter``), whichever replica they reach.
"""

from __future__ import annotations

import html

from telegram import ReplyKeyboardRemove

from chronos_bot import state
from chronos_bot.handlers.common import FORGED, audit_press, with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.texts import help_text
from chronos_bot.turn import Turn
from shared.errors import Conflict, Forbidden, Invalid
from shared.i18n import negotiate_locale
from shared.services.actor import Actor
from shared.services.org.invitations import redeem_invitation
from shared.services.org.profile import set_locale
from shared.services.secrets import looks_like_invitation_code


async def start(turn: Turn) -> None:
    """/start [code]: link with the code, welcome back a linked user, or ask a stranger for the code."""
    if turn.employee is not None:
        state.clear(turn.session)
        turn.publish_commands(turn.me.role, turn.t.locale)
        await with_menu(turn, turn.t("Welcome back, {name}!", name=html.escape(turn.me.full_name)))
        return
    if turn.args:
        await redeem(turn, turn.args[0])
    else:
        await ask_code(turn)


def telegram_locale(turn: Turn) -> str | None:
    """The supported locale of the user's Telegram language, or None when Telegram says none we speak."""
    user = turn.update.effective_user
    code = user.language_code if user else None
    found = negotiate_locale(code, default="") if code else ""
    return found or None


async def ask_code(turn: Turn) -> None:
    """Ask a stranger for the invitation code HR gave them."""
    state.begin(turn.session, Flow.ONBOARD, Step.CODE)
    await turn.say(
        turn.t("👋 Hello! I am Chronos, the HR assistant of your company.")
        + "\n"
        + turn.t("To begin, send me the invitation code HR gave you."),
        ReplyKeyboardRemove(),
    )


async def on_text(turn: Turn) -> None:
    """A stranger wrote something: it is their code once we asked for one."""
    text = (turn.message.text if turn.message else "") or ""
    asked = state.in_step(turn.session, Flow.ONBOARD, Step.CODE)
    if (asked and text.strip()) or looks_like_invitation_code(text):  # a first message that is only a code
        await redeem(turn, text.strip())
    else:
        await ask_code(turn)


async def redeem(turn: Turn, code: str) -> None:
    """Try one code: link and welcome, or say why not (and how many tries are left)."""
    limiter = turn.deps.limiter
    wait = await limiter.wait_seconds(turn.user_id)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        await turn.say(
            turn.t.plural(
                "Too many wrong codes. Please try again in {n} minute.",
                "Too many wrong codes. Please try again in {n} minutes.",
                minutes,
            )
        )
        return
    try:
        async with turn.deps.db.transaction() as session:
            employee = await redeem_invitation(
                session, code=code, telegram_user_id=turn.user_id, now=turn.now, pepper=turn.deps.settings.secret_key
            )
            spoken = telegram_locale(turn)
            if employee.locale is None or (spoken and spoken != employee.locale):
                # the language the person's Telegram speaks is their choice: keep it after linking (HR's
                # guess in the import is only a default), so every later answer and notification matches it
                actor = Actor.for_employee(employee.id, employee.role)
                employee = await set_locale(
                    session, actor=actor, employee_id=employee.id, locale=spoken or turn.t.locale
                )
    except Invalid as exc:
        await limiter.failed(turn.user_id)
        left = await limiter.left(turn.user_id)
        state.begin(turn.session, Flow.ONBOARD, Step.CODE)
        hint = (
            turn.t.plural("You have {n} more try this hour.", "You have {n} more tries this hour.", left)
            if left
            else turn.t("That was the last try for this hour.")
        )
        await turn.say(html.escape(exc.render(turn.t)) + "\n" + hint)
        return
    except (Forbidden, Conflict) as exc:
        state.clear(turn.session)
        await turn.say(html.escape(exc.render(turn.t)))
        return
    await limiter.reset(turn.user_id)
    state.clear(turn.session)
    turn.employee = employee
    turn.use_locale(employee.locale or turn.t.locale)
    turn.publish_commands(employee.role, turn.t.locale)
    welcome = turn.t("✅ Welcome, {name}! Your Telegram account is now linked.", name=html.escape(employee.full_name))
    await with_menu(turn, welcome + "\n\n" + help_text(turn.t, employee.role))


async def stranger(turn: Turn) -> None:
    """Anything but /start from an unlinked account: ask for the code (and audit a pressed button)."""
    if turn.query is not None:
        await audit_press(turn, FORGED, "callback", None, "not_linked")
        await turn.answer(turn.t("Please link your account first: send me your invitation code."), alert=True)
        return
    await ask_code(turn)


async def deactivated(turn: Turn) -> None:
    """A deactivated employee: refuse politely, whatever they send."""
    state.clear(turn.session)
    text = turn.t("Your account is deactivated. If that is a mistake, please contact HR.")
    if turn.query is not None:
        await turn.answer(text, alert=True)
    else:
        await turn.say(text, ReplyKeyboardRemove())
