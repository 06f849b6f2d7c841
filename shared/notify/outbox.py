"""Writing notifications: an outbox row in the caller's transaction, delivered later by the sender.

Payload shapes (JSON), all delivered to ``chat_id`` in the order the rows were written:
- ``{"kind": "message", "text", "parse_mode", "buttons": [[{"text", "callback_data"}]]}``
- ``{"kind": "document", "filename", "caption", "parse_mode"}`` with the bytes in ``attachment``
- ``{"kind": "edit", "edit_ref", "text", "parse_mode", "buttons"}``: edit the message this chat got
  from the row whose ``ref`` is ``edit_ref`` (e.g. the approval request once it is decided)
- ``{"kind": "email", "subject", "text", "html", "filename", "headers"}`` (channel ``email``, to ``email_to``;
  see :mod:`shared.notify.mail`) with an attachment's bytes in ``attachment``

Which rows a notification to a *person* becomes (one per channel) is decided by
:func:`shared.services.reach.notify_person`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Channel
from shared.model import OutboxMessage


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str


Keyboard = list[list[Button]]


def _buttons(keyboard: Keyboard | None) -> list[list[dict[str, str]]] | None:
    if not keyboard:
        return None
    return [[{"text": b.text, "callback_data": b.callback_data} for b in row] for row in keyboard]


def enqueue_message(
    session: AsyncSession,
    *,
    chat_id: int,
    text: str,
    buttons: Keyboard | None = None,
    ref: str | None = None,
    parse_mode: str | None = "HTML",
    employee_id: int | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        chat_id=chat_id,
        employee_id=employee_id,
        payload={"kind": "message", "text": text, "parse_mode": parse_mode, "buttons": _buttons(buttons)},
        ref=ref,
    )
    session.add(row)
    return row


def enqueue_document(
    session: AsyncSession,
    *,
    chat_id: int,
    filename: str,
    content: bytes,
    caption: str | None = None,
    ref: str | None = None,
    parse_mode: str | None = "HTML",
    employee_id: int | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        chat_id=chat_id,
        employee_id=employee_id,
        payload={"kind": "document", "filename": filename, "caption": caption, "parse_mode": parse_mode},
        attachment=content,
        ref=ref,
    )
    session.add(row)
    return row


def enqueue_file(
    session: AsyncSession,
    *,
    chat_id: int,
    file_id: str,
    caption: str | None = None,
    parse_mode: str | None = "HTML",
    ref: str | None = None,
) -> OutboxMessage:
    """Send a file Telegram already holds (by its ``file_id``) to another chat."""
    row = OutboxMessage(
        chat_id=chat_id,
        payload={"kind": "document", "file_id": file_id, "caption": caption, "parse_mode": parse_mode},
        ref=ref,
    )
    session.add(row)
    return row


def enqueue_edit(
    session: AsyncSession,
    *,
    chat_id: int,
    edit_ref: str,
    text: str,
    buttons: Keyboard | None = None,
    parse_mode: str | None = "HTML",
) -> OutboxMessage:
    row = OutboxMessage(
        chat_id=chat_id,
        payload={
            "kind": "edit",
            "edit_ref": edit_ref,
            "text": text,
            "parse_mode": parse_mode,
            "buttons": _buttons(buttons),
        },
    )
    session.add(row)
    return row


def enqueue_email(
    session: AsyncSession,
    *,
    to: str,
    payload: dict[str, Any],
    attachment: bytes | None = None,
    ref: str | None = None,
    employee_id: int | None = None,
) -> OutboxMessage:
    """An e-mail (a payload of :func:`shared.notify.mail.email_payload`) to ``to``."""
    row = OutboxMessage(
        channel=Channel.EMAIL, email_to=to, employee_id=employee_id, payload=payload, attachment=attachment, ref=ref
    )
    session.add(row)
    return row
