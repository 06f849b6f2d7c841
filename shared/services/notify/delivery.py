"""Delivering the HR digest: who gets it, in which language, with which attachment, and only once.

Every active HR and admin employee with a linked Telegram account gets the digest message in their own
language; when the day is not quiet, an XLSX with the same rows follows (its sheet names and headers in that
language too). A quiet day is the one line of :func:`shared.reports.digest_render.render_digest` and no file.
The message's outbox ``ref`` is ``digest:{date}:{employee}``: a digest already written for that person and
day is not written again unless ``resend``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import SUPPORTED_LOCALES
from shared.domain.digest import Digest
from shared.i18n import translator
from shared.model import Employee, OutboxMessage
from shared.notify.job_messages import digest_caption
from shared.notify.outbox import enqueue_document, enqueue_message
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_filename, digest_xlsx
from shared.services.lookups import hr_people


@dataclass
class DigestDelivery:
    recipients: int = 0
    sent: int = 0
    attachments: int = 0
    already_sent: int = 0
    without_telegram: int = 0


def digest_ref(digest: Digest, employee_id: int) -> str:
    return f"digest:{digest.date.isoformat()}:{employee_id}"


async def digest_recipients(session: AsyncSession) -> list[Employee]:
    """Who gets the digest: active HR and admin employees (those without Telegram are counted, not sent)."""
    return await hr_people(session)


def reader_locale(locale: str | None, default_locale: str) -> str:
    return locale if locale in SUPPORTED_LOCALES else default_locale


async def send_digest(
    session: AsyncSession, *, digest: Digest, company_timezone: str, default_locale: str, resend: bool = False
) -> DigestDelivery:
    """Write the digest (and its XLSX) to the outbox for every recipient; returns what was written."""
    delivery = DigestDelivery()
    people = await digest_recipients(session)
    delivery.recipients = len(people)
    refs = [digest_ref(digest, p.id) for p in people]
    sent = set() if resend else set(await session.scalars(select(OutboxMessage.ref).where(OutboxMessage.ref.in_(refs))))
    workbooks: dict[str, bytes] = {}
    for person in people:
        if not person.telegram_user_id:
            delivery.without_telegram += 1
            continue
        ref = digest_ref(digest, person.id)
        if ref in sent:
            delivery.already_sent += 1
            continue
        locale = reader_locale(person.locale, default_locale)
        t = translator(locale)
        text = render_digest(t, digest, tz=company_timezone)
        enqueue_message(session, chat_id=person.telegram_user_id, text=text, ref=ref)
        delivery.sent += 1
        if digest.is_quiet:
            continue
        if locale not in workbooks:
            workbooks[locale] = digest_xlsx(t, digest, tz=company_timezone)
        enqueue_document(
            session,
            chat_id=person.telegram_user_id,
            filename=digest_filename(digest),
            content=workbooks[locale],
            caption=digest_caption(locale, digest.date),
            ref=f"{ref}:xlsx",
        )
        delivery.attachments += 1
    return delivery
