"""API tokens: created by `chronos admin create-token` or the API, shown once, stored as a keyed hash.

A token may be bound to an employee (a manager token must be). Such a token lives only as long as the
person's access (``shared.domain.employment.has_access``): deactivating the employee revokes their tokens,
and authentication refuses a token whose employee is inactive or past their leaving date, even before
anyone revoked it. Every token may carry an expiry; from that instant on it is refused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.employment import has_access
from shared.domain.enums import TokenRole
from shared.errors import N_, Conflict, Invalid, NotFound
from shared.model import ApiToken, Employee
from shared.persistence.reads import Reads
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.pagination import Page, paginate
from shared.services.secrets import keyed_hash, new_api_token

LAST_USED_RESOLUTION = timedelta(seconds=60)  # don't write a row on every request of a busy integration
LAST_EXPIRY_YEAR = 2100  # dates are bounded alike everywhere: 2000-01-01 .. 2100-12-31


class TokenState(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


def token_state(token: ApiToken, *, now: datetime) -> TokenState:
    if token.revoked_at is not None:
        return TokenState.REVOKED
    if token.expires_at is not None and token.expires_at <= now:
        return TokenState.EXPIRED
    return TokenState.ACTIVE


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def create_token(
    session: AsyncSession,
    *,
    name: str,
    role: TokenRole | str,
    pepper: str,
    actor: Actor,
    employee_id: int | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Store a new token and return it with its plaintext, which is never stored or shown again."""
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid(N_("A token needs a name of 1 to 120 characters."))
    try:
        role = TokenRole(role)
    except ValueError:
        raise Invalid(
            N_("Role {role} is unknown; use one of {allowed}."),
            role=role,
            allowed=", ".join(r.value for r in TokenRole),
        ) from None
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise Invalid(N_("Give the expiry with its UTC offset."), details={"field": "expires_at"})
        if (now is not None and expires_at <= now) or expires_at.year > LAST_EXPIRY_YEAR:
            raise Invalid(N_("A token must expire in the future, before 2101."), details={"field": "expires_at"})
    if await session.scalar(select(ApiToken.id).where(ApiToken.name == name)):
        raise Conflict(N_("A token named {name} already exists."), name=name)
    if employee_id is not None:
        employee = await session.get(Employee, employee_id)
        if employee is None:
            raise NotFound(N_("Employee {id} does not exist."), id=employee_id)
        if not employee.active:
            raise Invalid(
                N_("Employee {code} is deactivated; a token bound to them would not work."),
                code=employee.code,
                details={"field": "employee_id"},
            )
    if role is TokenRole.MANAGER and employee_id is None:
        raise Invalid(N_("A manager token must be bound to the manager's employee record."))
    plaintext = new_api_token()
    token = ApiToken(
        name=name, role=role, token_hash=keyed_hash(plaintext, pepper), employee_id=employee_id, expires_at=expires_at
    )
    session.add(token)
    await session.flush()
    audit(session, actor, "create", "api_token", token.id, new=snapshot(token, exclude=frozenset({"token_hash"})))
    return token, plaintext


class TokenGrant(NamedTuple):
    """What authentication needs of a token and its employee, read with one Core select (no ORM object)."""

    id: int
    name: str
    role: TokenRole
    employee_id: int | None
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    employee_active: bool | None
    employee_leaving_date: date | None
    employee_timezone: str | None


def grant_is_live(grant: TokenGrant, *, now: datetime, company_timezone: str = "UTC") -> bool:
    """Not revoked, not expired, and its employee (if any) still has access today in their own zone."""
    if grant.revoked_at is not None or (grant.expires_at is not None and grant.expires_at <= now):
        return False
    if grant.employee_id is None:
        return True
    today = now.astimezone(_zone(grant.employee_timezone, company_timezone)).date()
    return has_access(bool(grant.employee_active), grant.employee_leaving_date, today)


def grant_needs_touch(grant: TokenGrant, *, now: datetime) -> bool:
    return grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_RESOLUTION


