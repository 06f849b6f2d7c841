"""The HR digest as an XLSX attachment: the same rows as the message, none cut.

Every sheet says which day it is about (a caption row, and the exceptions carry a date column); dates and
times are real cells in the company's zone, so HR can sort and filter them. Hourly leave in "Out today" has
its range in the From / To time columns (empty for whole and half days).
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from shared.domain.digest import Digest, OffSiteCheckin
from shared.domain.enums import HalfDay
from shared.i18n import Translator
from shared.reports.compliance_render import excess_text, rule_label
from shared.reports.digest_render import kind_label
from shared.reports.export import Column, Table, write_tables


def _person_columns(t: Translator) -> list[Column]:
    """Who a row is about: the first three columns of every per-person sheet."""
    return [Column(t("Department"), width=22), Column(t("Code"), width=12), Column(t("Employee"), width=28)]


def _local(value: datetime | None, tz: str) -> datetime | None:
    """The wall time in ``tz`` (a spreadsheet has no zones)."""
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if value else None


def _wall_time(value: datetime | None, tz: str) -> time | None:
    """The time of day in ``tz`` (hourly leave's range is on the sheet's day)."""
    local = _local(value, tz)
    return local.time() if local else None


def _off_site_row(t: Translator, c: OffSiteCheckin, tz: str, department: str) -> list[object]:
    what = t("check-in") if c.direction == "in" else t("check-out")
    distance = None if c.remote else c.distance_m
    return [department, c.code, c.full_name, what, _local(c.instant, tz), distance,
            t("yes") if c.remote else ""]  # fmt: skip


def digest_tables(t: Translator, digest: Digest, *, tz: str) -> list[Table]:
    def dept(name: str | None) -> str:
        return digest.name_in("department", name, t.locale) if name else ""

    day = t.format_date(digest.date, "full", isolate=False)
    caption = t("Attendance exceptions for {day}", day=day)
    exceptions = Table(
        t("Exceptions"),
        [
            Column(t("Date"), "date"),
            *_person_columns(t),
            Column(t("Exception"), width=30),
            Column(t("Minutes"), "integer"),
        ],
        (
            [digest.date, dept(g.department_name), r.code, r.full_name, kind_label(t, r.kind), r.minutes]
            for g in digest.groups
            for r in g.rows
        ),
        caption=caption,
    )
    unknown = Table(
        t("Unknown badges"),
        [
            Column(t("Device"), width=22),
            Column(t("Device user"), width=14),
            Column(t("Punches"), "integer"),
            Column(t("First"), "datetime"),
            Column(t("Last"), "datetime"),
        ],
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
        caption=caption,
    )
    halves = {HalfDay.MORNING: t("morning"), HalfDay.AFTERNOON: t("afternoon")}
    out = Table(
        t("Out today"),
        [
            *_person_columns(t),
            Column(t("Leave type"), width=20),
            Column(t("Half day"), width=12),
            Column(t("From"), "time"),  # hourly leave: away only from … to … (empty for days)
            Column(t("To"), "time"),
            Column(t("Back on"), "date"),
        ],
        (
            [
                dept(o.department_name),
                o.code,
                o.full_name,
                digest.name_in("leave_type", o.leave_type, t.locale),
                halves.get(o.half, "") if o.half else "",
                _wall_time(o.starts_at, tz),
                _wall_time(o.ends_at, tz),
                o.return_date,
            ]
            for o in digest.who_is_out
        ),
        caption=t("Out today ({day})", day=t.format_date(digest.today, "full", isolate=False)),
    )
    devices = Table(
        t("Devices"),
        [Column(t("Offline device"), width=24), Column(t("Last sync"), "datetime"), Column(t("Last error"), width=50)],
        ([d.name, _local(d.last_success_at, tz), d.last_error or ""] for d in digest.offline_devices),
        caption=caption,
    )
    off_site = Table(
        t("Away from the office"),
        [
            *_person_columns(t),
            Column(t("Punch"), width=12),
            Column(t("Time"), "datetime"),
            Column(t("Distance (m)"), "integer"),
            Column(t("Remote"), width=10),
        ],
        (_off_site_row(t, c, tz, dept(c.department_name)) for c in digest.off_site),
        caption=caption,
    )
    working_time = Table(
        t("Working time"),
        [
            *_person_columns(t),
            Column(t("Rule"), width=30),
            Column(t("From"), "date"),
            Column(t("To"), "date"),
            Column(t("By how much"), width=24),
            Column(t("Violation"), "integer"),
        ],
        (
            [
                dept(v.department_name),
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
        caption=caption,
    )
    return [exceptions, unknown, out, devices, working_time, off_site]


def digest_xlsx(t: Translator, digest: Digest, *, tz: str) -> bytes:
    return write_tables("xlsx", digest_tables(t, digest, tz=tz), rtl=t.rtl)


def digest_filename(digest: Digest) -> str:
    return f"chronos-digest-{digest.date.isoformat()}.xlsx"
