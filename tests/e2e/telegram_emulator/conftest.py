"""Fixtures: one emulator per session (reset before every test), a control client, real PTB objects."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from sandbox.telegram import EmulatorClient, EmulatorConfig, EmulatorThread

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

USER_ID = 4242
OTHER_USER_ID = 5151


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorThread]:
    """The emulator, in a background thread so that every test's event loop can use it."""
    config = EmulatorConfig(webhook_retry_delays=(0.02, 0.05, 0.1))
    with EmulatorThread(port=0, config=config) as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorThread) -> EmulatorThread:
    """The shared emulator with users, chats, updates, webhooks, injections and stats forgotten."""
    httpx.post(f"{emulator_server.control_url}/reset", timeout=10, verify=False).raise_for_status()
    return emulator_server


@pytest.fixture
async def control(emulator: EmulatorThread) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.url, timeout=10.0) as client:
        yield client


@pytest.fixture
async def user(control: EmulatorClient) -> dict[str, Any]:
    """A user who has opened the chat with the bot."""
    return await control.ensure_user(USER_ID, "Ada", last_name="Lovelace", username="ada_l", language_code="en")


@pytest.fixture
async def bot(emulator: EmulatorThread) -> AsyncIterator[Bot]:
    async with Bot(emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url) as client:
        yield client


def build_application(emulator: EmulatorThread, *, with_updater: bool = True) -> AnyApplication:
    """A PTB Application configured exactly as Chronos configures it offline."""
    builder = ApplicationBuilder().token(emulator.token).base_url(emulator.base_url)
    builder = builder.base_file_url(emulator.base_file_url)
    if not with_updater:
        builder = builder.updater(None)
    return builder.build()


@contextlib.asynccontextmanager
async def polling(app: AnyApplication) -> AsyncIterator[AnyApplication]:
    """Run ``app`` in polling mode for the duration of the block, then stop it cleanly."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.fixture
def make_application(emulator: EmulatorThread) -> Callable[..., AnyApplication]:
    """Factory for Applications wired to the emulator (``with_updater=False`` for webhook mode)."""
    return lambda **kwargs: build_application(emulator, **kwargs)
