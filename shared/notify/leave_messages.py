"""What people are told about leave, in their own language (HTML for Telegram).

Callback data carries only ids (``lv:a:17``); the bot re-checks authority on every press.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape

from shared.config import get_settings
from shared.domain.enums import HalfDay, LeaveStatus
from shared.domain.ids import parse_id
from shared.domain.names import localized_name
from shared.errors import N_
from shared.i18n import Translator, translator
from shared.notify.outbox import Button, Keyboard
from shared.texts import WORKING_DAYS, count

APPROVE, REJECT = "a", "r"


def decision_callback(action: str, request_id: int) -> str:
    return f"lv:{action}:{request_id}"


def parse_decision_callback(data: str) -> tuple[str, int] | None:
    """``(action, request id)`` of ``lv:<a|r>:<id>``; ``None`` for anything else (an id beyond MAX_ID too)."""
    parts = data.split(":")
    if len(parts) == 3 and parts[0] == "lv" and parts[1] in (APPROVE, REJECT):
        request_id = parse_id(parts[2])
        return (parts[1], request_id) if request_id is not None else None
    return None


def approver_ref(request_id: int, approver_id: int) -> str:
    """The outbox ``ref`` of the approval message, so a decision can edit it later."""
    return f"leave:{request_id}:approver:{approver_id}"


def translator_for(locale: str | None) -> Translator:
    return translator(locale or get_settings().default_locale)


@dataclass(frozen=True)
class LeaveView:
    """A request as a message describes it."""

    id: int
    employee_name: str
    type_name: str
    start_date: date
    end_date: date
    start_half: HalfDay | None
    end_half: HalfDay | None
    working_days: Decimal
    reason: str | None
    status: LeaveStatus
    type_names: Mapping[str, str] | None = None  # the type's name per locale (shared.domain.names)
    rejection_reason: str | None = None

    def type_in(self, locale: str) -> str:
        return localized_name(self.type_name, self.type_names, locale)


def _half(t: Translator, half: HalfDay | None) -> str:
    if half is HalfDay.MORNING:
        return " " + t("(morning)")
    if half is HalfDay.AFTERNOON:
        return " " + t("(afternoon)")
    return ""


def format_dates(t: Translator, view: LeaveView) -> str:
    start = t.format_date(view.start_date, "medium") + _half(t, view.start_half)
    if view.start_date == view.end_date:
        return start
    return f"{start} – {t.format_date(view.end_date, 'medium')}{_half(t, view.end_half)}"


def status_label(t: Translator, status: LeaveStatus) -> str:
    labels = {
        LeaveStatus.PENDING: N_("pending"),
        LeaveStatus.APPROVED: N_("approved"),
        LeaveStatus.REJECTED: N_("rejected"),
        LeaveStatus.CANCELLED: N_("cancelled"),
    }
    return t.gettext(labels[status])


def describe(t: Translator, view: LeaveView) -> str:
    """Two lines: type and dates, then the working days."""
    return (
        f"<b>{escape(view.type_in(t.locale))}</b>: {format_dates(t, view)}\n"
        f"{escape(count(t, WORKING_DAYS, view.working_days))}"
    )


def approval_request(
    locale: str | None, view: LeaveView, overlaps: Sequence[tuple[str, date, date]], balance_after: Decimal | None
) -> tuple[str, Keyboard]:
    t = translator_for(locale)
    lines = [t("New leave request from {name}", name=f"<b>{escape(view.employee_name)}</b>"), describe(t, view)]
    if view.reason:
        lines.append(t("Reason: {reason}", reason=escape(view.reason)))
    if balance_after is not None:
        lines.append(t("Balance after approval: {days}", days=escape(count(t, WORKING_DAYS, balance_after))))
    if overlaps:
        lines.append(t("Also away from the team then:"))
        lines.extend(
            f"• {escape(name)} ({t.format_date(start, 'short')} – {t.format_date(end, 'short')})"
            for name, start, end in overlaps
        )
    else:
        lines.append(t("Nobody else from the team is away then."))
    keyboard = [[Button("✅ " + t("Approve"), decision_callback(APPROVE, view.id)),
                 Button("❌ " + t("Reject"), decision_callback(REJECT, view.id))]]  # fmt: skip
    return "\n".join(lines), keyboard


def decided_for_approver(locale: str | None, view: LeaveView, decider: str, at: datetime, tz: str) -> str:
    """The approval message after the decision: no buttons, who decided and when."""
    t = translator_for(locale)
    head = t("Leave request from {name}", name=f"<b>{escape(view.employee_name)}</b>")
    verdict = t(
        "{status} by {who} on {when}",
        status=status_label(t, view.status).capitalize(),
        who=escape(decider),
        when=t.format_datetime(at, "short", tz=tz),
    )
    return f"{head}\n{describe(t, view)}\n\n<b>{verdict}</b>"


def decided_for_employee(locale: str | None, view: LeaveView, decider: str, comment: str | None) -> str:
    t = translator_for(locale)
    if view.status is LeaveStatus.APPROVED:
        text = t("✅ Your leave was approved by {who}.", who=escape(decider))
    else:
        text = t("❌ Your leave was rejected by {who}.", who=escape(decider))
    text += "\n" + describe(t, view)
    if comment:
        text += "\n" + t("Comment: {comment}", comment=escape(comment))
    return text


def auto_approved_for_employee(locale: str | None, view: LeaveView) -> str:
    t = translator_for(locale)
    return t("✅ Your leave is booked; this type needs no approval.") + "\n" + describe(t, view)


def requested_on_behalf(locale: str | None, view: LeaveView, actor: str, decider: str | None = None) -> str:
    """Told to the employee, with who will decide (HR when nobody in their chain can be reached)."""
    t = translator_for(locale)
    first = t("{who} requested leave for you; it waits for approval.", who=escape(actor))
    then = t("{name} will decide.", name=escape(decider)) if decider else t("HR will decide.")
    return first + " " + then + "\n" + describe(t, view)


def decided_for_hr(locale: str | None, view: LeaveView, decider: str) -> str:
    t = translator_for(locale)
    text = t(
        "{name}'s leave was {status} by {who}.",
        name=escape(view.employee_name),
        status=status_label(t, view.status),
        who=escape(decider),
    )
    return text + "\n" + describe(t, view)


def cancelled_notice(locale: str | None, view: LeaveView, by: str) -> str:
    t = translator_for(locale)
    return t("🚫 Leave of {name} was cancelled by {who}.", name=escape(view.employee_name), who=escape(by)) + (
        "\n" + describe(t, view)
    )


def rerouted_notice(locale: str | None, view: LeaveView, new_approver: str) -> str:
    t = translator_for(locale)
    head = t("Leave request from {name}", name=f"<b>{escape(view.employee_name)}</b>")
    note = t("Passed on to {who} while you are away.", who=escape(new_approver))
    return f"{head}\n{describe(t, view)}\n\n<i>{note}</i>"


def reminder_for_approver(locale: str | None, views: Sequence[LeaveView]) -> str:
    t = translator_for(locale)
    head = t.plural(
        "{n} leave request waits for your decision:", "{n} leave requests wait for your decision:", len(views)
    )
    rows = [
        f"• {escape(v.employee_name)} — {escape(v.type_in(t.locale))}{t.separator()}{format_dates(t, v)}" for v in views
    ]
    return "\n".join([head, *rows, t("Use /pending to decide.")])


def escalation_for_hr(locale: str | None, view: LeaveView, approver: str, days: int) -> tuple[str, Keyboard]:
    t = translator_for(locale)
    head = t.plural("⏰ Waiting for {n} day on {who}:", "⏰ Waiting for {n} days on {who}:", days, who=escape(approver))
    who = t("Leave request from {name}", name=f"<b>{escape(view.employee_name)}</b>")
    text = f"{head}\n{who}\n{describe(t, view)}"
    keyboard = [[Button("✅ " + t("Approve"), decision_callback(APPROVE, view.id)),
                 Button("❌ " + t("Reject"), decision_callback(REJECT, view.id))]]  # fmt: skip
    return text, keyboard
