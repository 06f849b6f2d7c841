"""The bot's vocabulary: actions, their menu labels and commands per role (marked for extraction with ``N_``).

Labels are translated when a keyboard is drawn; a tapped label is mapped back to its action in any
language, so a keyboard drawn before ``/language`` keeps working after it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from shared.config import SUPPORTED_LOCALES
from shared.domain.enums import Role
from shared.errors import N_
from shared.i18n import Translator, translator


class Action(StrEnum):
    CHECK_IN = "checkin"
    CHECK_OUT = "checkout"
    LEAVE = "leave"
    MY_LEAVES = "myleaves"
    BALANCE = "balance"
    WHOS_OUT = "whosout"
    PENDING = "pending"
    TEAM = "team"
    INVITE = "invite"
    DIGEST = "digest"
    REPORT = "report"
    LANGUAGE = "language"
    HELP = "help"
    CANCEL = "cancel"
    START = "start"


MENU_LABELS: dict[Action, str] = {
    Action.CHECK_IN: N_("📍 Check in"),
    Action.CHECK_OUT: N_("🏁 Check out"),
    Action.LEAVE: N_("🌴 Request leave"),
    Action.MY_LEAVES: N_("🗂 My requests"),
    Action.BALANCE: N_("💼 Balance"),
    Action.WHOS_OUT: N_("🗓 Who's out"),
    Action.PENDING: N_("📥 Pending approvals"),
    Action.TEAM: N_("👥 My team today"),
    Action.DIGEST: N_("📋 Digest"),
    Action.REPORT: N_("📊 Timesheet"),
    Action.LANGUAGE: N_("🌐 Language"),
    Action.HELP: N_("❓ Help"),
    Action.CANCEL: N_("✖️ Cancel"),
}


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    roles: frozenset[Role]


EVERYONE = frozenset(Role)
MANAGERS = frozenset({Role.MANAGER, Role.HR, Role.ADMIN})
HR = frozenset({Role.HR, Role.ADMIN})

COMMANDS: tuple[Command, ...] = (
    Command("checkin", N_("Check in"), EVERYONE),
    Command("checkout", N_("Check out and see today's worked time"), EVERYONE),
    Command("leave", N_("Request leave"), EVERYONE),
    Command("myleaves", N_("My leave requests; cancel one"), EVERYONE),
    Command("balance", N_("My leave balance per type"), EVERYONE),
    Command("whosout", N_("Who is out: /whosout [next week | this month | 2026-12-21..2026-12-31]"), EVERYONE),
    Command("calendar", N_("The team calendar of a month: /calendar [YYYY-MM]"), EVERYONE),
    Command("holidays", N_("The coming public holidays"), EVERYONE),
    Command("feed", N_("Links to see absences in your calendar app"), EVERYONE),
    Command("correct", N_("Ask for a missed check-in or check-out to be added"), EVERYONE),
    Command("pending", N_("Leave requests waiting for my decision"), MANAGERS),
    Command("corrections", N_("Missed-punch corrections waiting for my decision"), MANAGERS),
    Command("overtime", N_("Overtime of my team waiting for my decision"), MANAGERS),
    Command("team", N_("My team today: in, late, not yet in, on leave"), MANAGERS),
    Command("invite", N_("Invite an employee: /invite EMPLOYEE_CODE"), HR),
    Command("digest", N_("Attendance exceptions: /digest [YYYY-MM-DD]"), HR),
    Command("report", N_("Monthly timesheet (XLSX): /report YYYY-MM [email]"), HR),
    Command("lateness", N_("Lateness notices; waive one"), HR),
    Command("language", N_("Change the language"), EVERYONE),
    Command("settings", N_("How I notify you: Telegram, e-mail or both"), EVERYONE),
    Command("cancel", N_("Leave the current step"), EVERYONE),
    Command("help", N_("What I can do for you"), EVERYONE),
)


def commands_for(role: Role | None) -> list[Command]:
    """The commands a role may use, in menu order (a stranger only gets /start)."""
    if role is None:
        return []
    return [c for c in COMMANDS if role in c.roles]


def label(t: Translator, action: Action) -> str:
    return t.gettext(MENU_LABELS[action])


@functools.cache
def _labels_to_actions() -> dict[str, Action]:
    found: dict[str, Action] = {}
    for locale in SUPPORTED_LOCALES:
        t = translator(locale)
        for action, text in MENU_LABELS.items():
            found.setdefault(t.gettext(text), action)
    for action, text in MENU_LABELS.items():
        found.setdefault(text, action)
    return found


def action_for_label(text: str) -> Action | None:
    """The menu action whose label (in any language) is ``text``."""
    return _labels_to_actions().get(text.strip())


def help_text(t: Translator, role: Role) -> str:
    """What this role can do, one command per line, in the reader's language."""
    lines = [t("Here is what I can do for you:"), ""]
    lines += [f"/{c.name} — {t.gettext(c.description)}" for c in commands_for(role)]
    lines += ["", t("Or use the buttons below.")]
    return "\n".join(lines)


LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "ar": "العربية"}
