"""What people are told about punch corrections, overtime and lateness notices (HTML for Telegram).

Callback data carries only ids: ``cr:a:<correction>`` / ``cr:r:<correction>`` (decide a correction),
``ot:a:<employee>:<YYYYMMDD>`` / ``ot:r:<employee>:<YYYYMMDD>`` (approve / reject a week's overtime from its
Monday), ``lw:<notice>`` (HR waives a lateness notice). The bot re-checks authority on every press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape

from shared.domain.enums import CorrectionStatus, Direction
from shared.domain.ids import parse_id
from shared.i18n import Translator
from shared.notify.leave_messages import translator_for
from shared.notify.outbox import Button, Keyboard
from shared.texts import DAYS, MINUTES, count

APPROVE, REJECT = "a", "r"


def correction_callback(action: str, correction_id: int) -> str:
    return f"cr:{action}:{correction_id}"


def parse_correction_callback(data: str) -> tuple[str, int] | None:
    parts = data.split(":")
    if len(parts) == 3 and parts[0] == "cr" and parts[1] in (APPROVE, REJECT):
        found = parse_id(parts[2])
        return (parts[1], found) if found is not None else None
    return None


def overtime_callback(action: str, employee_id: int, week: date) -> str:
    return f"ot:{action}:{employee_id}:{week:%Y%m%d}"


def waive_callback(notice_id: int) -> str:
    return f"lw:{notice_id}"


def correction_ref(correction_id: int, approver_id: int) -> str:
    """The outbox ``ref`` of a correction's approval message (the decision edits it)."""
    return f"correction:{correction_id}:approver:{approver_id}"


@dataclass(frozen=True)
class CorrectionView:
    id: int
    employee_name: str
    day: date
    direction: Direction
    instant: datetime
    reason: str
    status: CorrectionStatus
    tz: str


def _punch(t: Translator, view: CorrectionView) -> str:
    time = t.format_time(view.instant, tz=view.tz)
    day = t.format_date(view.day, "medium")
    if view.direction is Direction.OUT:
        return t("check-out at {time} on {day}", time=time, day=day)
    return t("check-in at {time} on {day}", time=time, day=day)


def correction_request(locale: str | None, view: CorrectionView) -> tuple[str, Keyboard]:
    """To the approver: who forgot which punch, why, with Approve / Reject."""
    t = translator_for(locale)
    text = "\n".join(
        [
            t("🕒 Missed-punch correction from {name}", name=f"<b>{escape(view.employee_name)}</b>"),
            t("Missing: {punch}", punch=_punch(t, view)),
            t("Reason: {reason}", reason=escape(view.reason)),
        ]
    )
    keyboard = [[Button("✅ " + t("Approve"), correction_callback(APPROVE, view.id)),
                 Button("❌ " + t("Reject"), correction_callback(REJECT, view.id))]]  # fmt: skip
    return text, keyboard


def correction_decided(locale: str | None, view: CorrectionView, decider: str, at: datetime) -> str:
    """The approval message once decided: no buttons, who decided and when."""
    t = translator_for(locale)
    head = t("🕒 Missed-punch correction from {name}", name=f"<b>{escape(view.employee_name)}</b>")
    when = t.format_datetime(at, "short", tz=view.tz)
    if view.status is CorrectionStatus.APPROVED:
        verdict = t("Approved by {who} on {when}", who=escape(decider), when=when)
    else:
        verdict = t("Rejected by {who} on {when}", who=escape(decider), when=when)
    return f"{head}\n{t('Missing: {punch}', punch=_punch(t, view))}\n\n<b>{verdict}</b>"


def correction_for_employee(locale: str | None, view: CorrectionView, decider: str, comment: str | None) -> str:
    t = translator_for(locale)
    if view.status is CorrectionStatus.APPROVED:
        text = t("✅ Your correction was approved by {who}; recorded: {punch}.", who=escape(decider),
                 punch=_punch(t, view))  # fmt: skip
    else:
        text = t("❌ Your correction was rejected by {who}; not recorded: {punch}.", who=escape(decider),
                 punch=_punch(t, view))  # fmt: skip
    if comment:
        text += "\n" + t("Comment: {comment}", comment=escape(comment))
    return text


@dataclass(frozen=True)
class OvertimeLine:
    employee_id: int
    employee_name: str
    days: tuple[tuple[date, int], ...]

    @property
    def minutes(self) -> int:
        return sum(m for _, m in self.days)


