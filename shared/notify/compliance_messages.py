"""What people are told about working-time rules, in their own language (HTML for Telegram)."""

from __future__ import annotations

from html import escape

from shared.domain.compliance import RestWarning
from shared.i18n import Translator
from shared.notify.leave_messages import translator_for


def rest_warning_text(t: Translator, warning: RestWarning) -> str:
    """To the person checking in: "9 h 40 min since your last check-out; 11 h 00 min are required"."""
    return t(
        "⚠️ {rest} since your last check-out; {required} are required between two shifts.",
        rest=t.format_duration_minutes(warning.rest_minutes),
        required=t.format_duration_minutes(warning.required_minutes),
    )


def rest_warning_for_manager(locale: str | None, *, name: str, warning: RestWarning) -> str:
    """To the person's manager, through the outbox."""
    t = translator_for(locale)
    return t(
        "⚠️ {name} checked in {rest} after their last check-out; {required} of rest are required between two shifts.",
        name=f"<b>{escape(name)}</b>",
        rest=t.format_duration_minutes(warning.rest_minutes),
        required=t.format_duration_minutes(warning.required_minutes),
    )
