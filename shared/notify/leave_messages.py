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
from shared.texts import HOURS, WORKING_DAYS, count, half_text

APPROVE, REJECT = "a", "r"


def decision_callback(action: str, request_id: int, level: int | None = None) -> str:
    """``lv:<a|r>:<id>``, or ``lv:<a|r>:<id>:<level>`` for a level of an approval chain."""
    return f"lv:{action}:{request_id}" if level is None else f"lv:{action}:{request_id}:{level}"


def parse_decision_callback(data: str) -> tuple[str, int, int | None] | None:
    """``(action, request id, level)`` of ``lv:<a|r>:<id>[:<level>]``; ``None`` for anything else."""
    parts = data.split(":")
    if len(parts) in (3, 4) and parts[0] == "lv" and parts[1] in (APPROVE, REJECT):
        request_id = parse_id(parts[2])
        if request_id is None:
            return None
        if len(parts) == 3:
            return parts[1], request_id, None
        level = parts[3]
        if not (level.isascii() and level.isdigit() and len(level) <= 3):
            return None
        return parts[1], request_id, int(level)
    return None


def approver_ref(request_id: int, approver_id: int) -> str:
    """The outbox ``ref`` of the approval message, so a decision can edit it later."""
    return f"leave:{request_id}:approver:{approver_id}"


def document_ref(request_id: int, approver_id: int) -> str:
    """The outbox ``ref`` of a request's document sent to an approver (not ``leave:…``: it is never edited)."""
    return f"leave-document:{request_id}:{approver_id}"


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
    level: int | None = None  # the chain level it waits at (index), for the buttons
    level_number: tuple[int, int] | None = None  # (n, of total) to say "level 1 of 2"
    hours: tuple[datetime, datetime, str] | None = None  # an hourly request: UTC range and the zone to show it in
    type_names: Mapping[str, str] | None = None  # the type's name per locale (shared.domain.names)
    rejection_reason: str | None = None

    def type_in(self, locale: str) -> str:
        return localized_name(self.type_name, self.type_names, locale)


def format_dates(t: Translator, view: LeaveView) -> str:
    start = t.format_date(view.start_date, "medium") + half_text(t, view.start_half)
    if view.start_date == view.end_date:
        return start
    return f"{start} – {t.format_date(view.end_date, 'medium')}{half_text(t, view.end_half)}"


def status_label(t: Translator, status: LeaveStatus) -> str:
    labels = {
        LeaveStatus.PENDING: N_("pending"),
        LeaveStatus.APPROVED: N_("approved"),
        LeaveStatus.REJECTED: N_("rejected"),
        LeaveStatus.CANCELLED: N_("cancelled"),
        LeaveStatus.EXPIRED: N_("expired"),
    }
    return t.gettext(labels[status])


def describe(t: Translator, view: LeaveView) -> str:
    """Two lines: type and dates, then the working days (an hourly request: the day, the range and the hours)."""
    if view.hours is not None:
        start, end, tz = view.hours
        clock = f"{t.format_time(start, tz=tz, isolate=False)}–{t.format_time(end, tz=tz, isolate=False)}"
        when = f"{t.format_date(view.start_date, 'medium')}{t.separator()}{t.isolate(clock)}"
        return f"<b>{escape(view.type_in(t.locale))}</b>: {when}\n{escape(count(t, HOURS, view.working_days))}"
    return (
        f"<b>{escape(view.type_in(t.locale))}</b>: {format_dates(t, view)}\n"
        f"{escape(count(t, WORKING_DAYS, view.working_days))}"
    )


def level_line(t: Translator, view: LeaveView) -> str | None:
    """ "Approval level 1 of 2" for a request with a chain of more than one level."""
    if view.level_number is None or view.level_number[1] < 2:
        return None
    n, total = view.level_number
    return t("Approval level {n} of {total}", n=n, total=total)


def decision_buttons(t: Translator, view: LeaveView) -> Keyboard:
    return [[Button("✅ " + t("Approve"), decision_callback(APPROVE, view.id, view.level)),
             Button("❌ " + t("Reject"), decision_callback(REJECT, view.id, view.level))]]  # fmt: skip


def approval_request(
    locale: str | None, view: LeaveView, overlaps: Sequence[tuple[str, date, date]], balance_after: Decimal | None
) -> tuple[str, Keyboard]:
    t = translator_for(locale)
    lines = [t("New leave request from {name}", name=f"<b>{escape(view.employee_name)}</b>"), describe(t, view)]
    level = level_line(t, view)
    if level:
        lines.append(f"<i>{escape(level)}</i>")
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
    return "\n".join(lines), decision_buttons(t, view)


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
    return text, decision_buttons(t, view)


def level_passed_for_approver(locale: str | None, view: LeaveView, decider: str, next_approver: str) -> str:
    """The approval message once one level is approved: no buttons, who approved and who decides next."""
    t = translator_for(locale)
    head = t("Leave request from {name}", name=f"<b>{escape(view.employee_name)}</b>")
    note = t("Approved by {who}; passed on to {next} for the next level.", who=escape(decider),
             next=escape(next_approver))  # fmt: skip
    return f"{head}\n{describe(t, view)}\n\n<b>{note}</b>"


def level_passed_for_employee(locale: str | None, view: LeaveView, decider: str, next_approver: str) -> str:
    t = translator_for(locale)
    text = t("☑️ {who} approved your leave; it now waits for {next}.", who=escape(decider),
             next=escape(next_approver))  # fmt: skip
    return text + "\n" + describe(t, view)


def escalated_to(locale: str | None, view: LeaveView, days: int) -> str:
    """Told to the one who held a request that waited too long and moved on."""
    t = translator_for(locale)
    head = t("Leave request from {name}", name=f"<b>{escape(view.employee_name)}</b>")
    note = t.plural(
        "Nobody decided within {n} working day: passed on.", "Nobody decided within {n} working days: passed on.", days
    )
    return f"{head}\n{describe(t, view)}\n\n<i>{escape(note)}</i>"


def expired_notice(locale: str | None, view: LeaveView) -> str:
    t = translator_for(locale)
    return t("⌛ This leave request expired: nobody decided in time. Ask again if you still need it.") + (
        "\n" + describe(t, view)
    )
