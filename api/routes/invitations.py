"""Invitations: create one for an employee (the code is shown once), list them, revoke one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from api.access import Caller, EmployeeAccessDep
from api.deps import DatabaseDep, IdPath, IdQuery, NowDep, PageDep, RedisDep, SettingsDep
from api.schemas.common import ERRORS, Page
from api.schemas.invitations import InvitationCreate, InvitationCreated, InvitationOut
from shared.model import Invitation
from shared.services.org import invitations as service

router = APIRouter(prefix="/invitations", tags=["invitations"], responses=ERRORS)


def _view(invitation: Invitation, *, now: datetime) -> dict[str, object]:
    return {
        "id": invitation.id,
        "employee_id": invitation.employee_id,
        "state": service.invitation_state(invitation, now=now),
        "relink": invitation.relink,
        "expires_at": invitation.expires_at,
        "used_at": invitation.used_at,
        "used_by_telegram_id": invitation.used_by_telegram_id,
        "revoked_at": invitation.revoked_at,
        "created_by": invitation.created_by,
        "created_at": invitation.created_at,
    }


@router.get("", summary="List invitations (never their codes)")
async def list_invitations(
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    now: NowDep,
    employee_id: IdQuery = None,
    state: Annotated[service.InvitationState | None, Query()] = None,
) -> Page[InvitationOut]:
    line = await access.visible_ids()
    async with db.session() as session:
        found = await service.list_invitations(
            session,
            limit=page.limit,
            offset=page.offset,
            now=now,
            employee_id=employee_id,
            state=state,
            employee_ids=line,
        )
        return Page[InvitationOut].of(found, lambda i: InvitationOut(**_view(i, now=now)))


@router.get("/{invitation_id}", summary="Read an invitation (never its code)")
async def get_invitation(
    invitation_id: IdPath, access: EmployeeAccessDep, db: DatabaseDep, now: NowDep
) -> InvitationOut:
    async with db.session() as session:
        invitation = await service.get_invitation(session, invitation_id=invitation_id)
        answer = InvitationOut(**_view(invitation, now=now))
    await access.ensure(answer.employee_id)
    return answer


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Invite an employee to the bot",
    description="Answers with the one-time code (and a t.me deep link when the bot's username is known). "
    "Only a hash of the code is stored: it cannot be shown again; create a new invitation if it is lost. "
    "A new invitation revokes the employee's earlier pending ones. An employee already linked to Telegram "
    "needs `relink: true` (else 409 already_linked).",
)
async def create_invitation(
    request: Request,
    body: InvitationCreate,
    principal: Caller,
    db: DatabaseDep,
    redis: RedisDep,
    settings: SettingsDep,
    now: NowDep,
) -> InvitationCreated:
    async with db.transaction() as session:
        created = await service.create_invitation(
            session,
            employee_id=body.employee_id,
            actor=principal.actor,
            pepper=settings.secret_key,
            now=now,
            ttl=timedelta(days=body.expires_in_days),
            relink=body.relink,
        )
        view = _view(created.invitation, now=now)
    configured = request.app.state.bot_username or settings.bot_username
    username = await service.bot_username(redis, configured=configured)
    return InvitationCreated(**view, code=created.code, deep_link=service.deep_link(username, created.code))


@router.post("/{invitation_id}/revoke", summary="Revoke an unused invitation (idempotent)")
async def revoke_invitation(invitation_id: IdPath, principal: Caller, db: DatabaseDep, now: NowDep) -> InvitationOut:
    async with db.transaction() as session:
        invitation = await service.revoke_invitation(
            session, invitation_id=invitation_id, actor=principal.actor, now=now
        )
        return InvitationOut(**_view(invitation, now=now))