# Built once (authentication runs it whenever a token is not in the API's memory): columns labelled as the
# fields of TokenGrant.
_GRANT = (
    select(
        ApiToken.id,
        ApiToken.name,
        ApiToken.role,
        ApiToken.employee_id,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        Employee.active.label("employee_active"),
        Employee.leaving_date.label("employee_leaving_date"),
        Employee.timezone.label("employee_timezone"),
    )
    .outerjoin(Employee, Employee.id == ApiToken.employee_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


async def read_grant(reads: Reads, *, digest: str) -> TokenGrant | None:
    """The token whose keyed hash is ``digest`` whatever its state (check it with :func:`grant_is_live`), or
    None; read on the driver (``Database.reads()``), where the role comes back as its stored string."""
    found = await reads.first(_GRANT, {"digest": digest})
    if found is None:
        return None
    found["role"] = TokenRole(found["role"])
    return TokenGrant(**found)


async def touch_token(session: AsyncSession, *, token_id: int, now: datetime) -> None:
    """Note the token's use (``last_used_at``), at most once per :data:`LAST_USED_RESOLUTION`."""
    await session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


async def authenticate_token(
    session: AsyncSession, *, token: str, pepper: str, now: datetime, company_timezone: str = "UTC"
) -> ApiToken | None:
    """The live token for ``token``, or None when unknown, revoked, expired, or bound to someone whose access
    ended (deactivated, or past their leaving date in their own zone); refreshes ``last_used_at``."""
    found = (
        await session.execute(
            select(ApiToken, Employee.active, Employee.leaving_date, Employee.timezone)
            .outerjoin(Employee, Employee.id == ApiToken.employee_id)
            .where(ApiToken.token_hash == keyed_hash(token, pepper))
        )
    ).first()
    if found is None:
        return None
    row, active, leaving_date, timezone = found
    if token_state(row, now=now) is not TokenState.ACTIVE:
        return None
    if row.employee_id is not None:
        today = now.astimezone(_zone(timezone, company_timezone)).date()
        if not has_access(bool(active), leaving_date, today):
            return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row


async def get_token(session: AsyncSession, *, token_id: int) -> ApiToken:
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(N_("Token {id} does not exist."), id=token_id)
    return row


async def find_token(session: AsyncSession, *, id_or_name: str) -> ApiToken:
    """A token by id (digits) or by name, for the CLI."""
    text = id_or_name.strip()
    row = await session.get(ApiToken, int(text)) if text.isdigit() and len(text) < 10 else None
    if row is None:
        row = await session.scalar(select(ApiToken).where(ApiToken.name == text))
    if row is None:
        raise NotFound(N_("Token {id} does not exist."), id=text)
    return row


async def list_tokens(session: AsyncSession, *, limit: int, offset: int, revoked: bool | None = None) -> Page[ApiToken]:
    statement = select(ApiToken).order_by(ApiToken.id)
    if revoked is True:
        statement = statement.where(ApiToken.revoked_at.is_not(None))
    elif revoked is False:
        statement = statement.where(ApiToken.revoked_at.is_(None))
    return await paginate(session, statement, limit=limit, offset=offset)


async def revoke_token(session: AsyncSession, *, token_id: int, actor: Actor, now: datetime) -> ApiToken:
    row = await get_token(session, token_id=token_id)
    if row.revoked_at is None:
        row.revoked_at = now
        audit(session, actor, "revoke", "api_token", row.id, new={"revoked_at": now.isoformat()})
    return row


@dataclass(frozen=True)
class Revoked:
    token_ids: tuple[int, ...]


async def revoke_employee_tokens(session: AsyncSession, *, employee_id: int, actor: Actor, now: datetime) -> Revoked:
    """Revoke every live token bound to ``employee_id`` (their access ended); one audit row per token."""
    ids = tuple(
        await session.scalars(
            select(ApiToken.id)
            .where(ApiToken.employee_id == employee_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )
    if not ids:
        return Revoked(())
    await session.execute(
        update(ApiToken)
        .where(ApiToken.id.in_(ids), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    for token_id in ids:
        audit(
            session,
            actor,
            "revoke",
            "api_token",
            token_id,
            new={"revoked_at": now.isoformat(), "reason": "employee_access_ended", "employee_id": employee_id},
        )
    return Revoked(ids)
