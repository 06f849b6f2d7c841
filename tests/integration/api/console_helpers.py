"""Helpers for the console tests: a signed-in session per person, the CSRF token of a page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI

from api.console_auth import SESSION_COOKIE
from shared.domain.enums import Role
from shared.services.console.sessions import ConsoleSessionStore


def store(app: FastAPI) -> ConsoleSessionStore:
    settings = app.state.settings
    return ConsoleSessionStore(
        app.state.redis, prefix=settings.redis_prefix, idle_seconds=settings.console_idle_seconds, max_seconds=3600
    )


async def signed_in(app: FastAPI, employee_id: int, role: Role, *, locale: str = "en") -> tuple[dict[str, str], str]:
    """(the Cookie header of a fresh session, its CSRF token)."""
    token, session = await store(app).start(
        employee_id=employee_id, role=role, name=f"person {employee_id}", locale=locale, via="code",
        now=datetime.now(UTC),
    )  # fmt: skip
    return {"Cookie": f"{SESSION_COOKIE}={token}"}, session.csrf


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)
