"""The monthly timesheet as XLSX (legend sheet, frozen header, widths) or CSV."""

from __future__ import annotations

from shared.domain.enums import AttendanceStatus
from shared.domain.timesheet import CODES, LATE_SUFFIX, SO_FAR_SUFFIX, Timesheet
from shared.errors import N_
from shared.i18n import Translator
from shared.reports.export import Column, ExportFormat, Table, write_tables

LEGEND = {
    AttendanceStatus.PRESENT: N_("present"),
    AttendanceStatus.ABSENT: N_("absent"),
    AttendanceStatus.HALF_DAY: N_("half day (worked less than the half-day hours)"),
    AttendanceStatus.INCOMPLETE: N_("missing check-out"),
    AttendanceStatus.ON_LEAVE: N_("on leave"),
    AttendanceStatus.HALF_LEAVE: N_("half day on leave"),
    AttendanceStatus.HOLIDAY: N_("public holiday"),
    AttendanceStatus.WEEKEND: N_("day off"),
}


def _columns(t: Translator, sheet: Timesheet) -> list[Column]:
    names = t.weekday_names()
    days = [Column(f"{d.day:02d} {names[d.weekday()]}", width=5) for d in sheet.dates]
    totals = [
        Column(t("Present"), "integer"),
        Column(t("Absent"), "integer"),
        Column(t("Leave days"), "decimal"),
        Column(t("Late"), "integer"),
        Column(t("Hours worked"), "decimal"),
    ]
    return [Column(t("Code"), width=10), Column(t("Employee"), width=26), Column(t("Department"), width=18), *days,
            *totals]  # fmt: skip


def _values(t: Translator, sheet: Timesheet) -> list[list[object]]:
    return [
        [
            r.code,
            r.full_name,
            r.department_for(t.locale),
            *r.days,
            r.present,
            r.absent,
            r.leave,
            r.late,
            round(r.worked_minutes / 60, 1),
        ]
        for r in sheet.rows
    ]


def timesheet_tables(t: Translator, sheet: Timesheet) -> list[Table]:
    """The month's sheet (captioned with the month and the days it covers) and the legend of its codes."""
    month_name = t.format_month(sheet.year, sheet.month, isolate=False)
    span = ""
    if sheet.dates:
        first, last = sheet.dates[0], sheet.dates[-1]
        span = f" ({t.format_date(first, isolate=False)} – {t.format_date(last, isolate=False)})"
    month = Table(
        t("Timesheet {month}", month=f"{sheet.year}-{sheet.month:02d}"),
        _columns(t, sheet),
        _values(t, sheet),
        freeze="D2",
        caption=t("Timesheet {month}", month=month_name) + span,
    )
    legend = [(code, t.gettext(LEGEND[status])) for status, code in CODES.items()]
    legend.append((LATE_SUFFIX, t("arrived late (added to the code, e.g. P*)")))
    legend.append((SO_FAR_SUFFIX, t("the day is not over yet: in so far (e.g. P~)")))
    legend.append(("", t("not over or not processed yet, or not employed on that day")))
    return [month, Table(t("Legend"), [Column(t("Code"), width=8), Column(t("Meaning"), width=50)], legend)]


def timesheet_export(t: Translator, sheet: Timesheet, file_format: ExportFormat) -> bytes:
    """The timesheet as XLSX (with the legend sheet) or CSV, through the one export writer."""
    return write_tables(file_format, timesheet_tables(t, sheet), rtl=t.rtl)


def timesheet_xlsx(t: Translator, sheet: Timesheet) -> bytes:
    return timesheet_export(t, sheet, "xlsx")


def timesheet_csv(t: Translator, sheet: Timesheet) -> bytes:
    return timesheet_export(t, sheet, "csv")


def timesheet_filename(sheet: Timesheet, extension: str) -> str:
    return f"chronos-timesheet-{sheet.year}-{sheet.month:02d}.{extension}"
