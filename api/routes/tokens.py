"""API tokens (admin only): list, create (the plaintext is shown once), revoke (effective at once)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, NowDep, PageDep, SettingsDep
from api.schemas.common import ERRORS, Page
from api.schemas.tokens import TokenCreate, TokenCreated, TokenOut
from shared.model import ApiToken
from shared.services.org import tokens as service

router = APIRouter(prefix="/tokens", tags=["tokens"], responses=ERRORS)


def _out(token: ApiToken, now: datetime) -> TokenOut:
    return TokenOut.model_validate(token).model_copy(update={"state": service.token_state(token, now=now)})


@router.get("", summary="List API tokens (never their secrets)")
async def list_tokens(db: DatabaseDep, page: PageDep, now: NowDep, revoked: bool | None = None) -> Page[TokenOut]:
    async with db.session() as session:
        found = await service.list_tokens(session, limit=page.limit, offset=page.offset, revoked=revoked)
        return Page[TokenOut].of(found, lambda t: _out(t, now))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an API token",
    description="The token is in this answer only; store it now. Manager tokens must name the manager's employee. "
    "A token bound to an employee stops working when they are deactivated or past their leaving date; "
    "`expires_at` (optional) ends it at that instant.",
)
async def create_token(
    body: TokenCreate, principal: Caller, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> TokenCreated:
    async with db.transaction() as session:
        token, plaintext = await service.create_token(
            session,
            name=body.name,
            role=body.role,
            pepper=settings.secret_key,
            actor=principal.actor,
            employee_id=body.employee_id,
            expires_at=body.expires_at,
            now=now,
        )
        return TokenCreated(**_out(token, now).model_dump(), token=plaintext)


@router.post("/{token_id}/revoke", summary="Revoke a token; it stops working immediately (idempotent)")
async def revoke_token(token_id: IdPath, principal: Caller, db: DatabaseDep, now: NowDep) -> TokenOut:
    async with db.transaction() as session:
        token = await service.revoke_token(session, token_id=token_id, actor=principal.actor, now=now)
        return _out(token, now)
