"""Chronos's own file client (``shared.notify.files.TelegramFiles``) fetches a document by its file id."""

from __future__ import annotations

import io

import pytest
from telegram import Bot, InputFile

from sandbox.telegram import EmulatorThread
from shared.config import Settings
from shared.notify.files import TelegramFiles

from .conftest import USER_ID

pytestmark = pytest.mark.e2e

NOTE = b"%PDF-1.4 " + bytes(range(256)) * 8


async def test_a_document_the_bot_holds_is_downloaded_by_its_file_id(
    bot: Bot, emulator: EmulatorThread, user: dict
) -> None:
    sent = await bot.send_document(USER_ID, InputFile(io.BytesIO(NOTE), filename="sick-note.pdf"))
    settings = Settings(
        _env_file=None, telegram_bot_token=emulator.token, telegram_api_url=emulator.base_url,
        telegram_file_url=emulator.base_file_url,
    )  # fmt: skip
    files = TelegramFiles(settings)
    try:
        content, name = await files.download(sent.document.file_id)
    finally:
        await files.close()
    assert content == NOTE and name
