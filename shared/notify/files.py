"""Files Telegram keeps for us (a sick note sent to the bot): where they are downloaded from, and a client
that fetches one by its ``file_id`` for the API (``GET /leaves/{id}/attachment``)."""

from __future__ import annotations

import asyncio
from typing import Protocol

from telegram import Bot
from telegram.request import HTTPXRequest

from shared.config import Settings

CONNECT_TIMEOUT = 5.0


class FileSource(Protocol):
    """Gives the bytes and a file name of a file Telegram holds."""

    async def download(self, file_id: str) -> tuple[bytes, str]: ...

    async def close(self) -> None: ...


def file_url(settings: Settings) -> str:
    """TELEGRAM_FILE_URL, or the file URL that goes with TELEGRAM_API_URL (``…/bot`` → ``…/file/bot``)."""
    return settings.telegram_file_base_url


class TelegramFiles:
    """``getFile`` and the download, with the bot's token and the usual deadlines; built by the bootstrap."""

    def __init__(self, settings: Settings) -> None:
        wait = settings.telegram_timeout_seconds
        request = HTTPXRequest(
            connection_pool_size=4, connect_timeout=CONNECT_TIMEOUT, read_timeout=wait, write_timeout=wait,
            pool_timeout=wait,
        )  # fmt: skip
        self._bot = Bot(
            settings.telegram_bot_token, base_url=settings.telegram_api_url, base_file_url=file_url(settings),
            request=request, get_updates_request=request,
        )  # fmt: skip
        self._ready = asyncio.Lock()
        self._started = False

    async def download(self, file_id: str) -> tuple[bytes, str]:
        async with self._ready:
            if not self._started:
                await self._bot.initialize()
                self._started = True
        found = await self._bot.get_file(file_id)
        content = await found.download_as_bytearray()
        name = (found.file_path or "").rsplit("/", 1)[-1] or "attachment"
        return bytes(content), name

    async def close(self) -> None:
        if self._started:
            await self._bot.shutdown()
