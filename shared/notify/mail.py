"""Notifications as e-mails: the same text as the Telegram message, as plain text and as simple HTML.

Our Telegram texts are HTML already (``<b>``, ``<i>``, ``<a>``, ``<code>``, with everything else escaped), so
the HTML part embeds them as they are (line breaks become ``<br>``) in a small template whose own words are
translated and escaped; the plain-text part is the same text with the tags taken out. Links (the approval
links, the digest's unsubscribe link) become buttons in HTML and ``label: url`` lines in text.

A payload (outbox ``kind: "email"``) carries ``subject``, ``text``, ``html``, optional ``filename`` (the
bytes are the row's ``attachment``) and ``headers`` (e.g. ``List-Unsubscribe``); :func:`build_message`
turns it into an RFC 5322 message.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from html.parser import HTMLParser
from typing import Any

from shared.i18n import Translator

SUBJECT_MAX = 120


@dataclass(frozen=True)
class MailLink:
    label: str
    url: str


class _TextOfHtml(HTMLParser):
    """Telegram HTML → plain text: tags dropped, entities decoded, a link's address after its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        if tag == "a":
            self._hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._hrefs:
            href = self._hrefs.pop()
            if href:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(telegram_html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(telegram_html)
    parser.close()
    return "".join(parser.parts)


def subject_of(telegram_html: str) -> str:
    """The first non-empty line of the text, without tags, at most SUBJECT_MAX characters."""
    for line in plain_text(telegram_html).splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= SUBJECT_MAX else line[: SUBJECT_MAX - 1] + "…"
    return "Chronos"


def render_mail(
    t: Translator,
    *,
    text: str,
    links: list[MailLink] | None = None,
    links_intro: str | None = None,
    footer: str | None = None,
    subject: str | None = None,
) -> tuple[str, str, str]:
    """``(subject, plain text, html)`` of a notification whose Telegram text is ``text``."""
    links = links or []
    footer = (
        footer
        if footer is not None
        else t("Sent by Chronos. Choose how you are notified with /settings in the bot or ask HR.")
    )
    body_text = plain_text(text)
    text_parts = [body_text]
    if links:
        text_parts.append("")
        if links_intro:
            text_parts.append(links_intro)
        text_parts.extend(f"{link.label}: {link.url}" for link in links)
    text_parts += ["", "-- ", footer]
    direction = "rtl" if t.rtl else "ltr"
    buttons = "".join(
        f'<a href="{escape(link.url)}" style="display:inline-block;margin:4px 8px 4px 0;padding:8px 14px;'
        f'border-radius:4px;background:#2563eb;color:#fff;text-decoration:none">{escape(link.label)}</a>'
        for link in links
    )
    intro = f"<p>{escape(links_intro)}</p>" if links and links_intro else ""
    html = (
        f'<!doctype html><html lang="{escape(t.locale)}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{escape(subject or subject_of(text))}</title></head>"
        f'<body style="font-family:sans-serif;line-height:1.5">'
        f"<div>{text.replace(chr(10), '<br>')}</div>"
        f"{intro}{f'<p>{buttons}</p>' if buttons else ''}"
        f'<hr><p style="color:#666;font-size:small">{escape(footer)}</p></body></html>'
    )
    return subject or subject_of(text), "\n".join(text_parts) + "\n", html


def email_payload(
    *, subject: str, text: str, html: str, filename: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {"kind": "email", "subject": subject, "text": text, "html": html, "filename": filename,
            "headers": headers or {}}  # fmt: skip


def build_message(
    *, payload: dict[str, Any], to: str, sender: str, attachment: bytes | None = None, message_id: str | None = None
) -> EmailMessage:
    """The RFC 5322 message of an outbox e-mail payload: text, an HTML alternative, and the attachment."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = payload.get("subject") or "Chronos"
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2].strip(" >") or None)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (payload.get("headers") or {}).items():
        message[name] = value
    message.set_content(payload.get("text") or "")
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    if attachment is not None:
        filename = payload.get("filename") or "attachment.bin"
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        maintype, _, subtype = kind.partition("/")
        message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    return message
