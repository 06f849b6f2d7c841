"""Bot API methods on files: sendDocument, sendPhoto, editMessageMedia, getFile (download is in dispatch)."""

from __future__ import annotations

import logging
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import httpx

from sandbox.telegram.dispatch import CallContext, api_method
from sandbox.telegram.errors import bad_request
from sandbox.telegram.media import guess_mime, image_size
from sandbox.telegram.model import JSON, StoredFile, now
from sandbox.telegram.params import Params, UploadedFile
from sandbox.telegram.sending import (
    apply_edit,
    editable_message,
    record_outgoing,
    reply_markup,
    target_chat,
    text_content,
)

logger = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
FileKind = Literal["document", "photo"]


def store_upload(
    ctx: CallContext, kind: FileKind, data: bytes, file_name: str | None, content_type: str | None
) -> StoredFile:
    """Keep uploaded bytes as a new document or photo of this bot."""
    if not data:
        raise bad_request("file must be non-empty")
    if kind == "photo":
        size = image_size(data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        if len(data) > MAX_PHOTO_BYTES:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return ctx.state.store_file(
            ctx.bot, "photo", data, file_name=None, mime_type="image/jpeg", width=size[0], height=size[1]
        )
    return ctx.state.store_file(
        ctx.bot, "document", data, file_name=file_name, mime_type=guess_mime(file_name, content_type)
    )


async def _fetch_url(ctx: CallContext, url: str) -> tuple[bytes, str | None, str | None]:
    try:
        response = await ctx.state.http.get(url, follow_redirects=True)
    except httpx.HTTPError as exc:
        logger.info("fetching %s failed: %s", url, exc)
        raise bad_request("failed to get HTTP URL content") from None
    if response.status_code != 200 or len(response.content) > MAX_DOWNLOAD_BYTES:
        raise bad_request("failed to get HTTP URL content")
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or None
    return response.content, name, response.headers.get("content-type", "").split(";")[0] or None


async def input_file(ctx: CallContext, params: Params, name: str, kind: FileKind) -> StoredFile:
    """The file a send method refers to: a fresh upload, an HTTP URL or an existing file_id."""
    value = params.file(name)
    if value is None:
        raise bad_request(f"there is no {name} in the request")
    if isinstance(value, UploadedFile):
        return store_upload(ctx, kind, value.data, value.filename, value.content_type)
    if value.startswith(("http://", "https://")):
        data, file_name, content_type = await _fetch_url(ctx, value)
        return store_upload(ctx, kind, data, file_name, content_type)
    stored = ctx.state.files.get(value.strip())
    if stored is None or stored.bot_token != ctx.bot.token:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request("type of file mismatch")
    return stored


async def _send_file(ctx: CallContext, params: Params, kind: FileKind) -> JSON:
    chat = target_chat(ctx, params)
    content = text_content(params, caption=True)
    content.reply_markup = reply_markup(params)
    stored = await input_file(ctx, params, kind, kind)
    return record_outgoing(ctx, chat, content, params, is_caption=True, **{kind: stored})


@api_method("sendDocument")
async def send_document(ctx: CallContext, params: Params) -> JSON:
    """Send a general file (multipart upload, HTTP URL or file_id)."""
    return await _send_file(ctx, params, "document")


@api_method("sendPhoto")
async def send_photo(ctx: CallContext, params: Params) -> JSON:
    """Send a picture (must really be an image, like on Telegram)."""
    return await _send_file(ctx, params, "photo")


@api_method("editMessageMedia")
async def edit_message_media(ctx: CallContext, params: Params) -> JSON:
    """Replace the photo or document of a bot message (``media``: an InputMedia, its file an ``attach://``
    upload or a file_id), with its caption and inline keyboard."""
    chat, record = editable_message(ctx, params)
    if not record.has_media:
        raise bad_request("there is no media in the message to edit")
    media = params.json("media", what="InputMedia")
    if not isinstance(media, dict) or media.get("type") not in ("photo", "document"):
        raise bad_request("can't parse InputMedia: media type invalid")
    kind: FileKind = media["type"]
    reference = str(media.get("media") or "")
    if reference.startswith("attach://"):
        upload = params.file(reference.removeprefix("attach://"))
        if not isinstance(upload, UploadedFile):
            raise bad_request("can't parse InputMedia: attached file not found")
        stored = store_upload(ctx, kind, upload.data, upload.filename, upload.content_type)
    else:
        stored = ctx.state.files.get(reference.strip())
        if stored is None or stored.bot_token != ctx.bot.token:
            raise bad_request("wrong file identifier/HTTP URL specified")
    caption = Params({"caption": media.get("caption"), "parse_mode": media.get("parse_mode")})
    content = text_content(caption, caption=True)
    content.reply_markup = reply_markup(params, inline_only=True)
    same_file = (record.photo if kind == "photo" else record.document) is stored
    if not same_file:
        content.edit_date = now()
    record.photo, record.document = (stored, None) if kind == "photo" else (None, stored)
    return apply_edit(ctx, chat, record, content) if same_file else _replaced(ctx, chat, record, content)


def _replaced(ctx: CallContext, chat: Any, record: Any, content: Any) -> JSON:
    record.history.append(record.content)
    record.content = content
    record.is_caption = True
    ctx.state.touch(chat)
    return chat.message_api(record)  # type: ignore[no-any-return]


@api_method("getFile")
async def get_file(ctx: CallContext, params: Params) -> JSON:
    """Describe a file and give the path to download it from ``/file/bot<token>/<path>``."""
    file_id = params.string("file_id", required=True, empty="file_id is empty")
    assert file_id is not None
    stored = ctx.state.files.get(file_id.strip())
    if stored is None or stored.bot_token != ctx.bot.token:
        raise bad_request("invalid file_id")
    if stored.file_size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.file_api()
