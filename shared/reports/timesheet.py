"""The monthly timesheet as XLSX (legend sheet, frozen header, widths) or CSV."""

from __future__ import annotations

import csv
import io

from shared.domain.enums import AttendanceStatus
from shared.domain.timesheet import CODES, LATE_SUFFIX, SO_FAR_SUFFIX, Timesheet
from shared.errors import N_
from shared.i18n import Translator
from shared.reports.xlsx import add_sheet, new_workbook, to_bytes

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


def timesheet_xlsx(t: Translator, sheet: Timesheet) -> bytes:
    workbook = new_workbook()
    headers = _headers(t, sheet)
    widths = [10, 26, 18, *([6] * len(sheet.dates)), 9, 9, 10, 8, 10]
    add_sheet(
        workbook,
        t("Timesheet {month}", month=f"{sheet.year}-{sheet.month:02d}"),
        headers,
        _values(sheet),
        widths=widths,
        freeze="D2",
        rtl=t.rtl,
    )
    legend = [(code, t.gettext(LEGEND[status])) for status, code in CODES.items()]
    legend.append((LATE_SUFFIX, t("arrived late (added to the code, e.g. P*)")))
    legend.append((SO_FAR_SUFFIX, t("the day is not over yet: in so far (e.g. P~)")))
    legend.append(("", t("not over or not processed yet, or not employed on that day")))
    add_sheet(workbook, t("Legend"), [t("Code"), t("Meaning")], legend, widths=[8, 50], rtl=t.rtl)
    return to_bytes(workbook)


def timesheet_csv(t: Translator, sheet: Timesheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers(t, sheet))
    writer.writerows(_values(sheet))
    return buffer.getvalue().encode("utf-8-sig")


def timesheet_filename(sheet: Timesheet, extension: str) -> str:
    return f"chronos-timesheet-{sheet.year}-{sheet.month:02d}.{extension}"
