"""The small HTML pages behind links in e-mails: a confirmation form, and what happened. Localized, escaped.

The pages load nothing (inline style only); their Content-Security-Policy allows no script and forms posted
only to this site.
"""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

from shared.i18n import Translator

PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def page(t: Translator, title: str, body: str, status_code: int = 200) -> HTMLResponse:
    """A whole page; ``title`` is plain text, ``body`` is HTML we built (user text escaped already)."""
    direction = "rtl" if t.rtl else "ltr"
    html = (
        f'<!doctype html><html lang="{escape(t.locale)}" dir="{direction}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        "<style>body{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
        "button{padding:.5rem 1rem;font-size:1rem}textarea{width:100%;min-height:5rem}"
        ".error{color:#b91c1c}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status_code, headers={"Content-Security-Policy": PAGE_CSP,
                                                                "Referrer-Policy": "no-referrer"})  # fmt: skip


def paragraph(text: str, css: str | None = None) -> str:
    klass = f' class="{css}"' if css else ""
    return f"<p{klass}>{escape(text)}</p>"


def form(action_url: str, csrf: str, fields: str, submit: str) -> str:
    return (
        f'<form method="post" action="{escape(action_url)}">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">{fields}'
        f'<p><button type="submit">{escape(submit)}</button></p></form>'
    )


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def textarea(name: str, label: str, value: str = "", *, required: bool = False) -> str:
    need = " required" if required else ""
    return (
        f'<p><label for="{escape(name)}">{escape(label)}</label><br>'
        f'<textarea id="{escape(name)}" name="{escape(name)}" maxlength="2000"{need}>{escape(value)}</textarea></p>'
    )
