"""The app factory: clients come in from the bootstrap (``api/__main__.py``), routes are mounted here.

``create_app(settings, database, redis)`` wires: request ids and the last-resort 500 (outermost), request
metrics, CORS, the error handlers (one body shape), the resource routers under ``/api/v1``, and the
probes (``/health/live``, ``/health/ready``) and ``/metrics`` at the root.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from redis.asyncio import Redis

from api.access import check_routes, document_access, enforce_policy
from api.auth_cache import AuthCache
from api.cache import ResponseCache
from api.console import mount_console
from api.errors import install_error_handlers
from api.metrics import Metrics
from api.middleware import REQUEST_ID_HEADER, RequestMiddleware, SecurityHeadersMiddleware
from api.policy import API_PREFIX, matrix_markdown
from api.routes import API_ROUTERS, health, ical, mail_links
from shared.config import Settings
from shared.notify.files import FileSource
from shared.persistence import Database
from shared.services.jobs import wait_background

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Chronos REST API: company structure (employees, departments, offices, shifts, leave types, holiday
calendars), leave requests, balances and the ledger, attendance (daily rows, punches, overrides,
processing), reports (exception digest, timesheet), devices, invitations, API tokens, the audit log
and job runs.

**Auth**: `Authorization: Bearer <token>` (create one with `chronos admin create-token`). A token has a
role and may carry an expiry; a token bound to an employee stops working when they are deactivated or
past their leaving date. Roles: `admin` everything; `hr` everything but tokens; `manager` (bound to an
employee) reads about its reporting line and decides on the leave requests routed to it; `readonly` reads
what the table below allows and writes nothing; `metrics` reads `/metrics` only.

**Access policy** (every operation also names its rule, and carries it as `x-access`): "reporting line"
is the token's employee and everyone reporting to them (for leave requests also those routed to them);
outside it an item is a 403 and lists leave it out. Fields a reader may not see are `null`.

{matrix}

**Rules** are the bot's: a broken rule is a 409 when it clashes with existing data (overlap, balance,
already decided) or a 422 when the input itself is wrong, with the rule's `code` and its reason.

**Errors** always look like `{"error": {"code", "message", "details"}, "request_id"}`; `message` follows
`Accept-Language`. Send `X-Request-ID` to correlate with the server logs (it is echoed back).

**Unavailable**: when the database or Redis is down, or a request runs over its time budget, the answer
is 503 (`code` `unavailable`) with `Retry-After`: try again after that many seconds (decisions are made
once however often they are repeated).

**Lists** take `limit` (1..500, default 50) and `offset`, and answer `{items, total, limit, offset}`.

**Dates** are between 2000-01-01 and 2100-12-31 everywhere.
"""


def create_app(
    settings: Settings,
    database: Database,
    redis: Redis,
    *,
    bot_username: str | None = None,
    files: FileSource | None = None,
    clock: Callable[[], datetime] | None = None,
    metrics_cache_seconds: float = 10.0,
    report_cache_seconds: float = 60.0,
) -> FastAPI:
    """A ready app over the given clients; its lifespan disposes them at shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await wait_background(timeout=30)  # device syncs started by POST /devices/{id}/sync
            await database.dispose()
            with contextlib.suppress(Exception):
                await redis.aclose()
            if files is not None:
                with contextlib.suppress(Exception):
                    await files.close()

    app = FastAPIOffline(  # Swagger UI at /docs and ReDoc at /redoc, their assets served from the package
        title="Chronos API",
        version="1",
        description=DESCRIPTION.replace("{matrix}", matrix_markdown()),
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
        static_url="/docs/assets",
        dependencies=[Depends(enforce_policy)],  # the access policy, before every route (api/access.py)
    )
    metrics = Metrics(database, cache_seconds=metrics_cache_seconds)
    app.state.settings = settings
    app.state.database = database
    app.state.redis = redis
    app.state.metrics = metrics
    app.state.bot_username = bot_username
    app.state.files = files  # documents attached to leave requests (None: the bot is not configured)
    app.state.clock = clock
    auth_cache = app.state.auth_cache = AuthCache(settings.api_auth_cache_seconds)
    app.state.report_cache = ResponseCache(
        redis,
        namespace=settings.redis_prefix,
        database_url=database.engine.url.render_as_string(hide_password=True),
        seconds=report_cache_seconds,
    )

    install_error_handlers(app)
    app.include_router(health.router)  # probes first: routes are matched in order, and they are polled often
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(mail_links.router)
    app.include_router(ical.router)
    mount_console(app)  # the HR console under /console (api/console), under the same policy
    check_routes(app)
    document_access(app)

    # add_middleware wraps: the last added runs first. Order, outermost first: security headers, CORS, then
    # one layer for the request id, metrics, the request budget (a 503 for a request over budget carries its
    # id and is counted) and forgetting cached tokens after a write (api/middleware.py).
    app.add_middleware(
        RequestMiddleware,
        metrics=metrics,
        budget_seconds=settings.api_request_timeout_seconds,
        auth_cache=auth_cache,
    )
    origins = settings.cors_origin_list
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER],
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    return app
