"""Dependencies as ``Annotated`` aliases: what a route needs, by name.

- ``DatabaseDep``, ``RedisDep``, ``SettingsDep``, ``NowDep``, ``ReportCacheDep`` — the clients, clock and
  report cache built by the app factory (``app.state``); routes never construct them.
- ``Reader`` (any valid token: GET routes), ``Editor`` (admin, hr: writes), ``AdminOnly`` (tokens) —
  authenticate the bearer token and check its role; each gives a :class:`Principal` whose ``.actor``
  is what services take.
- ``PageDep`` — ``limit`` (1..500, default 50) and ``offset`` (≥ 0) query parameters.
- ``IdPath`` — a positive database id in the path (bounded, so no id can overflow a column).
- ``Decider`` (admin, hr, manager: leave decisions and cancellations; the services check the rest).
- ``EmployeeAccessDep`` — "may this token act on employee X": admin/hr always, a manager token for its
  own employee and everyone reporting to it directly or indirectly, readonly never; and "may it read
  about X": the same, except that readonly reads everyone.

Every dependency is ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, a thread
hop per dependency per request that costs more than the work itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator
from redis.asyncio import Redis

from api.cache import ResponseCache
from api.errors import Unauthorized
from api.schemas.common import no_nul
from shared.config import Settings
from shared.domain.enums import TokenRole
from shared.errors import N_, Forbidden, Invalid
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org import people as org_people
from shared.services.org.tokens import authenticate_token
from shared.services.pagination import DEFAULT_LIMIT, MAX_LIMIT

MAX_ID = 2**31 - 1
MAX_OFFSET = 10**9
MAX_TOKEN_LENGTH = 256


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_database(request: Request) -> Database:
    return request.app.state.database


async def get_redis(request: Request) -> Redis:
    return request.app.state.redis


async def get_report_cache(request: Request) -> ResponseCache:
    return request.app.state.report_cache


async def get_now(request: Request) -> datetime:
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
RedisDep = Annotated[Redis, Depends(get_redis)]
NowDep = Annotated[datetime, Depends(get_now)]
ReportCacheDep = Annotated[ResponseCache, Depends(get_report_cache)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A database id")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def text_query(description: str | None = None, *, max_length: int = 120) -> Any:
    """An optional text query parameter: bounded, without NUL characters."""
    return Annotated[str | None, Query(max_length=max_length, description=description), AfterValidator(no_nul)]


SearchQuery = text_query("Case-insensitive substring of code, name or e-mail", max_length=100)
NameQuery = text_query()


def as_utc(value: datetime | None) -> datetime | None:
    """An instant from a query parameter: naive means UTC; the ends of the calendar are clamped."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if value.year == 1 else datetime.max.replace(tzinfo=UTC)


def check_date_order(date_from: date | None, date_to: date | None, *, field: str = "date_to") -> None:
    """A 422 naming ``field`` when a range ends before it starts (open ends are fine)."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise Invalid(N_("The end date is before the start date."), details={"field": field})


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="BearerToken",
    description="An API token from `chronos admin create-token` or `POST /api/v1/tokens`.",
)


@dataclass(frozen=True)
class Principal:
    """The token behind a request."""

    token_id: int
    name: str
    role: TokenRole
    employee_id: int | None

    @property
    def actor(self) -> Actor:
        return Actor.for_token(self.name, self.role, self.employee_id)


async def authenticate(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The live token of the request, or 401. ``last_used_at`` is written at most once a minute."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = credentials.credentials.strip() if credentials else ""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized(N_("Send a valid API token in the Authorization header: Bearer followed by the token."))
    async with database.session() as session:  # a read: most requests need no write at all
        row = await authenticate_token(session, token=token, pepper=settings.secret_key, now=now)
        if row is None:
            raise Unauthorized(N_("Send a valid API token in the Authorization header: Bearer followed by the token."))
        principal = Principal(row.id, row.name, row.role, row.employee_id)
        touched = row.last_used_at == now
    if touched:
        async with database.transaction() as session:
            await authenticate_token(session, token=token, pepper=settings.secret_key, now=now)
    request.state.principal = principal
    return principal


def require(*roles: TokenRole) -> Any:
    """A dependency that lets only tokens of ``roles`` through (403 for the others)."""
    allowed = frozenset(roles)

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(
                N_("A {role} token may not do this; ask an administrator for a token with more rights."),
                role=principal.role.value,
            )
        return principal

    return check


Reader = Annotated[Principal, Depends(require(TokenRole.ADMIN, TokenRole.HR, TokenRole.MANAGER, TokenRole.READONLY))]
Editor = Annotated[Principal, Depends(require(TokenRole.ADMIN, TokenRole.HR))]
AdminOnly = Annotated[Principal, Depends(require(TokenRole.ADMIN))]
Decider = Annotated[Principal, Depends(require(TokenRole.ADMIN, TokenRole.HR, TokenRole.MANAGER))]


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1..500)")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


NOT_IN_LINE = N_("Employee {id} is not in your reporting line; only their managers or HR can do this.")


@dataclass
class EmployeeAccess:
    """Answers "may this token act on (or read about) employee X" for the request's token."""

    principal: Principal
    database: Database
    _line: set[int] | None = None

    @property
    def limited(self) -> bool:
        """True for manager tokens: they read and act only within their reporting line."""
        return self.principal.role is TokenRole.MANAGER

    async def can_act_on(self, employee_id: int) -> bool:
        role = self.principal.role
        if role in (TokenRole.ADMIN, TokenRole.HR):
            return True
        if role is not TokenRole.MANAGER or self.principal.employee_id is None:
            return False
        if self._line is not None:
            return employee_id in self._line
        async with self.database.session() as session:
            return await org_people.reports_to(session, employee_id=employee_id, manager_id=self.principal.employee_id)

    async def ensure(self, employee_id: int) -> None:
        """Raise 403 unless the token may act on ``employee_id``."""
        if not await self.can_act_on(employee_id):
            raise Forbidden(NOT_IN_LINE, id=employee_id)

    async def ensure_readable(self, employee_id: int) -> None:
        """Raise 403 unless the token may read about ``employee_id`` (everyone but managers read everyone)."""
        if self.limited:
            await self.ensure(employee_id)

    async def ensure_request(self, employee_id: int, approver_id: int | None, *, write: bool = False) -> None:
        """A leave request: its employee's reporting line, or a manager token that is its approver."""
        if self.limited and approver_id is not None and approver_id == self.principal.employee_id:
            return
        await (self.ensure(employee_id) if write else self.ensure_readable(employee_id))

    async def visible_ids(self) -> set[int] | None:
        """Whose data the token reads: ``None`` for everyone, else the manager's reporting line."""
        if not self.limited:
            return None
        if self._line is None:
            manager_id = self.principal.employee_id
            if manager_id is None:
                self._line = set()
            else:
                async with self.database.session() as session:
                    self._line = await org_people.reporting_line(session, manager_id=manager_id)
        return self._line


async def employee_access(principal: Reader, database: DatabaseDep) -> EmployeeAccess:
    return EmployeeAccess(principal, database)


EmployeeAccessDep = Annotated[EmployeeAccess, Depends(employee_access)]
