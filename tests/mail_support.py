"""Fixtures for e-mail tests: a real local SMTP server (aiosmtpd) and the settings that point at it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot

from sandbox.mail.server import LocalSmtpServer
from shared.config import get_settings
from shared.notify.sender import OutboxSender
from shared.notify.smtp import mailer_for
from shared.persistence import Database
from shared.redis_client import create_redis

PUBLIC_URL = "http://test"  # the API test client's base URL: links in mails work against it as they are


@pytest.fixture
async def smtp() -> AsyncIterator[LocalSmtpServer]:
    server = await LocalSmtpServer().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def mail_on(smtp: LocalSmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalSmtpServer]:
    """E-mail configured for every service in this process (SMTP_URL at ``smtp``, links to ``PUBLIC_URL``)."""
    monkeypatch.setenv("SMTP_URL", smtp.url())
    monkeypatch.setenv("MAIL_FROM", "Chronos <hr@chronos.test>")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC_URL)
    monkeypatch.setenv("API_SECRET_KEY", "api-test-secret")
    get_settings.cache_clear()
    try:
        yield smtp
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def mail_sender(db: Database, **kw: object) -> OutboxSender:
    """An outbox sender whose Telegram side is never reached (the tests queue only e-mails to it)."""
    mailer = mailer_for(get_settings())
    prefix = f"mailtest-{uuid.uuid4().hex}"  # the in-process store outlives a test: a lease of its own
    return OutboxSender(db, Bot("1:never-called"), create_redis(""), prefix=prefix, mailer=mailer, **kw)  # type: ignore[arg-type]
