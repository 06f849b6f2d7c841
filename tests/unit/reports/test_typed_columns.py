"""Typed columns: real date and time cells with number formats, a filterable frozen header, whole headers."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

from openpyxl import load_workbook

from shared.domain.attendance import DayResult
from shared.domain.digest import Digest, EmployeeInfo, UnknownUserRow, build_digest
from shared.domain.enums import AttendanceStatus
from shared.i18n import translator
from shared.reports.digest_xlsx import digest_xlsx
from shared.reports.export import Column, Table, write_tables


def _book(tables: list[Table]):
    return load_workbook(io.BytesIO(write_tables("xlsx", tables)))


def test_typed_cells_carry_number_formats_and_stay_dates_and_numbers():
    table = Table(
        "t",
        [Column("Day", "date"), Column("At", "datetime"), Column("Clock", "time"), Column("Hours", "decimal")],
        [[date(2026, 12, 2), datetime(2026, 12, 2, 8, 5, tzinfo=UTC), time(8, 5), 7.5]],
    )
    sheet = _book([table]).worksheets[0]
    day, at, clock, hours = sheet[2]
    assert (day.number_format, at.number_format, clock.number_format, hours.number_format) == (
        "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "hh:mm", "0.0",
    )  # fmt: skip
    assert day.is_date and at.is_date and at.value == datetime(2026, 12, 2, 8, 5) and hours.value == 7.5


def test_the_header_is_frozen_filterable_and_never_narrower_than_its_text():
    long = "A very long translated header that would be cut"
    sheet = _book([Table("t", [Column(long, width=8), "B"], [["x", 1], ["y", 2]])]).worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:B3"
    assert sheet.column_dimensions["A"].width >= len(long)


def test_a_caption_row_goes_above_the_header_and_moves_the_frozen_pane():
    sheet = _book([Table("t", ["Name"], [["x"]], caption="Digest for Dec 2, 2026")]).worksheets[0]
    assert sheet["A1"].value == "Digest for Dec 2, 2026" and sheet["A2"].value == "Name" and sheet["A3"].value == "x"
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:A3"


def test_a_caption_that_looks_like_a_formula_is_still_text():
    sheet = _book([Table("t", ["Name"], [], caption='=HYPERLINK("http://x","y")')]).worksheets[0]
    assert sheet["A1"].data_type == "s"


def test_the_digest_sheets_name_their_day_and_keep_times_as_local_times():
    base = build_digest(
        date=date(2026, 12, 2),
        results=[DayResult(1, date(2026, 12, 2), AttendanceStatus.ABSENT, is_final=True)],
        employees={1: EmployeeInfo(1, "E1", "Eve", "Ops")},
        today=date(2026, 12, 3),
    )
    at = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)
    digest = Digest(date=base.date, today=base.today, groups=base.groups,
                    unknown_users=(UnknownUserRow(1, "Gate", "77", 2, at, at),))  # fmt: skip
    book = load_workbook(io.BytesIO(digest_xlsx(translator("en"), digest, tz="Europe/Moscow")))
    exceptions, unknown = book["Exceptions"], book["Unknown badges"]
    assert exceptions["A1"].value == "Attendance exceptions for Wednesday, December 2, 2026"
    assert exceptions["A3"].value == datetime(2026, 12, 2) and exceptions["A3"].number_format == "yyyy-mm-dd"
    assert unknown["D3"].value == datetime(2026, 12, 2, 8, 30)  # Moscow wall time, a real date-time cell
    assert book["Exceptions"].auto_filter.ref == "A2:F3"
