"""Every export is data, never code: text that looks like a formula round-trips as text (XLSX and CSV)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from shared.domain.attendance import DayResult
from shared.domain.digest import Digest, EmployeeInfo, OfflineDevice, OutRow, UnknownUserRow, build_digest
from shared.domain.enums import AttendanceStatus
from shared.domain.timesheet import Timesheet, TimesheetRow
from shared.i18n import translator
from shared.reports.digest_xlsx import digest_xlsx
from shared.reports.export import Table, csv_safe, write_tables
from shared.reports.timesheet import timesheet_csv, timesheet_xlsx

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def _xlsx_cells(data: bytes) -> list[tuple[object, str]]:
    """(value, data type) of every non-empty cell of every sheet."""
    book = load_workbook(io.BytesIO(data))
    return [(c.value, c.data_type) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", HOSTILE)
def test_a_formula_looking_text_is_a_string_cell_in_xlsx(name: str):
    data = write_tables("xlsx", [Table("People", ["Name", "Days"], [[name, 3]])])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    text, number = sheet["A2"], sheet["B2"]
    assert text.data_type == "s", f"{name!r} was written as {text.data_type}"
    assert text.value in (name, name.replace("\r", "\n")), "XML reads a carriage return back as a line feed"
    assert (number.value, number.data_type) == (3, "n")


@pytest.mark.parametrize("name", HOSTILE)
def test_a_formula_looking_text_is_neutralised_in_csv_and_read_back_as_text(name: str):
    rows = _csv_rows(write_tables("csv", [Table("People", ["Name", "Days"], [[name, -2]])]))
    assert rows[1][0] == "'" + name
    assert rows[1][1] == "-2", "numbers are data and stay as they are"


def test_headers_are_neutralised_too_and_only_the_first_table_is_the_csv():
    rows = _csv_rows(write_tables("csv", [Table("a", ["=x", "ok"], [["1", 2]]), Table("b", ["other"], [["z"]])]))
    assert rows == [["'=x", "ok"], ["1", "2"]]


def test_control_characters_xml_cannot_hold_are_dropped_not_fatal():
    cells = _xlsx_cells(write_tables("xlsx", [Table("t", ["h"], [["a\x01b\x1fc"]])]))
    assert ("abc", "s") in cells


def test_numbers_and_dates_stay_numbers_and_dates():
    day = date(2026, 11, 23)
    cells = _xlsx_cells(write_tables("xlsx", [Table("t", ["h"], [[1.5, -3, day, datetime(2026, 1, 1, tzinfo=None)]])]))
    kinds = {type(v).__name__: k for v, k in cells if not isinstance(v, str)}
    assert kinds["float"] == "n" and kinds["int"] == "n" and kinds["datetime"] == "d"


@given(st.text(max_size=40))
def test_any_text_comes_back_from_csv_as_the_same_text_or_with_one_leading_apostrophe(text: str):
    safe = csv_safe(text)
    assert isinstance(safe, str)
    if text.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert safe == "'" + text
    else:
        assert safe == text


def _sheet(name: str, department: str) -> Timesheet:
    row = TimesheetRow(
        employee_id=1,
        code=name,
        full_name=name,
        department=department,
        days=["P", "A"],
        present=1,
        absent=1,
        leave=0,
        late=0,
        worked_minutes=480,
    )
    return Timesheet(year=2026, month=11, dates=[date(2026, 11, 1), date(2026, 11, 2)], rows=[row])


@pytest.mark.parametrize("name", HOSTILE[:5])
def test_the_timesheet_xlsx_and_csv_keep_a_hostile_name_and_department_as_text(name: str):
    t = translator("en")
    sheet = _sheet(name, name)
    cells = _xlsx_cells(timesheet_xlsx(t, sheet))
    assert [k for v, k in cells if v == name] == ["s", "s", "s"]
    assert not [v for v, k in cells if k == "f"]
    rows = _csv_rows(timesheet_csv(t, sheet))
    assert rows[1][:3] == ["'" + name] * 3


@pytest.mark.parametrize("name", HOSTILE[:5])
def test_the_digest_xlsx_keeps_every_hostile_name_as_text(name: str):
    people = {1: EmployeeInfo(1, name, name, name)}
    base = build_digest(
        date=date(2026, 11, 19),
        results=[DayResult(1, date(2026, 11, 19), AttendanceStatus.ABSENT, is_final=True)],
        employees=people,
        today=date(2026, 11, 20),
    )
    at = datetime(2026, 11, 19, 8, tzinfo=UTC)
    digest = Digest(
        date=base.date,
        today=base.today,
        groups=base.groups,
        unknown_users=(UnknownUserRow(1, name, name, 2, at, at),),
        who_is_out=(OutRow(1, name, name, name, name, 7, date(2026, 11, 23)),),
        offline_devices=(OfflineDevice(1, name, None, name),),
    )
    cells = _xlsx_cells(digest_xlsx(translator("en"), digest, tz="UTC"))
    assert not [v for v, k in cells if k == "f"], "no formula anywhere"
    assert len([v for v, k in cells if v == name and k == "s"]) >= 10
