"""sendDocument / sendPhoto uploads, file_id reuse, getFile and downloads through PTB."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest

from sandbox.telegram import EmulatorClient

from .conftest import USER_ID

pytestmark = pytest.mark.e2e

WORKBOOK = b"PK\x03\x04" + bytes(range(256)) * 40
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def png(width: int, height: int) -> bytes:
    """A valid, tiny grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


async def test_send_document_is_stored_and_downloadable_through_get_file(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    sent = await bot.send_document(
        USER_ID, InputFile(io.BytesIO(WORKBOOK), filename="digest-2026-03-01.xlsx"), caption="<b>Daily digest</b>",
        parse_mode="HTML",
    )  # fmt: skip

    document = sent.document
    assert document.file_name == "digest-2026-03-01.xlsx"
    assert document.mime_type == XLSX and document.file_size == len(WORKBOOK)
    assert sent.caption == "Daily digest" and sent.caption_entities[0].type == "bold"
    file = await bot.get_file(document.file_id)
    assert file.file_path.startswith(f"{bot.base_file_url}/documents/")
    assert bytes(await file.download_as_bytearray()) == WORKBOOK
    [line] = (await control.transcript(USER_ID))["messages"]
    assert line["document"]["file_name"] == "digest-2026-03-01.xlsx"
    assert await control.download(line["document"]["download_url"]) == WORKBOOK


async def test_a_file_id_can_be_sent_again_without_uploading(bot: Bot, user: dict[str, Any]) -> None:
    first = await bot.send_document(USER_ID, InputFile(io.BytesIO(WORKBOOK), filename="report.xlsx"))

    again = await bot.send_document(USER_ID, first.document.file_id)

    assert again.document.file_unique_id == first.document.file_unique_id
    assert again.message_id == first.message_id + 1
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(USER_ID, "BQACAgIAAxkBAAInvalid")


async def test_photos_must_really_be_images(bot: Bot, control: EmulatorClient, user: dict[str, Any]) -> None:
    photo = await bot.send_photo(USER_ID, png(64, 48), caption="Badge")

    assert (photo.photo[-1].width, photo.photo[-1].height) == (64, 48)
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, b"not an image at all")
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_document(USER_ID, photo.photo[-1].file_id)


async def test_photo_from_a_user_can_be_fetched_by_the_bot(
    bot: Bot, control: EmulatorClient, user: dict[str, Any]
) -> None:
    image = png(10, 20)
    await control.send_photo(USER_ID, image, caption="sick note")

    [update] = await bot.get_updates()
    biggest = update.message.photo[-1]
    assert update.message.caption == "sick note" and (biggest.width, biggest.height) == (10, 20)
    assert bytes(await (await bot.get_file(biggest.file_id)).download_as_bytearray()) == image


async def test_empty_and_unknown_files_are_refused(bot: Bot, user: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match=r"(?i)file must be non-empty"):
        await bot.send_document(USER_ID, InputFile(io.BytesIO(b""), filename="empty.txt"))
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("no-such-file")
