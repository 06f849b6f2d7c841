"""A local SMTP server (aiosmtpd, on the caller's event loop) that keeps what it receives in a mailbox.

Used by ``chronos demo`` (the web chat's side panel lists the mails) and by the tests, which send through a
real SMTP conversation and parse what arrived. It can require a login (``credentials``), refuse recipients
for good (``refuse``: 550) or for now (``defer``: 451), like a real server.
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, Literal

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

MAX_KEPT = 500


@dataclass
class Received:
    """One mail as it arrived: envelope, the raw bytes and the parsed message."""

    id: int
    mail_from: str
    rcpt_to: list[str]
    raw: bytes
    at: datetime

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def summary(self) -> dict[str, Any]:
        message = self.message
        return {"id": self.id, "to": ", ".join(self.rcpt_to), "from": str(message["From"] or self.mail_from),
                "subject": str(message["Subject"] or ""), "at": self.at.isoformat()}  # fmt: skip

    def view(self) -> dict[str, Any]:
        """The mail for the web chat: headers, text and HTML parts, attachment names."""
        message = self.message
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        return {
            **self.summary(),
            "headers": {k: str(v).strip() for k, v in message.items()},
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else "",
            "attachments": [part.get_filename() for part in message.iter_attachments()],
        }


@dataclass
class Mailbox:
    """What the server received, oldest first; ``arrived`` is set on each new mail."""

    mails: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, envelope: Envelope) -> Received:
        raw = envelope.original_content or (envelope.content if isinstance(envelope.content, bytes) else b"")
        mail = Received(next(self._ids), envelope.mail_from or "", list(envelope.rcpt_tos), raw, datetime.now(UTC))
        self.mails.append(mail)
        del self.mails[:-MAX_KEPT]
        self.arrived.set()
        return mail

    def get(self, mail_id: int) -> Received | None:
        return next((m for m in self.mails if m.id == mail_id), None)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.mails if address in m.rcpt_to]

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until at least ``count`` mails arrived (or fail after ``timeout`` seconds)."""
        async with asyncio.timeout(timeout):
            while len(self.mails) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.mails


class _Handler:
    def __init__(self, mailbox: Mailbox, refuse: set[str], defer: set[str]) -> None:
        self.mailbox, self.refuse, self.defer = mailbox, refuse, defer

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mailbox.add(envelope)
        return "250 Message accepted"


class LocalSmtpServer:
    """``await start()`` listens on ``host:port`` (0: any free port, see ``port``); ``await stop()``.

    With ``tls`` (a server SSL context): ``tls_mode="starttls"`` requires STARTTLS before anything else,
    ``"implicit"`` speaks TLS from the first byte (``smtps://``).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        credentials: tuple[str, str] | None = None,
        mailbox: Mailbox | None = None,
        tls: ssl.SSLContext | None = None,
        tls_mode: Literal["starttls", "implicit"] = "starttls",
    ) -> None:
        self.host, self.port = host, port
        self.tls, self.tls_mode = tls, tls_mode
        self.credentials = credentials
        self.mailbox = mailbox or Mailbox()
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self._server: asyncio.Server | None = None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.credentials is not None and (
            data.login.decode(), data.password.decode()) == self.credentials  # fmt: skip
        return AuthResult(success=ok)

    def _protocol(self) -> SMTP:
        handler = _Handler(self.mailbox, self.refuse, self.defer)
        options: dict[str, Any] = {"hostname": "chronos-sandbox"}
        if self.tls is not None and self.tls_mode == "starttls":
            options |= {"tls_context": self.tls, "require_starttls": True}
        if self.credentials is not None:
            # aiosmtpd only counts STARTTLS as TLS; with implicit TLS the whole connection is encrypted anyway
            starttls = self.tls is not None and self.tls_mode == "starttls"
            options |= {"auth_required": True, "auth_require_tls": starttls, "authenticator": self._authenticate}
        return SMTP(handler, **options)

    async def start(self) -> LocalSmtpServer:
        loop = asyncio.get_running_loop()
        implicit = self.tls if self.tls_mode == "implicit" else None
        self._server = await loop.create_server(self._protocol, self.host, self.port, ssl=implicit)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def url(self) -> str:
        """SMTP_URL for this server (with the login when it asks for one, and its TLS mode)."""
        login = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        if self.tls is not None and self.tls_mode == "implicit":
            return f"smtps://{login}{self.host}:{self.port}"
        starttls = 1 if self.tls is not None else 0
        return f"smtp://{login}{self.host}:{self.port}?starttls={starttls}"
