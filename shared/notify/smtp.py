"""Sending e-mails over SMTP (aiosmtplib): TLS at once (``smtps://``) or STARTTLS (``?starttls=1``), with auth.

Failures are sorted the way the outbox sorts Telegram's: a 5xx answer about the message or its recipient (an
unknown mailbox, a refused sender, a message refused as such) is *permanent*: the row is dead at once and HR
sees why. Everything else — a 4xx (greylisting, a full mailbox), a refused login or a server that wants
STARTTLS or a login first (our configuration, not the message), a dropped or timed-out connection, a
certificate we do not trust — is retried with backoff until OUTBOX_MAX_ATTEMPTS.

Bounces that arrive later as mails to MAIL_FROM are not read back; only what the SMTP server says while
taking the message is recorded.
"""

from __future__ import annotations

import logging
from typing import Any

import aiosmtplib

from shared.config import Settings
from shared.config_formats import SmtpServer, parse_smtp_url
from shared.notify.mail import build_message

log = logging.getLogger(__name__)


class MailRefused(Exception):
    """The SMTP server refused this message for good (5xx): it will not go through on a retry."""


class MailDeferred(Exception):
    """The message could not be handed over now (4xx, network, login): try again later."""


CONFIGURATION_CODES = frozenset({530, 534, 535, 538})  # STARTTLS / authentication required or refused


def _permanent(exc: aiosmtplib.SMTPException) -> bool:
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return False  # our configuration, not the message: keep it until the login works again
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code in CONFIGURATION_CODES:
        return False
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 500 <= exc.code < 600
    return False


class Mailer:
    """Sends outbox e-mail payloads through one SMTP server (one connection per message)."""

    def __init__(self, *, smtp_url: str, sender: str, timeout: float = 30.0, ca_file: str | None = None) -> None:
        self.server: SmtpServer = parse_smtp_url(smtp_url)
        self.sender = sender
        self.timeout = timeout
        self.ca_file = ca_file or None

    async def send(self, *, to: str, payload: dict[str, Any], attachment: bytes | None = None) -> str:
        """Hand the message over; its Message-ID. Raises :class:`MailRefused` or :class:`MailDeferred`."""
        message = build_message(payload=payload, to=to, sender=self.sender, attachment=attachment)
        server = self.server
        try:
            await aiosmtplib.send(
                message,
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.use_tls,
                start_tls=server.start_tls,
                cert_bundle=self.ca_file,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPException as exc:
            if _permanent(exc):
                raise MailRefused(str(exc)) from exc
            raise MailDeferred(str(exc)) from exc
        except (OSError, TimeoutError) as exc:
            raise MailDeferred(f"{type(exc).__name__}: {exc}") from exc
        return str(message["Message-ID"])


def mailer_for(settings: Settings) -> Mailer | None:
    """The Mailer SMTP_URL and MAIL_FROM describe; None when e-mail is off (no SMTP_URL)."""
    if not settings.smtp_url:
        return None
    return Mailer(smtp_url=settings.smtp_url, sender=settings.mail_from, timeout=settings.smtp_timeout_seconds,
                  ca_file=settings.smtp_ca_file)  # fmt: skip
