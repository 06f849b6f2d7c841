"""Menus by role, labels mapped back in any language, commands per role, per-user update ordering."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Chat, Message, Update, User

from chronos_bot import keyboards
from chronos_bot.app import PerUserUpdateProcessor, file_url
from chronos_bot.commands import bot_commands
from chronos_bot.texts import MENU_LABELS, Action, action_for_label, commands_for, help_text
from shared.config import Settings
from shared.domain.enums import Role
from shared.i18n import translator


def labels(role: Role, locale: str = "en") -> list[str]:
    markup = keyboards.main_menu(translator(locale), role)
    return [button.text for row in markup.keyboard for button in row]


def test_an_employee_sees_attendance_leave_and_help() -> None:
    assert labels(Role.EMPLOYEE) == ["📍 Check in", "🏁 Check out", "🌴 Request leave", "🗂 My requests",
                                     "💼 Balance", "🗓 Who's out", "🌐 Language", "❓ Help"]  # fmt: skip


def test_a_manager_also_sees_approvals_and_the_team() -> None:
    extra = set(labels(Role.MANAGER)) - set(labels(Role.EMPLOYEE))
    assert extra == {"📥 Pending approvals", "👥 My team today"}


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_also_sees_the_digest_and_the_timesheet(role: Role) -> None:
    extra = set(labels(role)) - set(labels(Role.MANAGER))
    assert extra == {"📋 Digest", "📊 Timesheet"}


def test_the_menu_is_a_persistent_resized_reply_keyboard() -> None:
    markup = keyboards.main_menu(translator("en"), Role.EMPLOYEE)
    assert markup.resize_keyboard and markup.is_persistent


def test_the_location_keyboard_asks_for_the_location() -> None:
    markup = keyboards.location_request(translator("en"))
    assert markup.keyboard[0][0].request_location is True and markup.one_time_keyboard


@pytest.mark.parametrize("locale", ["en", "ru", "ar"])
def test_every_label_maps_back_to_its_action_in_every_language(locale: str) -> None:
    t = translator(locale)
    for action, label in MENU_LABELS.items():
        assert action_for_label(t.gettext(label)) is action
    assert action_for_label("  📍 Check in ") is Action.CHECK_IN
    assert action_for_label("check in") is None


def test_commands_per_role() -> None:
    names = {role: [c.name for c in commands_for(role)] for role in Role}
    assert "pending" not in names[Role.EMPLOYEE] and "invite" not in names[Role.MANAGER]
    assert {"invite", "digest", "report", "pending", "team"} <= set(names[Role.HR])
    assert commands_for(None) == []
    assert all(1 <= len(c.description) <= 256 for c in bot_commands(Role.ADMIN, "en"))


def test_help_lists_the_roles_commands() -> None:
    text = help_text(translator("en"), Role.MANAGER)
    assert "/pending" in text and "/invite" not in text and text.startswith("Here is what I can do for you:")


def test_the_file_url_follows_the_api_url() -> None:
    settings = Settings(telegram_api_url="http://127.0.0.1:8081/bot")
    assert file_url(settings) == "http://127.0.0.1:8081/file/bot"
    assert file_url(Settings(telegram_file_url="http://x/files")) == "http://x/files"


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "U", is_bot=False)
    message = Message(update_id, date=None, chat=Chat(user_id, "private"), from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_users_updates_run_in_order_while_other_users_run_alongside() -> None:
    processor = PerUserUpdateProcessor(16)
    done: list[tuple[int, int]] = []

    async def work(user: int, number: int, delay: float) -> None:
        await asyncio.sleep(delay)
        done.append((user, number))

    jobs: list[Any] = []
    for number, (user, delay) in enumerate([(1, 0.05), (1, 0.0), (2, 0.0), (1, 0.01), (2, 0.02)]):
        jobs.append(asyncio.create_task(processor.process_update(_update(number, user), work(user, number, delay))))
    await asyncio.gather(*jobs)

    assert [n for u, n in done if u == 1] == [0, 1, 3]
    assert [n for u, n in done if u == 2] == [2, 4]
    assert done.index((2, 2)) < done.index((1, 0))  # user 2 did not wait for user 1
    assert processor._tails == {}