def _duration(t: Translator, minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return t("{h} h {m} min", h=hours, m=f"{rest:02d}") if hours else count(t, MINUTES, rest)


def overtime_summary(locale: str | None, week: date, lines: Sequence[OvertimeLine]) -> tuple[str, Keyboard]:
    """To a manager: last week's overtime per person, with Approve / Reject per person."""
    t = translator_for(locale)
    text = [t("⏱ <b>Overtime in the week of {day}</b>", day=t.format_date(week, "medium"))]
    keyboard: Keyboard = []
    for line in lines:
        days = t.separator().join(f"{t.format_date(d)} {_duration(t, m)}" for d, m in line.days)
        text.append(f"• <b>{escape(line.employee_name)}</b>: {escape(_duration(t, line.minutes))} ({escape(days)})")
        keyboard.append(
            [
                Button("✅ " + line.employee_name[:24], overtime_callback(APPROVE, line.employee_id, week)),
                Button("❌ " + t("Reject"), overtime_callback(REJECT, line.employee_id, week)),
            ]
        )
    text.append(t("Approved overtime is credited as time off in lieu."))
    return "\n".join(text), keyboard


def overtime_for_employee(
    locale: str | None, week: date, minutes: int, approved: bool, decider: str, credit: Decimal
) -> str:
    t = translator_for(locale)
    day = t.format_date(week, "medium")
    if not approved:
        return t("❌ {who} did not approve your overtime in the week of {day} ({time}).", who=escape(decider),
                 day=day, time=_duration(t, minutes))  # fmt: skip
    text = t("✅ {who} approved your overtime in the week of {day} ({time}).", who=escape(decider), day=day,
             time=_duration(t, minutes))  # fmt: skip
    if credit > 0:
        text += "\n" + t("Time off in lieu credited: {days}.", days=count(t, DAYS, credit))
    return text


def overtime_reversed(locale: str | None, day: date, credit: Decimal, who: str) -> str:
    t = translator_for(locale)
    return t("↩️ {who} took back the overtime of {day}; time off in lieu reversed: {days}.",
             who=escape(who), day=t.format_date(day, "medium"), days=count(t, DAYS, credit))  # fmt: skip


def _days_list(t: Translator, days: Sequence[date]) -> str:
    return t.separator().join(t.format_date(d) for d in days)


def lateness_for_employee(locale: str | None, days: Sequence[date], deducted: Decimal, type_name: str | None) -> str:
    t = translator_for(locale)
    listed = _days_list(t, days)
    text = t.plural("⚠️ You were late {n} time: {days}.", "⚠️ You were late {n} times: {days}.", len(days), days=listed)
    if deducted > 0 and type_name:
        text += "\n" + t("Deducted under the lateness policy: {days} of {type}.",
                         days=count(t, DAYS, deducted), type=escape(type_name))  # fmt: skip
    return text + "\n" + t("Please talk to your manager if something is wrong.")


def lateness_for_manager(
    locale: str | None, name: str, days: Sequence[date], deducted: Decimal, type_name: str | None
) -> str:
    t = translator_for(locale)
    listed, who = _days_list(t, days), escape(name)
    text = t.plural("⚠️ {name} was late {n} time: {days}.", "⚠️ {name} was late {n} times: {days}.", len(days),
                    name=who, days=listed)  # fmt: skip
    if deducted > 0 and type_name:
        text += "\n" + t("Deducted under the lateness policy: {days} of {type}.",
                         days=count(t, DAYS, deducted), type=escape(type_name))  # fmt: skip
    return text


def lateness_waived(locale: str | None, name: str, days: Sequence[date], who: str) -> str:
    t = translator_for(locale)
    return t("↩️ {who} waived the lateness notice of {name} ({days}); any deduction was reversed.",
             who=escape(who), name=escape(name), days=_days_list(t, days))  # fmt: skip


def lateness_card(
    locale: str | None, notice_id: int, name: str, days: Sequence[date], deducted: Decimal
) -> tuple[str, Keyboard]:
    """For HR's /lateness list: one notice with a Waive button."""
    t = translator_for(locale)
    text = f"#{notice_id} <b>{escape(name)}</b>: {_days_list(t, days)}"
    if deducted > 0:
        text += " · " + t("deducted {days}", days=count(t, DAYS, deducted))
    return text, [[Button("↩️ " + t("Waive"), waive_callback(notice_id))]]
