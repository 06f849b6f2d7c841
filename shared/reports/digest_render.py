"""The HR digest as a Telegram message (HTML), in the reader's language, within Telegram's 4096 characters."""

from __future__ import annotations

from datetime import date
from html import escape

from shared.domain.digest import CorrectionRow, Digest, DigestKind, DigestRow, OffSiteCheckin, UndeliveredRow
from shared.domain.enums import CorrectionStatus, Direction, HalfDay
from shared.errors import N_
from shared.i18n import Translator
from shared.reports.compliance_render import excess_text, rule_label
from shared.texts import MINUTES, absence_when, count, distance_text

TELEGRAM_LIMIT = 4096
KIND_LABELS = {
    DigestKind.ABSENT: N_("absent without leave"),
    DigestKind.ABSENT_HALF: N_("absent on the half day not on leave"),
    DigestKind.LATE: N_("late"),
    DigestKind.EARLY_EXIT: N_("left early"),
    DigestKind.MISSING_CHECKOUT: N_("missing check-out"),
    DigestKind.MISSING_CHECKIN: N_("missing check-in"),
    DigestKind.HALF_DAY: N_("half day"),
    DigestKind.UNSCHEDULED: N_("punched outside the shift"),
    DigestKind.UNKNOWN_USER: N_("unknown badge"),
}


def kind_label(t: Translator, kind: DigestKind) -> str:
    return t.gettext(KIND_LABELS[kind])


def row_text(t: Translator, row: DigestRow) -> str:
    label = kind_label(t, row.kind)
    if row.minutes:
        label += f" ({count(t, MINUTES, row.minutes)})"
    return f"• {escape(row.full_name)} — {escape(label)}"


def off_site_text(t: Translator, checkin: OffSiteCheckin, *, tz: str) -> str:
    """One check-in away from the office: who, in or out, when, and how far (or that it was remote)."""
    what = t("check-in") if checkin.direction == "in" else t("check-out")
    where = (
        t("remotely, without a location")
        if checkin.remote
        else t("{distance} from the office", distance=distance_text(t, checkin.distance_m or 0))
    )
    return t(
        "{name} — {what} at {time}, {where}",
        name=escape(checkin.full_name),
        what=what,
        time=t.format_time(checkin.instant, tz=tz),
        where=where,
    )


def _summary(t: Translator, digest: Digest) -> str:
    parts = [f"{kind_label(t, kind)}: {n}" for kind, n in digest.counts.items() if n]
    return escape(t.separator().join(parts))


CHANNEL_NAMES = {"telegram": N_("Telegram"), "email": N_("e-mail")}


def undelivered_line(t: Translator, row: UndeliveredRow) -> str:
    """``• Ann (e-mail, ann@example.com): 2 — 550 mailbox unknown``."""
    channel = t.gettext(CHANNEL_NAMES.get(row.channel, row.channel))
    who = escape(row.full_name or row.address or "?")
    where = channel
    if row.address and row.full_name and row.channel == "email":
        where = f"{channel}{t.separator()}{escape(row.address)}"
    error = f" — {escape(row.last_error[:120])}" if row.last_error else ""
    return f"• {who} ({where}): {row.count}{error}"


