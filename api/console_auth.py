"""Who is behind a console request: the session cookie, as a :class:`~api.deps.Principal`.

``api.access.enforce_policy`` calls :func:`console_principal` for routes under ``/console`` (where the
browser sends a cookie, not a bearer token), so the console answers to the same table as the API. A
console session's role is the employee's: admin, hr or manager (employees do not sign in).

Cookies: ``HttpOnly; SameSite=Lax; Path=/console`` and ``Secure``, except over plain http when
``STAGE=dev`` (the demo and a laptop have no TLS; in prod a plain-http console cannot keep a session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response

from api.deps import Principal
from shared.config import Settings
from shared.domain.enums import Role, TokenRole
from shared.errors import N_, ChronosError
from shared.services.actor import Actor
from shared.services.console.sessions import ConsoleSession, ConsoleSessionStore

CONSOLE_PREFIX = "/console"
SESSION_COOKIE = "chronos_console"
SIGN_IN_CSRF_COOKIE = "chronos_console_csrf"
ROLE_TOKENS = {Role.ADMIN: TokenRole.ADMIN, Role.HR: TokenRole.HR, Role.MANAGER: TokenRole.MANAGER}


@dataclass(frozen=True)
class ConsolePrincipal(Principal):
    """A signed-in console user: acts as themselves (``console:employee:<id>`` in the audit log)."""

    employee_role: Role = Role.EMPLOYEE

    @property
    def actor(self) -> Actor:
        return Actor(f"console:employee:{self.employee_id}", self.employee_id, self.employee_role, self.role)


class SignInRequired(ChronosError):
    code = "sign_in_required"
    status = 401


def is_console(path: str) -> bool:
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


def session_store(request: Request) -> ConsoleSessionStore:
    settings: Settings = request.app.state.settings
    return ConsoleSessionStore(
        request.app.state.redis,
        prefix=settings.redis_prefix,
        idle_seconds=settings.console_idle_seconds,
        max_seconds=settings.console_max_hours * 3600,
    )


async def console_principal(request: Request, *, now: datetime) -> Principal:
    """The signed-in person of a console request, or :class:`SignInRequired` (401; pages redirect)."""
    cached = getattr(request.state, "console_session", None)
    session: ConsoleSession | None = cached
    if session is None:
        session = await session_store(request).load(request.cookies.get(SESSION_COOKIE), now=now)
    if session is None or session.role not in ROLE_TOKENS:
        raise SignInRequired(N_("Your session has ended; sign in again."))
    request.state.console_session = session
    principal = ConsolePrincipal(
        0, f"console:{session.employee_id}", ROLE_TOKENS[session.role], session.employee_id, session.role
    )
    request.state.principal = principal
    return principal


def secure_cookies(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    return not (settings.stage == "dev" and request.url.scheme == "http")


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=CONSOLE_PREFIX, secure=secure_cookies(request), httponly=True,
        samesite="lax",
    )  # fmt: skip


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=CONSOLE_PREFIX, secure=secure_cookies(request), httponly=True, samesite="lax")
