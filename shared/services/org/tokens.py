"""API tokens: created by `chronos admin create-token` or the API, shown once, stored as a keyed hash."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import TokenRole
from shared.errors import N_, Conflict, Invalid, NotFound
from shared.model import ApiToken, Employee
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.secrets import keyed_hash, new_api_token

LAST_USED_RESOLUTION = timedelta(seconds=60)  # don't write a row on every request of a busy integration


async def create_token(
    session: AsyncSession,
    *,
    name: str,
    role: TokenRole | str,
    pepper: str,
    actor: Actor,
    employee_id: int | None = None,
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
    if await session.scalar(select(ApiToken.id).where(ApiToken.name == name)):
        raise Conflict(N_("A token named {name} already exists."), name=name)
    if employee_id is not None and not await session.get(Employee, employee_id):
        raise NotFound(N_("Employee {id} does not exist."), id=employee_id)
    if role is TokenRole.MANAGER and employee_id is None:
        raise Invalid(N_("A manager token must be bound to the manager's employee record."))
    plaintext = new_api_token()
    token = ApiToken(name=name, role=role, token_hash=keyed_hash(plaintext, pepper), employee_id=employee_id)
    session.add(token)
    await session.flush()
    audit(session, actor, "create", "api_token", token.id, new=snapshot(token, exclude=frozenset({"token_hash"})))
    return token, plaintext


async def authenticate_token(session: AsyncSession, *, token: str, pepper: str, now: datetime) -> ApiToken | None:
    """The live token for ``token``, or None when unknown or revoked; refreshes ``last_used_at``."""
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == keyed_hash(token, pepper)))
    if row is None or row.revoked_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row


async def revoke_token(session: AsyncSession, *, token_id: int, actor: Actor, now: datetime) -> ApiToken:
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(N_("Token {id} does not exist."), id=token_id)
    if row.revoked_at is None:
        row.revoked_at = now
        audit(session, actor, "revoke", "api_token", row.id, new={"revoked_at": now.isoformat()})
    return row
