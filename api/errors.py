"""One error shape for every answer that is not a success.

``{"error": {"code": …, "message": …, "details": [{"field"?, "line"?, "message"}]}, "request_id": …}``

``message`` is rendered in the request's language (``Accept-Language``, falling back to the default
locale). A ``ChronosError`` may carry ``details={"field": name}`` (one field to point at) or
``details={"problems": [{"line"?, "field"?, "message": msgid, "params": {…}}]}`` (many, each translated);
a problem with ``"value"`` instead of a message states a fact (e.g. who decided), shown as is.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.route_index import allowed_methods
from shared.errors import N_, ChronosError
from shared.i18n import CatalogMissing, Translator, negotiate_locale, translator
from shared.log import request_id_var
from shared.persistence.errors import DATABASE_UNAVAILABLE, REDIS_UNAVAILABLE, is_unavailable, one_line

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class Unauthorized(ChronosError):
    code = "unauthorized"
    status = 401


class _Untranslated:
    """Stands in when a catalog did not load: English msgids are better than a 500."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


def accept_language(header: str | None, default: str) -> str:
    """The best supported locale for an ``Accept-Language`` header (q-values honoured)."""
    if not header:
        return default
    candidates: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip()
        if tag and tag != "*" and len(tag) <= 35 and quality > 0:
            candidates.append((-quality, index, tag))
    for _q, _i, tag in sorted(candidates):
        try:
            found = negotiate_locale(tag, default="")
        except Exception:  # a malformed tag must never fail the request
            found = ""
        if found:
            return found
    return default


def request_translator(request: Request) -> Translator | _Untranslated:
    settings = getattr(request.app.state, "settings", None)
    default = settings.default_locale if settings is not None else "en"
    locale = accept_language(request.headers.get("accept-language"), default)
    try:
        return translator(locale)
    except CatalogMissing:
        return _Untranslated()


def request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id") or request_id_var.get()


def html_page(request: Request, status: int, message: str) -> Response | None:
    """The page a browser app mounted on the API (the console) shows for an error under its prefix, if any:
    ``app.state.error_pages`` maps a path prefix to ``(request, status, message) -> Response``."""
    pages = getattr(request.app.state, "error_pages", None) or {}
    path = request.url.path
    for prefix, page in pages.items():
        if path == prefix or path.startswith(prefix + "/"):
            try:
                return page(request, status, message)
            except Exception:  # the error page must not hide the error: the JSON answer instead
                logger.exception("the error page of %s failed", prefix)
    return None


def error_response(
    request: Request,
    *,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    page = html_page(request, status, message)
    if page is not None:
        return page
    body: dict[str, Any] = {
        "error": {"code": code, "message": message, "details": details or []},
        "request_id": request_id(request),
    }
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


def render_message(t: Translator | _Untranslated, message: str, params: dict[str, Any]) -> str:
    """``message`` translated and filled in; the untranslated text if the parameters do not fit."""
    text = t.gettext(message)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def render_details(exc: ChronosError, t: Translator | _Untranslated, message: str) -> list[dict[str, Any]]:
    problems = exc.details.get("problems")
    if isinstance(problems, list):
        return [
            {
                "field": p.get("field"),
                "line": p.get("line"),
                "message": str(p["value"])
                if "value" in p
                else render_message(t, str(p.get("message", "")), dict(p.get("params") or {})),
            }
            for p in problems
        ]
    if exc.details.get("field"):
        return [{"field": str(exc.details["field"]), "message": message}]
    return []


async def _chronos_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ChronosError)
    t = request_translator(request)
    message = exc.render(t)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return error_response(
        request,
        status=exc.status,
        code=exc.code,
        message=message,
        details=render_details(exc, t, message),
        headers=headers,
    )


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        details.append({"field": _field(loc), "location": str(loc[0]) if loc else None, "message": error.get("msg")})
    t = request_translator(request)
    return error_response(
        request,
        status=422,
        code="validation_error",
        message=t.gettext(N_("Some fields are missing or not valid; see details.")),
        details=details,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    t = request_translator(request)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        code, message = (
            "not_found",
            render_message(
                t, N_("There is nothing at {path}; see /docs for the API."), {"path": request.url.path[:200]}
            ),
        )
    elif exc.status_code == 405:
        given = headers.pop("Allow", None) or headers.pop("allow", "")  # one route's methods: the path may have more
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path)) or given
        code, message = (
            "method_not_allowed",
            render_message(
                t,
                N_("{method} is not allowed here; allowed: {allowed}."),
                {"method": request.method[:16], "allowed": headers["Allow"]},
            ),
        )
    else:
        code = "http_error"
        message = exc.detail if isinstance(exc.detail, str) else str(exc.status_code)
    return error_response(request, status=exc.status_code, code=code, message=message, headers=headers or None)


async def _integrity_error(request: Request, exc: Exception) -> Response:
    logger.info("integrity error answered with 409: %s", str(getattr(exc, "orig", exc))[:300])
    t = request_translator(request)
    message = t.gettext(
        N_("This change conflicts with existing data: a duplicate value, or a record that others still refer to.")
    )
    return error_response(request, status=409, code="conflict", message=message)


async def _data_error(request: Request, exc: Exception) -> Response:
    logger.info("data error answered with 422: %s", str(getattr(exc, "orig", exc))[:300])
    t = request_translator(request)
    message = t.gettext(N_("A value is too long or out of range for the database; shorten or correct it."))
    return error_response(request, status=422, code="invalid", message=message)


def unavailable(request: Request, message: str) -> Response:
    """503 in the error shape with ``Retry-After``: the caller may simply try again a little later."""
    t = request_translator(request)
    return error_response(
        request,
        status=503,
        code="unavailable",
        message=t.gettext(message),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("database unavailable: %s", one_line(exc))
    return unavailable(request, N_("The database is busy or unavailable; try again in a moment."))


async def _database_error(request: Request, exc: Exception) -> Response:
    """Any other database error: 503 when it is the database being slow or away (a statement cancelled by
    its timeout), else the last-resort 500 (logged with the request id)."""
    if is_unavailable(exc):
        return await _database_unavailable(request, exc)
    logger.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
    return internal_error(request)


async def _redis_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("redis unavailable: %s", one_line(exc))
    return unavailable(request, N_("A service this request needs is unavailable; try again in a moment."))


def over_budget(request: Request) -> Response:
    """The answer when a request ran out of API_REQUEST_TIMEOUT_SECONDS before it could answer."""
    return unavailable(request, N_("This took too long to answer; try again in a moment."))


def internal_error(request: Request) -> Response:
    t = request_translator(request)
    rid = request_id(request) or "-"
    message = render_message(
        t,
        N_("Something went wrong on our side; quote request id {request_id} when you report it."),
        {"request_id": rid},
    )
    return error_response(request, status=500, code="internal_error", message=message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ChronosError, _chronos_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(DBAPIError, _database_error)
    for unreachable in DATABASE_UNAVAILABLE:  # raw OSError / TimeoutError from asyncpg included
        app.add_exception_handler(unreachable, _database_unavailable)
    for unreachable in REDIS_UNAVAILABLE:
        app.add_exception_handler(unreachable, _redis_unavailable)
