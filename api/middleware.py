"""Pure ASGI middleware: request ids (and the last-resort 500), request metrics, security headers."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import internal_error
from api.metrics import Metrics
from shared.log import request_id_var

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_UNSAFE = re.compile(r"[^A-Za-z0-9._:\-]")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def clean_request_id(value: str | None) -> str:
    """A caller's request id with anything but ``[A-Za-z0-9._:-]`` removed, at most 64 characters."""
    return _UNSAFE.sub("", value or "")[:64]


def route_template(scope: Scope) -> str:
    """The matched route's template with its full prefix, e.g. ``/api/v1/employees/{employee_id}``.

    FastAPI puts the route object of an included router in ``scope["route"]``, whose ``path`` lacks the
    prefixes it was included under; the prefix is what precedes the concrete route path in the URL.
    Unmatched requests share one label, so a scan of random URLs cannot blow up the series count.
    """
    template = getattr(scope.get("route"), "path", None)
    if not template:
        return "<unmatched>"
    path = scope.get("path", "")
    try:
        concrete = template.format(**scope.get("path_params", {}))
    except (KeyError, IndexError, ValueError):
        return template
    if path.endswith(concrete) and len(path) > len(concrete):
        return path[: -len(concrete)] + template
    return template


class RequestContextMiddleware:
    """Give every request an id (the caller's ``X-Request-ID``, sanitised, or a new one), put it in
    :data:`shared.log.request_id_var` for every log line and echo it back; answer an unhandled error
    with a 500 in the common error shape and log it with the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = clean_request_id(raw) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await internal_error(Request(scope))(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class MetricsMiddleware:
    """Count requests and time them by method, route template (never the raw path) and status."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            template = route_template(scope)
            method = scope.get("method", "GET")
            self.metrics.observe(
                method if method in _METHODS else "OTHER", template, status, time.perf_counter() - started
            )


DOCS_PAGES = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
DOCS_ASSETS = "/docs/assets/"
# The docs pages run Swagger UI / ReDoc from our own /docs/assets (Swagger's start-up script is inline).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def security_headers(path: str) -> dict[str, str]:
    """The headers every answer gets (an answer that sets one itself keeps its own)."""
    if path == "/console" or path.startswith("/console/"):
        # The console's pages set their own CSP (frame ancestors from settings: Telegram shows Mini Apps in
        # an iframe), so no X-Frame-Options here; its static files may be cached.
        static = path.startswith("/console/static/")
        return {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
            "Cache-Control": "public, max-age=3600" if static else "no-store",
        }
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": DOCS_CSP if path in DOCS_PAGES or path.startswith(DOCS_ASSETS) else API_CSP,
    }
    # Personal data must not stay in browser or proxy caches; the docs' static files are the exception.
    headers["Cache-Control"] = "public, max-age=86400" if path.startswith(DOCS_ASSETS) else "no-store"
    return headers


class SecurityHeadersMiddleware:
    """Add :func:`security_headers` to every HTTP answer, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
