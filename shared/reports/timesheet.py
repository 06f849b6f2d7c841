"""The monthly timesheet as XLSX (legend sheet, frozen header, widths) or CSV."""

from __future__ import annotations

from shared.domain.enums import AttendanceStatus
from shared.domain.timesheet import CODES, LATE_SUFFIX, SO_FAR_SUFFIX, Timesheet
from shared.errors import N_
from shared.i18n import Translator
from shared.reports.export import ExportFormat, Table, write_tables

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


def _headers(t: Translator, sheet: Timesheet) -> list[str]:
    days = [f"{d.day:02d} {t.weekday_names()[d.weekday()]}" for d in sheet.dates]
    totals = [t("Present"), t("Absent"), t("Leave days"), t("Late"), t("Hours worked")]
    return [t("Code"), t("Employee"), t("Department"), *days, *totals]


def _values(sheet: Timesheet) -> list[list[object]]:
    return [
        [
            r.code,
            r.full_name,
            r.department,
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
    """The month's sheet and the legend of its codes."""
    widths = [10, 26, 18, *([6] * len(sheet.dates)), 9, 9, 10, 8, 10]
    month = Table(
        t("Timesheet {month}", month=f"{sheet.year}-{sheet.month:02d}"),
        _headers(t, sheet),
        _values(sheet),
        widths=widths,
        freeze="D2",
    )
    legend = [(code, t.gettext(LEGEND[status])) for status, code in CODES.items()]
    legend.append((LATE_SUFFIX, t("arrived late (added to the code, e.g. P*)")))
    legend.append((SO_FAR_SUFFIX, t("the day is not over yet: in so far (e.g. P~)")))
    legend.append(("", t("not over or not processed yet, or not employed on that day")))
    return [month, Table(t("Legend"), [t("Code"), t("Meaning")], legend, widths=[8, 50])]


def timesheet_export(t: Translator, sheet: Timesheet, file_format: ExportFormat) -> bytes:
    """The timesheet as XLSX (with the legend sheet) or CSV, through the one export writer."""
    return write_tables(file_format, timesheet_tables(t, sheet), rtl=t.rtl)


def timesheet_xlsx(t: Translator, sheet: Timesheet) -> bytes:
    return timesheet_export(t, sheet, "xlsx")


def timesheet_csv(t: Translator, sheet: Timesheet) -> bytes:
    return timesheet_export(t, sheet, "csv")


def timesheet_filename(sheet: Timesheet, extension: str) -> str:
    return f"chronos-timesheet-{sheet.year}-{sheet.month:02d}.{extension}"