def render_digest(t: Translator, digest: Digest, *, tz: str, limit: int = TELEGRAM_LIMIT) -> str:
    """The digest text; when it would not fit, the rest is cut with a pointer to the XLSX attachment."""
    day = t.format_date(digest.date, "full")
    if digest.is_quiet:
        return t("✅ Quiet day: no attendance exceptions on {day}.", day=escape(day))
    lines = [t("📋 <b>Attendance digest for {day}</b>", day=escape(day))]
    if digest.so_far:
        lines.append(
            t.plural(
                "⏳ So far: the day is not over for {n} person; absences are reported once it is.",
                "⏳ So far: the day is not over for {n} people; absences are reported once it is.",
                digest.not_over,
            )
        )
    if digest.exception_count:
        lines.append(_summary(t, digest))
    no_department = t("No department")
    for group in digest.groups:
        lines.append("")
        department = digest.name_in("department", group.department_name, t.locale) if group.department_name else None
        lines.append(f"<b>{escape(department or no_department)}</b>")
        lines.extend(row_text(t, row) for row in group.rows)
    if digest.unknown_users:
        lines += ["", "<b>" + t("Punches from unknown badges") + "</b>"]
        for u in digest.unknown_users:
            lines.append(
                "• "
                + t(
                    "{device}: user {user}, {n} punches, {first}–{last}",
                    device=escape(u.device_name or "?"),
                    user=escape(u.device_user_id or "?"),
                    n=u.punch_count,
                    first=t.format_time(u.first_instant, tz=tz),
                    last=t.format_time(u.last_instant, tz=tz),
                )
            )
    if digest.off_site:
        lines += ["", "<b>" + t("Check-ins away from the office") + "</b>"]
        lines.extend("• " + off_site_text(t, c, tz=tz) for c in digest.off_site)
    if digest.offline_devices:
        lines += ["", "<b>" + t("Offline devices") + "</b>"]
        for d in digest.offline_devices:
            seen = t.format_datetime(d.last_success_at, "short", tz=tz) if d.last_success_at else t("never")
            lines.append("• " + t("{device}, last sync {when}", device=escape(d.name), when=seen))
    if digest.dead_outbox:
        lines += [
            "",
            t.plural(
                "⚠️ {n} message could not be delivered.", "⚠️ {n} messages could not be delivered.", digest.dead_outbox
            ),
        ]
        lines.extend(undelivered_line(t, row) for row in digest.undelivered)
    if digest.violations:
        lines += ["", "<b>" + t("Working-time violations") + "</b>"]
        for v in digest.violations:
            lines.append(
                "• "
                + t(
                    "{name} — {rule} ({amount}), {period}",
                    name=escape(v.full_name),
                    rule=escape(rule_label(t, v.rule)),
                    amount=escape(excess_text(t, v.rule, v.excess)),
                    period=escape(_period(t, v.period_start, v.period_end)),
                )
            )
    if digest.corrections:
        lines += ["", "<b>" + t("Punch corrections") + "</b>"]
        lines.extend(_correction_line(t, c, tz) for c in digest.corrections)
    lines += ["", "<b>" + t("Out today ({day})", day=escape(t.format_date(digest.today, "medium"))) + "</b>"]
    if not digest.who_is_out:
        lines.append(t("Nobody is on leave today."))
    for out in digest.who_is_out:
        leave_type = escape(digest.name_in("leave_type", out.leave_type, t.locale))
        if out.hours is not None:  # away for those hours, not for the day
            when = absence_when(t, start=digest.today, end=digest.today, hours=out.hours, tz=tz)
            lines.append(f"• {escape(out.full_name)} — {leave_type}{t.separator()}{when}")
            continue
        half = ""
        if out.half is HalfDay.MORNING:
            half = " " + t("(morning)")
        elif out.half is HalfDay.AFTERNOON:
            half = " " + t("(afternoon)")
        lines.append(
            "• "
            + t(
                "{name} — {type}{half}, back {back}",
                name=escape(out.full_name),
                type=leave_type,
                half=half,
                back=t.format_date(out.return_date, "medium"),
            )
        )
    return _fit(t, lines, limit)


def _period(t: Translator, first: date, last: date) -> str:
    if first == last:
        return t.format_date(first, "medium")
    return f"{t.format_date(first, 'medium')} – {t.format_date(last, 'medium')}"


def _correction_line(t: Translator, row: CorrectionRow, tz: str) -> str:
    when = t.format_time(row.instant, tz=tz)
    day = t.format_date(row.day, "short")
    punch = (
        t("check-out at {time}", time=when) if row.direction is Direction.OUT else t("check-in at {time}", time=when)
    )
    if row.status is CorrectionStatus.APPROVED:
        state = t("approved by {who}", who=escape(row.decided_by or "?"))
    elif row.status is CorrectionStatus.REJECTED:
        state = t("rejected by {who}", who=escape(row.decided_by or "?"))
    else:
        state = t("waiting for approval")
    return f"• {escape(row.full_name)} — {day}{t.separator()}{punch}: {state}"


def _fit(t: Translator, lines: list[str], limit: int) -> str:
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    budget = limit - 200
    for line in lines:
        if size + len(line) + 1 > budget:
            break
        kept.append(line)
        size += len(line) + 1
    rest = len(lines) - len(kept)
    kept.append("")
    kept.append(
        t.plural(
            "… and {n} more line: see the attached spreadsheet.",
            "… and {n} more lines: see the attached spreadsheet.",
            rest,
        )
    )
    return "\n".join(kept)
