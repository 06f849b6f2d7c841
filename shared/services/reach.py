"""Telling a person something over their channels: one outbox row per channel, in the caller's transaction.

Which channels: :func:`shared.domain.channels.channels_for` on the person's choice, their linked Telegram
account, their e-mail address, and whether e-mail is configured (SMTP_URL). Telegram gets the text with its
buttons; e-mail gets the same text as a localized multipart mail, with ``links`` in place of buttons (buttons
are Telegram's; a caller that wants people to act from a mail passes links, e.g. signed approval links).
Both rows carry the same ``ref``, so "already sent" checks on the ref hold for both channels.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.channels import channels_for
from shared.domain.enums import Channel
from shared.i18n import translator
from shared.model import Employee, OutboxMessage
from shared.notify.mail import MailLink, email_payload, render_mail
from shared.notify.outbox import Keyboard, enqueue_email, enqueue_message


def email_enabled() -> bool:
    return get_settings().email_enabled


def channels_of(person: Employee) -> tuple[Channel, ...]:
    """The channels a notification to ``person`` goes over now (empty: nobody reaches them)."""
    return channels_for(
        person.notify_channels,
        has_telegram=person.telegram_user_id is not None,
        email=person.email,
        email_enabled=email_enabled(),
    )


def reachable(person: Employee) -> bool:
    return bool(channels_of(person))


def locale_of(person: Employee) -> str:
    return person.locale or get_settings().default_locale


def notify_person(
    session: AsyncSession,
    person: Employee,
    *,
    text: str,
    buttons: Keyboard | None = None,
    ref: str | None = None,
    links: list[MailLink] | None = None,
    links_intro: str | None = None,
    channels: tuple[Channel, ...] | None = None,
) -> list[OutboxMessage]:
    """Queue ``text`` (Telegram HTML) to ``person`` on each of their channels; the rows written."""
    rows: list[OutboxMessage] = []
    for channel in channels if channels is not None else channels_of(person):
        if channel is Channel.TELEGRAM and person.telegram_user_id is not None:
            rows.append(
                enqueue_message(
                    session, chat_id=person.telegram_user_id, text=text, buttons=buttons, ref=ref, employee_id=person.id
                )
            )
        elif channel is Channel.EMAIL and person.email:
            subject, plain, html = render_mail(translator(locale_of(person)), text=text, links=links,
                                               links_intro=links_intro)  # fmt: skip
            payload = email_payload(subject=subject, text=plain, html=html)
            rows.append(enqueue_email(session, to=person.email, payload=payload, ref=ref, employee_id=person.id))
    return rows
