"""A document (the timesheet XLSX) sent to a person by e-mail, through the outbox like every notification."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.channels import looks_like_email
from shared.errors import N_, Invalid
from shared.i18n import translator
from shared.model import Employee
from shared.notify.mail import email_payload, render_mail
from shared.notify.outbox import enqueue_email
from shared.services.reach import email_enabled, locale_of


async def mail_document(
    session: AsyncSession, *, person: Employee, text: str, filename: str, content: bytes, ref: str | None = None
) -> str:
    """Queue ``content`` as an attachment to ``person``'s address with ``text`` (Telegram HTML) as the body;
    the address. Refused (nothing written) when e-mail is not set up or the person has no address."""
    if not email_enabled():
        raise Invalid(N_("E-mail is not set up on this server; ask an administrator to set SMTP_URL."))
    if not looks_like_email(person.email):
        raise Invalid(N_("There is no e-mail address on file for you; ask HR to add it."))
    assert person.email is not None
    subject, plain, html = render_mail(translator(locale_of(person)), text=text)
    payload = email_payload(subject=subject, text=plain, html=html, filename=filename)
    enqueue_email(session, to=person.email, payload=payload, attachment=content, ref=ref, employee_id=person.id)
    return person.email
