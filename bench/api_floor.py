"""The floor of the API benchmark: a minimal FastAPI + asyncpg app doing the same work as Chronos' routes.

    uvicorn --factory bench.api_floor:app_from_env   (DATABASE_URL, API_SECRET_KEY from the environment)

Per request it does what any correct implementation must: read the bearer token, look its keyed hash up
(revoked / expired refused), select the rows, return JSON. No access policy table, no middleware, no ORM,
no pagination helpers: what is left is FastAPI, uvicorn, asyncpg and PostgreSQL. ``bench/api.py`` runs it
beside the real API in the same run and reports Chronos' throughput as a fraction of this one.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException, Request

from shared.services.secrets import keyed_hash

EMPLOYEE_COLUMNS = (
    "id, code, full_name, email, phone, department_id, manager_id, role, telegram_user_id, locale, timezone,"
    " shift_id, office_id, holiday_calendar_id, work_week, hire_date, leaving_date, active, device_user_id,"
    " created_at, updated_at"
)
DAILY_SQL = """
SELECT d.id, d.employee_id, d.date, d.status, d.first_in, d.last_out, d.worked_minutes, d.late_minutes,
       d.early_exit_minutes, d.worked_on_day_off, d.shift_id, d.leave_request_id, d.punch_count, d.is_final,
       d.manual_override, d.override_reason, d.override_by, d.processed_at,
       e.code AS employee_code, e.full_name AS employee_name, e.department_id, p.name AS department_name
FROM daily_attendance d JOIN employees e ON e.id = d.employee_id LEFT JOIN departments p ON p.id = e.department_id
WHERE d.date = $1 ORDER BY d.date, d.employee_id LIMIT $2 OFFSET $3
"""


def create_floor_app(dsn: str, pepper: str) -> FastAPI:
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    async def authenticate(connection: asyncpg.Connection, request: Request) -> None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            raise HTTPException(401)
        row = await connection.fetchrow(
            "SELECT id, role, revoked_at, expires_at FROM api_tokens WHERE token_hash = $1",
            keyed_hash(header[7:], pepper),
        )
        if row is None or row["revoked_at"] is not None:
            raise HTTPException(401)
        if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            raise HTTPException(401)

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/employees/{employee_id}")
    async def employee(employee_id: int, request: Request) -> dict[str, Any]:
        assert pool is not None
        async with pool.acquire() as connection:
            await authenticate(connection, request)
            row = await connection.fetchrow(f"SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE id = $1", employee_id)
        if row is None:
            raise HTTPException(404)
        return dict(row)

    @app.get("/api/v1/employees")
    async def employees(request: Request, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        assert pool is not None
        async with pool.acquire() as connection:
            await authenticate(connection, request)
            total = await connection.fetchval("SELECT count(*) FROM employees")
            rows = await connection.fetch(
                f"SELECT {EMPLOYEE_COLUMNS} FROM employees ORDER BY id LIMIT $1 OFFSET $2", limit, offset
            )
        return {"items": [dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}

    @app.get("/api/v1/attendance/daily")
    async def daily(request: Request, date: date, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        assert pool is not None
        async with pool.acquire() as connection:
            await authenticate(connection, request)
            total = await connection.fetchval("SELECT count(*) FROM daily_attendance WHERE date = $1", date)
            rows = await connection.fetch(DAILY_SQL, date, limit, offset)
        return {"items": [dict(r) for r in rows], "total": total, "limit": limit, "offset": offset}

    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: the database of DATABASE_URL (SQLAlchemy form accepted), API_SECRET_KEY."""
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    return create_floor_app(dsn, os.environ["API_SECRET_KEY"])
