"""Telegram Bot API emulator: a local server a real, unmodified python-telegram-bot talks to.

    async with TelegramEmulator() as emu:
        app = ApplicationBuilder().token(emu.token).base_url(emu.base_url) \\
            .base_file_url(emu.base_file_url).build()
        async with emu.client() as user:
            await user.ensure_user(42, "Ada")
            await user.send_text(42, "/start INVITE")
"""

from sandbox.telegram.client import ControlAPIError, EmulatorClient
from sandbox.telegram.server import BotSpec, EmulatorThread, TelegramEmulator
from sandbox.telegram.store import DEFAULT_TOKEN, EmulatorConfig

__all__ = [
    "DEFAULT_TOKEN",
    "BotSpec",
    "ControlAPIError",
    "EmulatorClient",
    "EmulatorConfig",
    "EmulatorThread",
    "TelegramEmulator",
]
