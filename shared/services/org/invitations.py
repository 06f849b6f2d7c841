"""Invitations: HR creates a one-time code for an employee; `/start <code>` in the bot links their Telegram.

The code is shown once (to HR, or inside a t.me deep link) and stored only as a keyed hash of its
normalised form, so "abcd-efgh" typed by hand matches "ABCDEFGH". Redeeming is single-use even when two
redemptions race: the row is claimed with a conditional UPDATE.

Linking is explicit: a new invitation revokes the person's earlier pending codes (only the newest works);
inviting someone already linked to Telegram needs HR's confirmation (``relink``), and only such a code
moves the link: a plain code of an already linked person is refused when redeemed. When the link moves,
the previous chat is told and the audit log records both accounts.
"""

from __future__ import annotations

import asyncio
import enum
import html
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, Conflict, Forbidden, Invalid, NotFound
from shared.model import Employee, Invitation
from shared.notify.leave_messages import translator_for
from shared.notify.outbox import enqueue_message
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.pagination import Page, paginate
from shared.services.secrets import keyed_hash, new_invitation_code, normalize_invitation_code

BOT_USERNAME_KEY = "chronos:bot:username"  # the bot may publish its @username here (from getMe)
DEFAULT_TTL = timedelta(days=7)
MAX_TTL = timedelta(days=90)
_HIDDEN = frozenset({"code_hash"})

logger = logging.getLogger(__name__)


class AlreadyLinked(Conflict):
    code = "already_linked"


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


def invitation_state(invitation: Invitation, *, now: datetime) -> InvitationState:
    if invitation.used_at is not None:
        return InvitationState.USED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.PENDING


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    code: str


def _hash(code: str, pepper: str) -> str:
    return keyed_hash(normalize_invitation_code(code), pepper)


async def create_invitation(
    session: AsyncSession,
    *,
    employee_id: int,
    actor: Actor,
    pepper: str,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    relink: bool = False,
) -> NewInvitation:
    """Store a new invitation for an active employee; the plaintext code is returned here only.

    The employee's earlier pending invitations are revoked. An employee already linked to Telegram is
    invited only with ``relink`` (HR confirmed moving them to another account); otherwise 409 already_linked.
    """
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can invite employees."))
    employee = await session.get(Employee, employee_id, with_for_update=True)  # one new code at a time
    if employee is None:
        raise NotFound(N_("Employee {id} does not exist."), id=employee_id)
    if not employee.active:
        raise Invalid(
            N_("Employee {code} is deactivated; reactivate them before inviting."),
            details={"field": "employee_id"},
            code=employee.code,
        )
    if not timedelta(hours=1) <= ttl <= MAX_TTL:
        raise Invalid(N_("An invitation is valid for 1 hour to 90 days."), details={"field": "expires_in_days"})
    if employee.telegram_user_id is not None and not relink:
        raise AlreadyLinked(
            N_(
                "{name} is already linked to a Telegram account. Confirm a re-link to move them to another "
                "account (the current chat will be told)."
            ),
            name=employee.full_name,
            details={"field": "relink"},
        )
    await _revoke_pending(session, employee_id=employee_id, actor=actor, now=now)
    code = new_invitation_code()
    invitation = Invitation(
        code_hash=_hash(code, pepper),
        employee_id=employee_id,
        expires_at=now + ttl,
        created_by=actor.label,
        created_at=now,
        relink=employee.telegram_user_id is not None,
    )
    session.add(invitation)
    await session.flush()
    audit(session, actor, "create", "invitation", invitation.id, new=snapshot(invitation, exclude=_HIDDEN))
    return NewInvitation(invitation, code)


async def _revoke_pending(session: AsyncSession, *, employee_id: int, actor: Actor, now: datetime) -> None:
    """Revoke the employee's pending invitations: a new code supersedes them (one audit row each)."""
    pending = await session.scalars(
        select(Invitation)
        .where(
            Invitation.employee_id == employee_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.id)
        .with_for_update()
    )
    for old in pending:
        old.revoked_at = now
        audit(
            session, actor, "revoke", "invitation", old.id, new={"revoked_at": now.isoformat(), "reason": "superseded"}
        )


async def get_invitation(session: AsyncSession, *, invitation_id: int) -> Invitation:
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(N_("Invitation {id} does not exist."), id=invitation_id)
    return invitation


async def list_invitations(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    now: datetime,
    employee_id: int | None = None,
    state: InvitationState | None = None,
    employee_ids: set[int] | None = None,
) -> Page[Invitation]:
    """Invitations (of ``employee_ids`` only, when given), newest first; the codes themselves are never
    stored, so never listed."""
    statement = select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    if employee_ids is not None:
        statement = statement.where(Invitation.employee_id.in_(sorted(employee_ids)))
    if employee_id is not None:
        statement = statement.where(Invitation.employee_id == employee_id)
    if state is InvitationState.USED:
        statement = statement.where(Invitation.used_at.is_not(None))
    elif state is InvitationState.REVOKED:
        statement = statement.where(Invitation.used_at.is_(None), Invitation.revoked_at.is_not(None))
    elif state is InvitationState.EXPIRED:
        statement = statement.where(
            Invitation.used_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at <= now
        )
    elif state is InvitationState.PENDING:
        statement = statement.where(
            Invitation.used_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now
        )
    return await paginate(session, statement, limit=limit, offset=offset)


