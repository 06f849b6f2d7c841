"""Small pieces several features use: the main menu reply, role gates, auditing refused presses."""

from __future__ import annotations

import logging

from chronos_bot import keyboards
from chronos_bot.texts import HR, MANAGERS
from chronos_bot.turn import Turn
from shared.errors import N_, Forbidden
from shared.services.actor import Actor
from shared.services.audit import audit

log = logging.getLogger(__name__)

FORGED = "forged_callback"
STALE = "stale_callback"


async def with_menu(turn: Turn, text: str) -> str:
    """Say ``text`` and (re)draw the main menu for the user's role, in their language."""
    return await turn.say(text, keyboards.main_menu(turn.t, turn.me.role))


def require_manager(turn: Turn) -> None:
    if turn.me.role not in MANAGERS:
        raise Forbidden(N_("This is for managers and HR."))


def require_hr(turn: Turn) -> None:
    if turn.me.role not in HR:
        raise Forbidden(N_("This is for HR."))


async def audit_press(turn: Turn, action: str, entity: str, entity_id: object | None, reason: str) -> None:
    """Record a refused button press (forged or stale) with who pressed what; its own transaction."""
    actor = turn.actor if turn.employee is not None else Actor(label=f"telegram:{turn.user_id}")
    data = turn.query.data if turn.query is not None else None
    log.warning(
        "refused button press",
        extra={"action": action, "reason": reason, "callback_data": data, "telegram_user_id": turn.user_id},
    )
    async with turn.deps.db.transaction() as session:
        audit(
            session,
            actor,
            action,
            entity,
            entity_id,
            new={"callback_data": data, "telegram_user_id": turn.user_id, "reason": reason},
        )
