"""getUpdates long polling and offsets, and webhook delivery with the secret header."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import CommandHandler, ContextTypes

from sandbox.telegram import EmulatorClient
from sandbox.telegram.server import serve_asgi

from .conftest import USER_ID, AnyApplication

pytestmark = pytest.mark.e2e

SECRET = "chronos-webhook-secret_1"


class Receiver:
    """A webhook endpoint that records deliveries and can fail the first few on purpose."""

    def __init__(self, *, failures: int = 0) -> None:
        self.failures = failures
        self.deliveries: list[tuple[dict[str, Any], str | None]] = []
        self.arrived = asyncio.Event()

    async def handle(self, request: Request) -> Response:
        if self.failures > 0:
            self.failures -= 1
            return Response("try later", status_code=500)
        payload = json.loads(await request.body())
        self.deliveries.append((payload, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.arrived.set()
        return Response(status_code=200)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.handle, methods=["POST"])])


async def test_long_poll_returns_promptly_when_an_update_arrives(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()

    await control.send_text(USER_ID, "hello")
    updates = await asyncio.wait_for(poll, 2)

    assert [u.message.text for u in updates] == ["hello"]
    assert time.monotonic() - started < 1.5


async def test_long_poll_without_updates_waits_for_its_timeout(bot: Bot) -> None:
    started = time.monotonic()

    assert await bot.get_updates(timeout=0.5) == ()
    assert 0.45 <= time.monotonic() - started < 2


async def test_offset_confirms_updates_and_limit_caps_the_batch(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    for text in ("one", "two", "three"):
        await control.send_text(USER_ID, text)

    first = await bot.get_updates(limit=2)
    again = await bot.get_updates()
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    after_all = await bot.get_updates(offset=rest[-1].update_id + 1)

    assert [u.message.text for u in first] == ["one", "two"]
    assert [u.message.text for u in again] == ["one", "two", "three"]  # nothing confirmed yet
    assert [u.message.text for u in rest] == ["three"]
    assert after_all == ()
    assert (await control.pending_updates())["pending"] == []


async def test_allowed_updates_filters_update_types(bot: Bot, control: EmulatorClient, user: dict[str, Any]) -> None:
    assert await bot.get_updates(allowed_updates=["callback_query"]) == ()
    await bot.send_message(
        USER_ID, "Pick", reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("A", callback_data="a"))
    )

    await control.send_text(USER_ID, "ignored text")
    await control.press_button(USER_ID, data="a")
    updates = await bot.get_updates()

    assert [u.callback_query.data for u in updates] == ["a"]


async def test_a_second_long_poll_terminates_the_first_with_conflict(
    emulator: Any, bot: Bot, user: dict[str, Any]
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5, read_timeout=10))
    await asyncio.sleep(0.2)
    async with Bot(emulator.token, base_url=emulator.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)


async def test_webhook_delivers_updates_with_the_secret_header(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    receiver = Receiver()
    async with serve_asgi(receiver.app()) as url:
        assert await bot.set_webhook(f"{url}/hook", secret_token=SECRET) is True
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await control.send_text(USER_ID, "/start INV-9")
        await asyncio.wait_for(receiver.arrived.wait(), 5)
        version = await control.version()
        while (await control.pending_updates())["pending"]:  # confirmed once the 200 reaches the emulator
            version = await control.version(since=version, timeout=5)
        info = await bot.get_webhook_info()
        await bot.delete_webhook()

    [(payload, secret)] = receiver.deliveries
    assert secret == SECRET
    update = Update.de_json(payload, bot)
    assert update.message.text == "/start INV-9" and update.message.from_user.id == USER_ID
    assert info.url == f"{url}/hook" and info.pending_update_count == 0


async def test_failed_webhook_deliveries_are_retried_and_reported(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    receiver = Receiver(failures=2)
    async with serve_asgi(receiver.app()) as url:
        await bot.set_webhook(f"{url}/hook")
        await control.send_text(USER_ID, "first")
        await control.send_text(USER_ID, "second")
        while len(receiver.deliveries) < 2:
            await asyncio.wait_for(receiver.arrived.wait(), 5)
            receiver.arrived.clear()
        info = await bot.get_webhook_info()

    assert [p["message"]["text"] for p, _ in receiver.deliveries] == ["first", "second"]
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None


async def test_application_in_webhook_mode_answers_through_its_own_route(
    bot: Bot, make_application: Callable[..., AnyApplication], control: EmulatorClient, user: dict[str, Any]
) -> None:
    app = make_application(with_updater=False)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"Welcome, {update.message.from_user.first_name}!")

    async def telegram_route(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return Response(status_code=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return Response(status_code=200)

    app.add_handler(CommandHandler("start", start))
    receiver = Starlette(routes=[Route("/telegram", telegram_route, methods=["POST"])])
    async with app, serve_asgi(receiver) as url:
        await app.start()
        await app.bot.set_webhook(f"{url}/telegram", secret_token=SECRET)
        await control.send_text(USER_ID, "/start")
        reply = await control.wait_for_bot_message(USER_ID)
        await app.stop()

    assert reply["text"] == "Welcome, Ada!"


async def test_webhook_reply_body_method_is_executed_like_telegram(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    async def hook(request: Request) -> Response:
        update = await request.json()
        chat_id = update["message"]["chat"]["id"]
        return JSONResponse({"method": "sendMessage", "chat_id": chat_id, "text": "answered inline"})

    async with serve_asgi(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        await bot.set_webhook(f"{url}/hook")
        await control.send_text(USER_ID, "ping")
        reply = await control.wait_for_bot_message(USER_ID)

    assert reply["text"] == "answered inline"
