"""E-mail over TLS: STARTTLS with a login, and TLS from the first byte (smtps://), against a real local server."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from sandbox.mail.server import LocalSmtpServer
from shared.config import get_settings
from shared.domain.enums import OutboxStatus
from shared.model import OutboxMessage
from shared.notify.mail import email_payload
from shared.notify.outbox import enqueue_email
from shared.persistence import Database
from tests.mail_support import mail_sender

pytestmark = [
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through SMTP_CA_FILE)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def apply(server: LocalSmtpServer, ca_file: Path | None, url: str | None = None) -> None:
        monkeypatch.setenv("SMTP_URL", url or server.url())
        monkeypatch.setenv("MAIL_FROM", "hr@chronos.test")
        monkeypatch.setenv("SMTP_CA_FILE", str(ca_file) if ca_file else "")
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()


async def _send_one(db: Database) -> OutboxMessage:
    async with db.transaction() as s:
        enqueue_email(s, to="ok@example.com", payload=email_payload(subject="Hi", text="t", html="<p>t</p>"))
    await mail_sender(db).drain_once()
    async with db.session() as s:
        return (await s.scalars(select(OutboxMessage))).one()


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
async def test_mail_goes_over_tls_with_a_login(db: Database, certificate, configure, mode):
    server = await LocalSmtpServer(credentials=("chronos", "s3cret"), tls=_context(certificate), tls_mode=mode).start()
    try:
        configure(server, certificate[0])
        row = await _send_one(db)
        assert row.status is OutboxStatus.SENT, row.last_error
        assert len(server.mailbox.mails) == 1
    finally:
        await server.stop()


async def test_a_server_that_wants_starttls_is_not_spoken_to_in_clear_text_and_the_mail_waits(
    db: Database, certificate, configure
):
    server = await LocalSmtpServer(tls=_context(certificate)).start()
    try:
        configure(server, certificate[0], url=f"smtp://127.0.0.1:{server.port}?starttls=0")
        row = await _send_one(db)
        assert row.status is OutboxStatus.PENDING and row.attempts == 1  # our configuration: kept, retried
        assert server.mailbox.mails == []
    finally:
        await server.stop()


async def test_an_untrusted_certificate_is_refused_and_the_mail_waits(db: Database, certificate, configure):
    server = await LocalSmtpServer(tls=_context(certificate), tls_mode="implicit").start()
    try:
        configure(server, None)
        row = await _send_one(db)
        assert row.status is OutboxStatus.PENDING and "certificate" in (row.last_error or "").lower()
        assert server.mailbox.mails == []
    finally:
        await server.stop()