async def revoke_invitation(session: AsyncSession, *, invitation_id: int, actor: Actor, now: datetime) -> Invitation:
    """Make an unused invitation unusable; revoking twice is harmless, revoking a used one is refused."""
    invitation = await get_invitation(session, invitation_id=invitation_id)
    if invitation.used_at is not None:
        raise Conflict(
            N_("Invitation {id} was already used; to unlink the Telegram account, deactivate the employee."),
            id=invitation_id,
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = now
        audit(session, actor, "revoke", "invitation", invitation.id, new={"revoked_at": now.isoformat()})
        await session.flush()
    return invitation


async def redeem_invitation(
    session: AsyncSession, *, code: str, telegram_user_id: int, now: datetime, pepper: str
) -> Employee:
    """Link ``telegram_user_id`` to the invited employee and use the invitation up.

    Unknown, expired, used or revoked codes → Invalid (what to do next is in the message);
    a deactivated employee → Forbidden; a Telegram account linked to someone else → Conflict.
    """
    normalized = normalize_invitation_code(code or "")
    if not normalized or len(normalized) > 64:
        raise Invalid(N_("This invitation code is not valid; check it, or ask HR for a new one."))
    invitation = await session.scalar(select(Invitation).where(Invitation.code_hash == _hash(normalized, pepper)))
    if invitation is None:
        raise Invalid(N_("This invitation code is not valid; check it, or ask HR for a new one."))
    state = invitation_state(invitation, now=now)
    if state is InvitationState.USED:
        raise Invalid(N_("This invitation code was already used; ask HR for a new one."))
    if state is InvitationState.REVOKED:
        raise Invalid(N_("This invitation code was withdrawn; ask HR for a new one."))
    if state is InvitationState.EXPIRED:
        raise Invalid(N_("This invitation code has expired; ask HR for a new one."))
    employee = await session.get(Employee, invitation.employee_id)
    if employee is None or not employee.active:
        raise Forbidden(N_("This account is deactivated; contact HR if that is a mistake."))
    previous = employee.telegram_user_id
    if previous is not None and previous != telegram_user_id and not invitation.relink:
        raise AlreadyLinked(N_("This person is already linked to another Telegram account; ask HR for a re-link code."))
    other = await session.scalar(
        select(Employee.id).where(Employee.telegram_user_id == telegram_user_id, Employee.id != employee.id)
    )
    if other is not None:
        raise Conflict(N_("This Telegram account is already linked to another employee; contact HR to move the link."))
    claimed = cast(
        CursorResult[Any],
        await session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
            .values(used_at=now, used_by_telegram_id=telegram_user_id)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        raise Invalid(N_("This invitation code was already used; ask HR for a new one."))
    employee.telegram_user_id = telegram_user_id
    await session.flush()
    actor = Actor.for_employee(employee.id, employee.role)
    audit(
        session,
        actor,
        "redeem",
        "invitation",
        invitation.id,
        new={"employee_id": employee.id, "telegram_user_id": telegram_user_id},
    )
    if previous != telegram_user_id:
        audit(
            session,
            actor,
            "link_telegram" if previous is None else "relink_telegram",
            "employee",
            employee.id,
            old={"telegram_user_id": previous},
            new={"telegram_user_id": telegram_user_id, "invitation_id": invitation.id},
        )
    if previous is not None and previous != telegram_user_id:
        _tell_previous_chat(session, chat_id=previous, locale=employee.locale, name=employee.full_name)
    await session.refresh(invitation)
    return employee


UNLINKED = N_(
    "🔒 Your Chronos account ({name}) was moved to another Telegram account with a code from HR. This chat "
    "no longer has access. If you did not ask for this, contact HR at once."
)


def _tell_previous_chat(session: AsyncSession, *, chat_id: int, locale: str | None, name: str) -> None:
    """The chat that lost the link is told, in the person's language (through the outbox)."""
    t = translator_for(locale)
    enqueue_message(session, chat_id=chat_id, text=t(UNLINKED, name=html.escape(name)))


async def bot_username(redis: Any, *, configured: str | None = None) -> str | None:
    """The bot's @username: configured, or published by the bot in Redis; None when unknown."""
    if configured:
        return configured.lstrip("@")
    try:
        value = await asyncio.wait_for(redis.get(BOT_USERNAME_KEY), timeout=1.0)
    except Exception:
        logger.info("bot username not available from Redis", exc_info=True)
        return None
    return str(value).lstrip("@") if value else None


def deep_link(username: str | None, code: str) -> str | None:
    """``https://t.me/<bot>?start=<code>``: opens the bot and sends ``/start <code>`` in one tap."""
    return f"https://t.me/{username}?start={code}" if username else None
