"""Notifications as e-mails: plain text and HTML from the Telegram text, escaped, localized, with links."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from shared.config import ConfigError, load_settings
from shared.config_formats import parse_smtp_url
from shared.i18n import translator
from shared.notify.mail import MailLink, build_message, email_payload, plain_text, render_mail, subject_of

TEXT = "New leave request from <b>Tom &amp; Jerry</b>\n<b>Annual</b>: 1 Dec\nReason: &lt;script&gt;"


def test_the_plain_part_is_the_text_without_tags_and_with_entities_decoded():
    assert plain_text(TEXT) == "New leave request from Tom & Jerry\nAnnual: 1 Dec\nReason: <script>"
    assert plain_text('see <a href="https://x.example/a">this</a>') == "see this <https://x.example/a>"


def test_the_subject_is_the_first_line_and_never_too_long():
    assert subject_of(TEXT) == "New leave request from Tom & Jerry"
    assert len(subject_of("x" * 500)) == 120
    assert subject_of("\n\n") == "Chronos"


def test_the_html_part_keeps_the_text_escaped_and_shows_links_as_buttons():
    links = [MailLink("Approve", 'https://hr.example/mail/leave/t?action=approve&x="1"')]
    subject, text, html = render_mail(translator("en"), text=TEXT, links=links, links_intro="Decide here:")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'href="https://hr.example/mail/leave/t?action=approve&amp;x=&quot;1&quot;"' in html
    assert "Approve: https://hr.example/mail/leave/t?action=approve" in text
    assert subject == "New leave request from Tom & Jerry"


def test_an_arabic_mail_is_right_to_left_and_translated():
    _subject, text, html = render_mail(translator("ar"), text="x")
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "Sent by Chronos" not in text


def test_the_message_has_both_parts_the_attachment_and_the_extra_headers():
    subject, text, html = render_mail(translator("en"), text=TEXT)
    payload = email_payload(subject=subject, text=text, html=html, filename="digest.xlsx",
                            headers={"List-Unsubscribe": "<https://hr.example/u>"})  # fmt: skip
    raw = build_message(payload=payload, to="ann@example.com", sender="Chronos <hr@example.com>",
                        attachment=b"PK\x03\x04").as_bytes()  # fmt: skip
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["To"] == "ann@example.com" and message["List-Unsubscribe"] == "<https://hr.example/u>"
    assert "Tom & Jerry" in message.get_body(("plain",)).get_content()
    assert "Tom &amp; Jerry" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "digest.xlsx" and attachment.get_content() == b"PK\x03\x04"
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_smtp_url_says_how_to_connect():
    plain = parse_smtp_url("smtp://us%40er:p%3Ass@mail.example:587?starttls=1")
    assert (plain.host, plain.port, plain.username, plain.password) == ("mail.example", 587, "us@er", "p:ss")
    assert plain.start_tls and not plain.use_tls
    tls = parse_smtp_url("smtps://mail.example")
    assert tls.use_tls and tls.port == 465 and not tls.start_tls


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://h:99999", "smtp://h?starttls=maybe"])
def test_a_wrong_smtp_url_is_refused_at_start(url):
    with pytest.raises(ConfigError, match="SMTP_URL"):
        load_settings(_env_file=None, smtp_url=url, mail_from="hr@example.com")


def test_an_smtp_url_needs_a_sender_address():
    with pytest.raises(ConfigError, match="MAIL_FROM"):
        load_settings(_env_file=None, smtp_url="smtp://h:25")
