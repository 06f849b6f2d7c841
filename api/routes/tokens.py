"""API tokens (admin only): list, create (the plaintext is shown once), revoke (effective at once)."""

from __future__ import annotations

from fastapi import APIRouter, status

from api import queries
from api.deps import AdminOnly, DatabaseDep, IdPath, NowDep, PageDep, SettingsDep
from api.schemas.common import ERRORS, Page
from api.schemas.tokens import TokenCreate, TokenCreated, TokenOut
from shared.services.org import tokens as service

router = APIRouter(prefix="/tokens", tags=["tokens"], responses=ERRORS)


@router.get("", summary="List API tokens (never their secrets)")
async def list_tokens(_: AdminOnly, db: DatabaseDep, page: PageDep, revoked: bool | None = None) -> Page[TokenOut]:
    async with db.session() as session:
        found = await queries.list_tokens(session, limit=page.limit, offset=page.offset, revoked=revoked)
        return Page[TokenOut].of(found)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an API token",
    description="The token is in this answer only; store it now. Manager tokens must name the manager's employee.",
)
async def create_token(body: TokenCreate, principal: AdminOnly, db: DatabaseDep, settings: SettingsDep) -> TokenCreated:
    async with db.transaction() as session:
        token, plaintext = await service.create_token(
            session,
            name=body.name,
            role=body.role,
            pepper=settings.secret_key,
            actor=principal.actor,
            employee_id=body.employee_id,
        )
        return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=plaintext)


@router.post("/{token_id}/revoke", summary="Revoke a token; it stops working immediately (idempotent)")
async def revoke_token(token_id: IdPath, principal: AdminOnly, db: DatabaseDep, now: NowDep) -> TokenOut:
    async with db.transaction() as session:
        token = await service.revoke_token(session, token_id=token_id, actor=principal.actor, now=now)
        return TokenOut.model_validate(token)
