"""Keyboards: the main menu by role (reply keyboard), the location request, and inline keyboards from data."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from chronos_bot import callbacks
from chronos_bot.calendar import Cell
from chronos_bot.texts import LANGUAGE_NAMES, Action, label
from shared.config import SUPPORTED_LOCALES
from shared.domain.enums import Role
from shared.i18n import Translator
from shared.notify.outbox import Keyboard

EMPLOYEE_ROWS: tuple[tuple[Action, ...], ...] = (
    (Action.CHECK_IN, Action.CHECK_OUT),
    (Action.LEAVE, Action.MY_LEAVES),
    (Action.BALANCE, Action.WHOS_OUT),
)
MANAGER_ROWS = ((Action.PENDING, Action.TEAM),)
HR_ROWS = ((Action.DIGEST, Action.REPORT),)
LAST_ROW = ((Action.LANGUAGE, Action.HELP),)


def menu_rows(role: Role) -> list[tuple[Action, ...]]:
    """The main menu's actions for ``role``: everyone's, then the manager's, then HR's."""
    rows = list(EMPLOYEE_ROWS)
    if role in (Role.MANAGER, Role.HR, Role.ADMIN):
        rows += MANAGER_ROWS
    if role in (Role.HR, Role.ADMIN):
        rows += HR_ROWS
    return rows + list(LAST_ROW)


@functools.cache
def main_menu(t: Translator, role: Role) -> ReplyKeyboardMarkup:
    """The main menu (built once per language and role; Telegram objects are immutable)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label(t, action)) for action in row] for row in menu_rows(role)],
        resize_keyboard=True,
        is_persistent=True,
    )


def location_request(t: Translator, *, remote: str | None = None) -> ReplyKeyboardMarkup:
    """One big "send my location" button, "working remotely" where the office allows it, and a way out."""
    rows = [[KeyboardButton(t("📍 Send my location"), request_location=True)]]
    if remote:
        rows.append([KeyboardButton(remote)])
    return ReplyKeyboardMarkup(
        [*rows, [KeyboardButton(label(t, Action.CANCEL))]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def inline(rows: Sequence[Sequence[Cell]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(c.text, callback_data=c.data) for c in row] for row in rows])


def from_outbox(keyboard: Keyboard) -> InlineKeyboardMarkup:
    """The buttons a notification builder made (``shared.notify``), as Telegram markup."""
    return inline([[Cell(b.text, b.callback_data) for b in row] for row in keyboard])


def languages() -> InlineKeyboardMarkup:
    return inline([[Cell(LANGUAGE_NAMES[code], callbacks.language(code)) for code in SUPPORTED_LOCALES]])
