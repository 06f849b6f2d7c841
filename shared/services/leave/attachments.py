"""The document attached to a leave request (a sick note), fetched for those allowed to see it."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, ChronosError, NotFound
from shared.model import LeaveRequest
from shared.notify.files import FileSource

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class FilesUnavailable(ChronosError):
    status = 503
    code = "unavailable"


@dataclass(frozen=True)
class Attachment:
    content: bytes
    filename: str
    media_type: str


async def fetch_attachment(session: AsyncSession, *, request_id: int, files: FileSource | None) -> Attachment:
    """The request's document; 404 when it has none, 503 when Telegram cannot be asked."""
    request = await session.get(LeaveRequest, request_id)
    if request is None:
        raise NotFound(N_("Leave request {id} does not exist."), id=request_id)
    if not request.attachment_file_id:
        raise NotFound(N_("Leave request {id} has no document attached."), id=request_id)
    if files is None:
        raise FilesUnavailable(N_("Documents cannot be fetched: the Telegram bot is not configured."))
    try:
        content, name = await files.download(request.attachment_file_id)
    except Exception as exc:  # any Telegram failure: the caller may retry
        raise FilesUnavailable(N_("Telegram did not give the document; try again later.")) from exc
    stem = SAFE_NAME.sub("_", name).strip("._") or "document"
    filename = f"leave-{request.id}-{stem}"
    media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Attachment(content, filename, media_type)
