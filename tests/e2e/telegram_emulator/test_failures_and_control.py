"""Failure injection, flood control, statistics, reset and the ways to run the emulator."""

from __future__ import annotations

import asyncio
import datetime as dtm
import sys
import time
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter

from sandbox.telegram import ControlAPIError, EmulatorClient, EmulatorThread, TelegramEmulator

from .conftest import USER_ID

pytestmark = [
    pytest.mark.e2e,
    # PTB 22 itself warns, whenever it builds a RetryAfter, that retry_after will become a timedelta.
    pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"),
]


def retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_injected_429_makes_ptb_raise_retry_after(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    await control.inject("sendMessage", status=429, retry_after=7, count=1)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER_ID, "digest")
    sent = await bot.send_message(USER_ID, "digest")

    assert retry_seconds(caught.value) == 7
    assert sent.text == "digest"
    assert [m["text"] for m in await control.messages(USER_ID)] == ["digest"]


async def test_injected_500_makes_ptb_raise_network_error(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    await control.inject("*", status=500, count=2)

    for _ in range(2):
        with pytest.raises(NetworkError) as caught:
            await bot.get_me()
        assert not isinstance(caught.value, BadRequest)
    assert (await bot.get_me()).is_bot


async def test_injected_delay_slows_only_the_chosen_method(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    await control.inject("sendMessage", delay_ms=300, count=None)

    started = time.monotonic()
    await bot.get_me()
    fast = time.monotonic() - started
    await bot.send_message(USER_ID, "slow")
    slow = time.monotonic() - started - fast
    listed = await control.injections()
    await control.clear_injections()

    assert fast < 0.2 and slow >= 0.3
    assert listed[0]["hits"] == 1 and listed[0]["remaining"] is None
    assert await control.injections() == []


async def test_stats_count_calls_and_errors_per_method(bot: Bot, control: EmulatorClient, user: dict[str, Any]) -> None:
    await control.reset_stats()
    await bot.get_me()
    await bot.send_message(USER_ID, "a")
    await bot.send_message(USER_ID, "b")
    with pytest.raises(BadRequest):
        await bot.send_message(USER_ID, "")

    stats = await control.stats()

    assert stats["calls"] == {"getMe": 1, "sendMessage": 3}
    assert stats["errors"] == {"sendMessage": 1}
    assert stats["total"] == 4


async def test_flood_limits_answer_429_like_telegram(bot: Bot, control: EmulatorClient, user: dict[str, Any]) -> None:
    await control.set_flood_limits(per_chat_per_second=2, global_per_second=None)

    await bot.send_message(USER_ID, "1")
    await bot.send_message(USER_ID, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER_ID, "3")

    assert retry_seconds(caught.value) == 1
    await control.clear_flood_limits()
    await bot.send_message(USER_ID, "3")


async def test_unanswered_and_double_answered_callbacks_are_visible(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    await bot.send_message(
        USER_ID, "Pick", reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("Go", callback_data="go"))
    )
    pressed = await control.press_button(USER_ID, text="Go")

    with pytest.raises(TimeoutError):
        await control.wait_callback_answer(pressed["id"], timeout=0.1)
    [update] = await bot.get_updates()
    assert await update.callback_query.answer("Done") is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await update.callback_query.answer("Again")

    assert (await control.callback_answer(pressed["id"]))["answer"]["text"] == "Done"
    with pytest.raises(ControlAPIError, match="no inline button"):
        await control.press_button(USER_ID, text="Missing")


async def test_reset_forgets_chats_but_update_ids_keep_growing(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    first = await control.send_text(USER_ID, "before reset")
    await control.reset()
    await control.ensure_user(USER_ID, "Ada")
    second = await control.send_text(USER_ID, "after reset")

    assert second["update_id"] > first["update_id"]
    assert [u.message.text for u in await bot.get_updates()] == ["after reset"]
    assert [m["text"] for m in await control.messages(USER_ID)] == ["after reset"]


async def test_waiting_for_a_bot_message_times_out_cleanly(control: EmulatorClient, user: dict[str, Any]) -> None:
    await control.send_text(USER_ID, "anyone?")

    with pytest.raises(TimeoutError, match="no bot message"):
        await control.wait_for_bot_message(USER_ID, timeout=0.2)


async def test_in_loop_runner_serves_two_bots_on_a_free_port() -> None:
    other = "8000000002:AAH-second-bot-token"
    async with TelegramEmulator(port=0, bots=[other]) as emu:
        assert emu.port != 0
        async with Bot(other, base_url=emu.base_url) as second, emu.client(bot=8000000002) as control:
            await control.ensure_user(77, "Zed")
            await second.send_message(77, "from the second bot")
            assert (await second.get_me()).id == 8000000002
            assert [m["text"] for m in await control.messages(77)] == ["from the second bot"]
        async with emu.client() as default_control:
            with pytest.raises(ControlAPIError, match="does not exist"):
                await default_control.messages(77)


def test_thread_runner_serves_synchronous_callers() -> None:
    with EmulatorThread(port=0) as emu:
        health = httpx.get(f"{emu.control_url}/health", timeout=5).json()
        me = httpx.post(f"{emu.base_url}{emu.token}/getMe", timeout=5).json()

    assert health["ok"] is True and "sendMessage" in health["methods"]
    assert me["ok"] is True and me["result"]["username"] == "chronos_hr_bot"


async def test_command_line_entry_point_starts_the_server() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sandbox.telegram", "--port", "0", "--log-level", "warning",
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        line = (await asyncio.wait_for(process.stderr.readline(), 15)).decode()
        url = line.split(" on ", 1)[1].split()[0]
        async with EmulatorClient(url) as control:
            assert (await control.health())["bots"][0]["username"] == "chronos_hr_bot"
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) is not None
