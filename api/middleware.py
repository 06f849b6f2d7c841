"""Pure ASGI middleware: request ids, metrics, the request budget, forgetting tokens after a write and the
last-resort 500 (one layer), and security headers."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth_cache import AuthCache
from api.errors import internal_error, over_budget
from api.metrics import Metrics
from shared.log import request_id_var

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_HEADER_RAW = b"x-request-id"
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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestMiddleware:
    """What every HTTP request goes through, in one pure-ASGI layer (each layer costs a coroutine, a
    ``send`` wrapper and its calls per message on every request, so four are folded into one). In order:

    - **Request id**: the caller's ``X-Request-ID`` (sanitised) or a new one, in ``scope["state"]`` and
      :data:`shared.log.request_id_var` for every log line, echoed back on every answer.
    - **Metrics**: counted and timed by method, route template (never the raw path) and status; an error
      that escapes the app counts as 500.
    - **The request budget** (``API_REQUEST_TIMEOUT_SECONDS``): an answer must start within it. Every
      dependency call has its own deadline (database connect / checkout / statement, Redis socket), but a
      request may make many; this bounds the whole. When the budget runs out before the answer started, the
      work is cancelled (a database transaction in flight rolls back) and the caller gets 503 with
      ``Retry-After`` in the usual error shape, with its id, counted. An answer already started (a
      download) is let finish.
    - **Forgetting tokens**: after any successful write (the route's transaction has committed by the time
      its answer starts) the worker forgets every cached token (``api.auth_cache``), so a revocation, a
      deactivation or a changed leaving date served here takes effect on the next request. Writes are rare
      next to reads; the price is one token query per cached token afterwards.
    - **The last-resort 500**: an unhandled error is logged with the id and answered in the common error
      shape (when no answer has started).
    """

    def __init__(self, app: ASGIApp, *, metrics: Metrics, budget_seconds: float, auth_cache: AuthCache) -> None:
        self.app = app
        self.metrics = metrics
        self.budget_seconds = budget_seconds
        self.auth_cache = auth_cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = ""
        for name, value in scope.get("headers") or ():
            if name == b"x-request-id":
                raw = value.decode("latin-1")
                break
        rid = clean_request_id(raw) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        began = time.perf_counter()
        id_header = (REQUEST_ID_HEADER_RAW, rid.encode("latin-1"))
        method = scope.get("method", "GET")
        write = method not in SAFE_METHODS
        started = False
        status = 500
        budget: asyncio.Timeout | None = None  # set while the budget runs

        async def send_wrapped(message: Message) -> None:
            nonlocal started, status, budget
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                if budget is not None:
                    budget.reschedule(None)  # the answer is on its way: no more budget to enforce
                    budget = None
                if write and status < 400:
                    self.auth_cache.clear()
                kept = [pair for pair in message.get("headers") or () if pair[0].lower() != REQUEST_ID_HEADER_RAW]
                message["headers"] = [*kept, id_header]
            await send(message)

        try:
            try:
                async with asyncio.timeout(self.budget_seconds) as budget:
                    await self.app(scope, receive, send_wrapped)
                budget = None
            except TimeoutError:
                budget = None
                if started:
                    raise
                logger.warning("request over its %.1f s budget: %s %s", self.budget_seconds, method, scope.get("path"))
                await over_budget(Request(scope))(scope, receive, send_wrapped)
        except Exception:
            budget = None
            logger.exception("unhandled error on %s %s", method, scope.get("path"))
            if started:
                raise
            status = 500
            await internal_error(Request(scope))(scope, receive, send_wrapped)
        finally:
            self.metrics.observe(
                method if method in _METHODS else "OTHER", route_template(scope), status, time.perf_counter() - began
            )
            request_id_var.reset(token)


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


def _raw(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


API_HEADERS_RAW = _raw(security_headers("/api"))  # every path but the docs': built once


class SecurityHeadersMiddleware:
    """Add :func:`security_headers` to every HTTP answer, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        docs = path in DOCS_PAGES or path.startswith(DOCS_ASSETS)
        extra = _raw(security_headers(path)) if docs else API_HEADERS_RAW

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in extra if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
