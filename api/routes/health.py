"""Probes and metrics, outside /api/v1: liveness and readiness (no token), Prometheus (a metrics token).

Readiness names what is down but never how it is reached or what the driver said (hosts, ports, error
texts stay in the server log, with the request id): anyone may call it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from api.deps import DatabaseDep, RedisDep
from api.errors import error_response, render_message, request_translator
from api.schemas.common import ErrorResponse
from api.schemas.system import Check, Health
from shared.errors import N_

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0


async def _timed(probe: Callable[[], Awaitable[Any]]) -> Check:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), timeout=CHECK_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("readiness: %s failed: %s", getattr(probe, "__qualname__", "probe"), str(exc)[:300] or type(exc))
        reason = "timed out" if isinstance(exc, TimeoutError) else "not reachable"
        return Check(ok=False, ms=round((time.perf_counter() - started) * 1000, 2), error=reason)
    return Check(ok=True, ms=round((time.perf_counter() - started) * 1000, 2))


@router.get("/health/live", summary="The process is up (always 200)")
async def live() -> Health:
    return Health(status="ok")


@router.get(
    "/health/ready",
    response_model=Health,
    summary="The database and Redis answer (503 naming what is down)",
    responses={503: {"model": ErrorResponse, "description": "A dependency is down; details name it"}},
)
async def ready(request: Request, db: DatabaseDep, redis: RedisDep) -> Any:
    database, cache = await asyncio.gather(_timed(db.ping), _timed(redis.ping))
    checks = {"database": database, "redis": cache}
    down = [name for name, check in checks.items() if not check.ok]
    if not down:
        return Health(status="ok", checks=checks)
    t = request_translator(request)
    return error_response(
        request,
        status=503,
        code="not_ready",
        message=render_message(t, N_("Not ready: {down} not reachable."), {"down": ", ".join(down)}),
        details=[{"field": name, "message": checks[name].error or ""} for name in down],
        extra={"status": "unavailable", "checks": {k: v.model_dump() for k, v in checks.items()}},
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics (an admin or metrics token)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def metrics(request: Request) -> Response:
    body = await request.app.state.metrics.render()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
