"""In a Telegram group: /linkgroup DEPARTMENT and /unlinkgroup (the morning posts are the scheduler's).

Only these two commands are answered in groups; everything else said there is ignored (the bot is a guest
in the team's room). The person must administer the group (Telegram is asked) and be HR, or the head or a
manager of the department (``shared.services.absences.groups``).
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from chronos_bot.turn import Turn
from shared.services.absences.groups import link_group, unlink_group


async def _linked_person(turn: Turn) -> bool:
    if turn.employee is None:
        await turn.say(
            turn.t("Link your Telegram account with me in a private chat first (/start CODE), then try again.")
        )
        return False
    return True


async def link_command(turn: Turn) -> None:
    """/linkgroup DEPARTMENT: post who's out of that department here every working morning."""
    t = turn.t
    if not turn.in_group:
        await turn.say(t("Add me to your team's group and send /linkgroup DEPARTMENT there."))
        return
    if not await _linked_person(turn):
        return
    name = " ".join(turn.args)
    if not name:
        await turn.say(t("Name the department: /linkgroup DEPARTMENT"))
        return
    chat = turn.update.effective_chat
    title = (chat.title if chat is not None else None) or ""
    is_admin = await turn.chat_admin()
    async with turn.deps.db.transaction() as session:
        linked = await link_group(
            session, chat_id=turn.chat_id, title=title, department_name=name, person=turn.me,
            is_chat_admin=is_admin, actor=turn.actor, now=turn.now,
        )  # fmt: skip
    await turn.say(
        t(
            "Linked to {department}. Every working morning I will post here who of it is away today and this week.",
            department=html.escape(linked.department.name),
        )
    )


async def unlink_command(turn: Turn) -> None:
    """/unlinkgroup: stop posting here."""
    t = turn.t
    if not turn.in_group or not await _linked_person(turn):
        return
    is_admin = await turn.chat_admin()
    async with turn.deps.db.transaction() as session:
        department = await unlink_group(
            session, chat_id=turn.chat_id, person=turn.me, is_chat_admin=is_admin, actor=turn.actor
        )
    await turn.say(
        t("Unlinked from {department}: I will not post here any more.", department=html.escape(department.name))
    )


async def on_added(turn: Turn) -> None:
    """The bot was added to a group: say how to link it (nothing else happens until someone does)."""
    change = turn.update.my_chat_member
    if change is None or not turn.in_group:
        return
    if change.old_chat_member.status in ("left", "kicked") and change.new_chat_member.status in (
        "member",
        "administrator",
    ):
        await turn.say(
            turn.t(
                "Hello! An administrator of this group who is HR or a manager of the department can link it with "
                "/linkgroup DEPARTMENT; then I post here every working morning who of it is away."
            )
        )


async def ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything else said in a group: not for the bot."""
    return None
