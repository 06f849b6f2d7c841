"""Dependencies as ``Annotated`` aliases: what a route needs, by name.

- ``DatabaseDep``, ``RedisDep``, ``SettingsDep``, ``NowDep``, ``ReportCacheDep`` — the clients, clock and
  report cache built by the app factory (``app.state``); routes never construct them.
- ``authenticate`` — the bearer token of the request as a :class:`Principal` (whose ``.actor`` is what
  services take), or 401. Who may do what is not decided here: ``api.policy`` (the table) and
  ``api.access`` (the app-wide dependency that enforces it, ``Caller`` and ``EmployeeAccessDep``).
- ``PageDep`` — ``limit`` (1..500, default 50) and ``offset`` (≥ 0) query parameters.
- ``IdPath`` — a positive database id in the path (bounded, so no id can overflow a column).

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

from api.auth_cache import AuthCache
from api.cache import ResponseCache
from api.errors import Unauthorized
from api.schemas.common import no_nul
from shared.config import Settings
from shared.domain.enums import TokenRole
from shared.errors import N_, Invalid
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org.tokens import TokenGrant, grant_is_live, grant_needs_touch, read_grant, touch_token
from shared.services.pagination import DEFAULT_LIMIT, MAX_LIMIT
from shared.services.secrets import keyed_hash

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


BAD_TOKEN = N_("Send a valid API token in the Authorization header: Bearer followed by the token.")


async def authenticate(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The live token of the request, or 401 (unknown, revoked, expired, or its employee's access ended).

    A token checked in the last ``API_AUTH_CACHE_SECONDS`` is served from the worker's memory
    (``api.auth_cache``; expiry and leaving date are still checked against ``now``). Otherwise one select
    on the driver outside any transaction (``Database.reads()``); ``last_used_at`` is written at most once a minute."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = credentials.credentials.strip() if credentials else ""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized(BAD_TOKEN)
    cache: AuthCache = request.app.state.auth_cache
    digest = keyed_hash(token, settings.secret_key)
    grant = cache.get(digest, now=now)
    if grant is None:

        async def lookup() -> TokenGrant | None:
            async with database.reads() as reads:  # one select on the driver, no transaction
                found = await read_grant(reads, digest=digest)
            if found is None or not grant_is_live(found, now=now, company_timezone=settings.company_timezone):
                return None
            if grant_needs_touch(found, now=now):
                async with database.transaction() as session:
                    await touch_token(session, token_id=found.id, now=now)
            return found

        grant = await cache.load(digest, lookup, now=now)  # one lookup per token at a time
    if grant is None or not grant_is_live(grant, now=now, company_timezone=settings.company_timezone):
        raise Unauthorized(BAD_TOKEN)
    principal = Principal(grant.id, grant.name, grant.role, grant.employee_id)
    request.state.principal = principal
    return principal


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
