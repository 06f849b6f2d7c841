"""The command menu Telegram shows: everyone's commands per language, and a wider list in managers' and HR's chats."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from chronos_bot.texts import MANAGERS, commands_for
from shared.config import SUPPORTED_LOCALES, get_settings
from shared.domain.enums import Role
from shared.errors import N_
from shared.i18n import translator

log = logging.getLogger(__name__)


def bot_commands(role: Role, locale: str) -> list[BotCommand]:
    t = translator(locale)
    return [BotCommand(c.name, t.gettext(c.description)[:256]) for c in commands_for(role)]


async def publish_defaults(bot: Bot, *, default_locale: str) -> None:
    """setMyCommands for employees: the default list (in DEFAULT_LOCALE) and one per supported language."""
    await bot.set_my_commands(bot_commands(Role.EMPLOYEE, default_locale))
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(bot_commands(Role.EMPLOYEE, locale), language_code=locale)


async def publish_for_chat(bot: Bot, chat_id: int, role: Role, locale: str) -> None:
    """Managers and HR see their extra commands in their own chat, in their language (best effort)."""
    if role not in MANAGERS:
        return
    try:
        await bot.set_my_commands(bot_commands(role, locale), scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not set the chat's command list", extra={"chat_id": chat_id}, exc_info=True)
    await publish_console_button(bot, chat_id, locale, console_url=get_settings().console_url)


CONSOLE_BUTTON = N_("HR console")


async def publish_console_button(bot: Bot, chat_id: int, locale: str, *, console_url: str) -> None:
    """The chat's menu button opens the HR console as a Mini App (when CONSOLE_URL is set; best effort)."""
    if not console_url:
        return
    button = MenuButtonWebApp(
        translator(locale).gettext(CONSOLE_BUTTON), WebAppInfo(console_url.rstrip("/") + "/console/telegram")
    )
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramError:
        log.warning("could not set the chat's menu button", extra={"chat_id": chat_id}, exc_info=True)
