"""The console's page machinery: templates, the reader's language, CSRF, the navigation, error pages.

Templates are Jinja2 (autoescaped) with ``_`` bound to the reader's gettext translator (``shared.i18n``),
so their strings are in the same catalogs as the bot's (``babel.cfg`` extracts ``api/console/templates``).
Arabic pages are ``dir="rtl"``. Every answer carries a Content-Security-Policy that allows only our own
scripts and styles (htmx is served from ``/console/static``) and the frame ancestors of
``CONSOLE_FRAME_ANCESTORS`` (Telegram Web shows Mini Apps in an iframe).

CSRF: every form posts a ``csrf`` field. Signed in, it must equal the token stored with the session
(session-bound); on the sign-in forms, before there is a session, it must equal the
``chronos_console_csrf`` cookie set with the form (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.console_auth import SIGN_IN_CSRF_COOKIE, set_cookie
from api.errors import accept_language
from api.policy import POLICY
from shared.config import SUPPORTED_LOCALES, Settings
from shared.domain.enums import TokenRole
from shared.errors import N_, Forbidden
from shared.i18n import Translator, translator
from shared.notify.leave_messages import status_label
from shared.services.console.sessions import ConsoleSession

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "ar": "العربية"}
BAD_CSRF = N_("This form has expired; reload the page and try again.")

# (path, label): the navigation, each entry shown to the roles its page's rule grants
NAV = (
    ("/console/approvals", N_("Approvals")),
    ("/console/today", N_("Today")),
    ("/console/people", N_("People")),
    ("/console/calendar", N_("Leave calendar")),
    ("/console/attendance", N_("Attendance")),
    ("/console/reports", N_("Reports")),
    ("/console/devices", N_("Devices and jobs")),
)


DEVICE_STATUS = {
    "unknown": N_("unknown"),
    "online": N_("online"),
    "offline": N_("offline"),
    "error": N_("error"),
}
CORRECTION_STATUS = {"pending": N_("pending"), "approved": N_("approved"), "rejected": N_("rejected")}
DAY_STATUS = {
    "present": N_("present"),
    "absent": N_("absent"),
    "half_day": N_("half day"),
    "incomplete": N_("incomplete"),
    "on_leave": N_("on leave"),
    "half_leave": N_("half-day leave"),
    "holiday": N_("holiday"),
    "weekend": N_("day off"),
}


def content_security_policy(settings: Settings) -> str:
    ancestors = " ".join(["'self'", *settings.console_frame_ancestors.split()])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    )


def session_of(request: Request) -> ConsoleSession | None:
    return getattr(request.state, "console_session", None)


def reader_locale(request: Request) -> str:
    """``?lang=`` first, then the session's language, then ``Accept-Language``, then the default."""
    asked = request.query_params.get("lang", "")
    if asked in SUPPORTED_LOCALES:
        return asked
    session = session_of(request)
    if session is not None and session.locale in SUPPORTED_LOCALES:
        return session.locale
    settings: Settings = request.app.state.settings
    return accept_language(request.headers.get("accept-language"), settings.default_locale)


def reader(request: Request) -> Translator:
    return translator(reader_locale(request))


def nav_for(role: TokenRole) -> list[tuple[str, str]]:
    return [(path, label) for path, label in NAV if POLICY[("GET", path)].scope_for(role) is not None]


def render(request: Request, template: str, *, http_status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the reader's language, with the navigation of their role and their CSRF token."""
    t = reader(request)
    session = session_of(request)
    principal = getattr(request.state, "principal", None)
    settings: Settings = request.app.state.settings
    sign_in_token = context.pop("csrf", "")
    html = ENV.get_template(template).render(
        _=t,
        t=t,
        lang=t.locale,
        rtl=t.rtl,
        me=session,
        csrf=session.csrf if session else sign_in_token,
        nav=nav_for(principal.role) if session and principal else [],
        path=request.url.path,
        languages=LANGUAGE_NAMES,
        status_label=status_label,
        device_status=lambda status: t.gettext(DEVICE_STATUS[str(status)]),
        day_status=lambda status: t.gettext(DAY_STATUS[str(status)]),
        correction_status=lambda status: t.gettext(CORRECTION_STATUS[str(status)]),
        **context,
    )
    response = HTMLResponse(html, status_code=http_status)
    response.headers["Content-Security-Policy"] = content_security_policy(settings)
    response.headers["Cache-Control"] = "no-store"
    return response


def sign_in_form(request: Request, template: str, *, http_status: int = 200, **context: Any) -> HTMLResponse:
    """A sign-in page with a fresh double-submit CSRF token (cookie + hidden field)."""
    token = request.cookies.get(SIGN_IN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, template, http_status=http_status, csrf=token, **context)
    set_cookie(request, response, SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


async def check_csrf(request: Request) -> None:
    """Refuse (403) a form whose ``csrf`` field is missing or not this session's (or sign-in cookie's)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    given = str(form.get("csrf") or request.headers.get("x-csrf-token") or "")
    session = session_of(request)
    expected = session.csrf if session is not None else request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise Forbidden(BAD_CSRF)


def error_page(request: Request, status: int, message: str) -> Response:
    """The console's answer to an error: sign-in for an ended session on a page, else a page saying why."""
    if status == 401 and request.headers.get("hx-request"):  # a polled fragment: htmx loads the sign-in page
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = "/console/sign-in"
        return response
    if status == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/console/sign-in?next={quote(target, safe='')}", status_code=303)
    return render(request, "error.html", http_status=status, status_code=status, message=message)


def back_to(request: Request, fallback: str) -> str:
    """A local path to return to after a form (never another site)."""
    target = request.query_params.get("next", "") or fallback
    return target if target.startswith("/console") and "//" not in target and "\\" not in target else fallback
