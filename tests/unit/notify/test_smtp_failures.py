"""Which SMTP answers are the message's fault (dead at once) and which are worth another try."""

from __future__ import annotations

import aiosmtplib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.i18n import translator
from shared.notify.mail import plain_text, render_mail
from shared.notify.smtp import _permanent


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "unknown", "a@b.io")]), True),
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(451, "later", "a@b.io")]), False),
        (aiosmtplib.SMTPDataError(554, "message refused"), True),
        (aiosmtplib.SMTPDataError(452, "storage full"), False),
        (aiosmtplib.SMTPSenderRefused(530, "must issue a STARTTLS command first", "hr@x.io"), False),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), False),
        (aiosmtplib.SMTPServerDisconnected("gone"), False),
        (aiosmtplib.SMTPConnectError("refused"), False),
    ],
)
def test_only_a_5xx_about_the_message_or_recipient_is_final(error, permanent):
    assert _permanent(error) is permanent


@given(st.text(max_size=200))
def test_any_text_survives_the_trip_to_both_parts_without_becoming_markup(value):
    from html import escape

    escaped = escape(value, quote=False)
    assert plain_text(escaped) == value
    _subject, _text, html = render_mail(translator("en"), text=escaped)
    assert "<script" not in html
