"""The global error handler: log with the update id, apologise to the user in their language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from chronos_bot.turn import BotDeps
from shared.i18n import negotiate_locale, translator
from shared.persistence.errors import is_unavailable
from shared.services.org.profile import employee_by_telegram_id

log = logging.getLogger(__name__)

LOOKUP_SECONDS = 2.0  # the apology must not wait on the database that may be why we apologise
ErrorHandler = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def make_error_handler(deps: BotDeps) -> ErrorHandler:
    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its update id, then tell the user something went wrong (translated)."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error, extra={"update_id": update_id})
        if not isinstance(update, Update) or update.effective_user is None:
            return
        user = update.effective_user
        locale = None
        try:
            async with asyncio.timeout(LOOKUP_SECONDS), deps.db.session() as session:
                employee = await employee_by_telegram_id(session, user.id)
            locale = employee.locale if employee is not None else None
        except Exception:
            log.warning("could not look up the user's language", extra={"update_id": update_id}, exc_info=True)
        t = translator(locale or negotiate_locale(user.language_code, deps.settings.default_locale))
        error = context.error
        if error is not None and (isinstance(error, TimeoutError) or is_unavailable(error)):
            text = t("⏳ I cannot reach my records right now. Please try again in a minute.")
        else:
            text = t("😕 Sorry, something went wrong on my side. Please try again in a moment.")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            elif update.effective_chat is not None:
                await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            log.warning("could not apologise to the user", extra={"update_id": update_id}, exc_info=True)

    return on_error
