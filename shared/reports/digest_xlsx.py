"""The HR digest as an XLSX attachment: the same rows as the message, none cut."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.domain.digest import Digest
from shared.domain.enums import HalfDay
from shared.i18n import Translator
from shared.reports.compliance_render import excess_text, rule_label
from shared.reports.digest_render import kind_label
from shared.reports.export import Table, write_tables


def _local(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if value else ""


def digest_xlsx(t: Translator, digest: Digest, *, tz: str) -> bytes:
    exceptions = Table(
        t("Exceptions"),
        [t("Department"), t("Code"), t("Employee"), t("Exception"), t("Minutes")],
        (
            [g.department_name or "", r.code, r.full_name, kind_label(t, r.kind), r.minutes or ""]
            for g in digest.groups
            for r in g.rows
        ),
        widths=[22, 12, 28, 30, 10],
    )
    unknown = Table(
        t("Unknown badges"),
        [t("Device"), t("Device user"), t("Punches"), t("First"), t("Last")],
        (
            [
                u.device_name or "",
                u.device_user_id or "",
                u.punch_count,
                _local(u.first_instant, tz),
                _local(u.last_instant, tz),
            ]
            for u in digest.unknown_users
        ),
        widths=[22, 14, 10, 18, 18],
    )
    halves = {HalfDay.MORNING: t("morning"), HalfDay.AFTERNOON: t("afternoon")}
    out = Table(
        t("Out today"),
        [t("Department"), t("Code"), t("Employee"), t("Leave type"), t("Half day"), t("Back on")],
        (
            [
                o.department_name or "",
                o.code,
                o.full_name,
                o.leave_type,
                halves.get(o.half, "") if o.half else "",
                o.return_date,
            ]
            for o in digest.who_is_out
        ),
        widths=[22, 12, 28, 20, 12, 12],
    )
    devices = Table(
        t("Devices"),
        [t("Offline device"), t("Last sync"), t("Last error")],
        ([d.name, _local(d.last_success_at, tz), d.last_error or ""] for d in digest.offline_devices),
        widths=[24, 18, 50],
    )
    working_time = Table(
        t("Working time"),
        [t("Department"), t("Code"), t("Employee"), t("Rule"), t("From"), t("To"), t("By how much"), t("Violation")],
        (
            [
                v.department_name or "",
                v.code,
                v.full_name,
                rule_label(t, v.rule),
                v.period_start,
                v.period_end,
                excess_text(t, v.rule, v.excess),
                v.violation_id,
            ]
            for v in digest.violations
        ),
        widths=[22, 12, 28, 30, 12, 12, 24, 10],
    )
    return write_tables("xlsx", [exceptions, unknown, out, devices, working_time], rtl=t.rtl)


def digest_filename(digest: Digest) -> str:
    return f"chronos-digest-{digest.date.isoformat()}.xlsx"
