"""Delivering the HR digest: who gets it, on which channels, in which language, with which attachment, once.

Every active HR and admin employee gets the digest on their channels (:mod:`shared.domain.channels`) in their
own language. In Telegram: the message, and when the day is not quiet an XLSX with the same rows (its sheet
names and headers in that language too). By e-mail: one mail with the same text (plain and HTML) and the XLSX
attached, with ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers whose link turns the digest e-mail
off (``employees.digest_email``); someone who unsubscribed still gets it in Telegram. A quiet day is the one
line of :func:`shared.reports.digest_render.render_digest` and no file. The outbox ``ref`` is
``digest:{date}:{employee}``: a digest already written for that person and day is not written again unless
``resend``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import SUPPORTED_LOCALES
from shared.domain.digest import Digest
from shared.domain.enums import Channel
from shared.i18n import Translator, translator
from shared.model import Employee, OutboxMessage
from shared.notify.job_messages import digest_caption
from shared.notify.mail import email_payload, render_mail
from shared.notify.outbox import enqueue_document, enqueue_email, enqueue_message
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_filename, digest_xlsx
from shared.services.lookups import hr_people
from shared.services.notify.unsubscribe import unsubscribe_url
from shared.services.reach import channels_of


@dataclass
class DigestDelivery:
    recipients: int = 0
    sent: int = 0
    attachments: int = 0
    already_sent: int = 0
    unreachable: int = 0
    emailed: int = 0
    unsubscribed: int = 0


def digest_ref(digest: Digest, employee_id: int) -> str:
    return f"digest:{digest.date.isoformat()}:{employee_id}"


async def digest_recipients(session: AsyncSession) -> list[Employee]:
    """Who gets the digest: active HR and admin employees (those no channel reaches are counted, not sent)."""
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
        channels = channels_of(person)
        if not channels:
            delivery.unreachable += 1
            continue
        ref = digest_ref(digest, person.id)
        if ref in sent:
            delivery.already_sent += 1
            continue
        locale = reader_locale(person.locale, default_locale)
        t = translator(locale)
        text = render_digest(t, digest, tz=company_timezone)
        if not digest.is_quiet and locale not in workbooks:
            workbooks[locale] = digest_xlsx(t, digest, tz=company_timezone)
        workbook = None if digest.is_quiet else workbooks[locale]
        delivery.sent += 1
        if Channel.TELEGRAM in channels and person.telegram_user_id is not None:
            _telegram(session, person.id, person.telegram_user_id, text, workbook, digest, locale, ref, delivery)
        if Channel.EMAIL in channels and person.email:
            if not person.digest_email:
                delivery.unsubscribed += 1
                continue
            _email(session, person.id, person.email, t, text, workbook, digest, ref)
            delivery.emailed += 1
    return delivery


def _telegram(
    session: AsyncSession, employee_id: int, chat_id: int, text: str, workbook: bytes | None, digest: Digest,
    locale: str, ref: str, delivery: DigestDelivery,
) -> None:  # fmt: skip
    enqueue_message(session, chat_id=chat_id, text=text, ref=ref, employee_id=employee_id)
    if workbook is None:
        return
    enqueue_document(
        session,
        chat_id=chat_id,
        filename=digest_filename(digest),
        content=workbook,
        caption=digest_caption(locale, digest.date),
        ref=f"{ref}:xlsx",
        employee_id=employee_id,
    )
    delivery.attachments += 1


def _email(
    session: AsyncSession, employee_id: int, address: str, t: Translator, text: str, workbook: bytes | None,
    digest: Digest, ref: str,
) -> None:  # fmt: skip
    url = unsubscribe_url(employee_id)
    footer = t("You get this digest because you are in HR. Stop the e-mail copy: {url}", url=url)
    subject = t("Chronos digest for {date}", date=t.format_date(digest.date, "medium"))
    subject, plain, html = render_mail(t, text=text, footer=footer, subject=subject)
    headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    payload = email_payload(subject=subject, text=plain, html=html, headers=headers,
                            filename=digest_filename(digest) if workbook is not None else None)  # fmt: skip
    enqueue_email(session, to=address, payload=payload, attachment=workbook, ref=ref, employee_id=employee_id)
