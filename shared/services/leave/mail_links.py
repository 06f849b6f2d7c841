"""Links for deciding leave from an e-mail: signed, single-use, expiring approve / reject URLs.

An approval e-mail carries one random token per (request, approver), in two URLs (``?action=approve`` and
``?action=reject``). Only the token's keyed hash (API_SECRET_KEY) is stored (``action_links``), with its
expiry (MAIL_LINK_HOURS). Using a link is :mod:`shared.services.leave.mail_actions`.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.i18n import translator
from shared.model import ActionLink, Employee
from shared.notify.mail import MailLink
from shared.services.reach import locale_of
from shared.services.secrets import keyed_hash

PURPOSE = "leave_decision"
APPROVE, REJECT = "approve", "reject"
ACTIONS = (APPROVE, REJECT)


def token_hash(token: str) -> str:
    return keyed_hash(f"link:{token}", get_settings().secret_key)


def csrf_for(token: str) -> str:
    """The value the confirmation form carries; a POST without it (a forged form elsewhere) acts on nothing."""
    return keyed_hash(f"csrf:{token}", get_settings().secret_key)[:32]


def csrf_ok(token: str, value: str | None) -> bool:
    return bool(value) and hmac.compare_digest(csrf_for(token), value or "")


def decision_url(token: str, action: str) -> str:
    return f"{get_settings().mail_link_base}/mail/leave/{token}?action={action}"


async def issue_decision_link(session: AsyncSession, *, request_id: int, approver_id: int, now: datetime) -> str:
    """A new link for ``approver_id`` to decide ``request_id``; the token (shown once, in the mail)."""
    token = secrets.token_urlsafe(32)
    session.add(
        ActionLink(
            token_hash=token_hash(token),
            purpose=PURPOSE,
            employee_id=approver_id,
            leave_request_id=request_id,
            expires_at=now + timedelta(hours=get_settings().mail_link_hours),
        )
    )
    return token


async def approval_links(
    session: AsyncSession, *, request_id: int, approver: Employee, now: datetime
) -> tuple[list[MailLink], str]:
    """The approve / reject links of an approval e-mail, in the approver's language, and the line above them."""
    t = translator(locale_of(approver))
    token = await issue_decision_link(session, request_id=request_id, approver_id=approver.id, now=now)
    links = [MailLink(t("Approve"), decision_url(token, APPROVE)), MailLink(t("Reject"), decision_url(token, REJECT))]
    hours = get_settings().mail_link_hours
    intro = t.plural("Decide here (the link works once, for {n} hour):",
                     "Decide here (the link works once, for {n} hours):", hours)  # fmt: skip
    return links, intro
