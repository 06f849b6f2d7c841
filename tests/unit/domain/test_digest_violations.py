"""The digest's working-time section: open violations touching the day, sorted, rendered, in the XLSX."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from shared.domain.digest import EmployeeInfo, ViolationRow, build_digest
from shared.i18n import translator
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_xlsx

DAY = date(2026, 11, 17)
PEOPLE = {
    1: EmployeeInfo(1, "B1", "Bob", "Ops"),
    2: EmployeeInfo(2, "A1", "Alice", "Ops"),
    3: EmployeeInfo(3, "Z1", "Zed", None),
}


def rows() -> list[ViolationRow]:
    return [
        ViolationRow(10, 1, "daily_rest", DAY, DAY, 80),
        ViolationRow(11, 2, "consecutive_days", date(2026, 11, 10), DAY, 1),
        ViolationRow(12, 3, "break", DAY, DAY, 25),
        ViolationRow(13, 1, "break", date(2026, 11, 16), date(2026, 11, 16), 5),  # another day: not shown
    ]


def test_violations_touching_the_day_are_listed_by_department_and_name_and_make_the_day_not_quiet():
    digest = build_digest(date=DAY, results=[], employees=PEOPLE, violations=rows())
    assert [(v.full_name, v.rule) for v in digest.violations] == [
        ("Alice", "consecutive_days"),
        ("Bob", "daily_rest"),
        ("Zed", "break"),
    ]
    assert not digest.is_quiet
    assert build_digest(date=DAY, results=[], employees=PEOPLE).is_quiet


def test_the_message_has_its_own_section_with_the_rule_and_how_much_in_the_readers_language():
    digest = build_digest(date=DAY, results=[], employees=PEOPLE, violations=rows())
    text = render_digest(translator("en"), digest, tz="Europe/Berlin")
    assert "<b>Working-time violations</b>" in text
    assert "Bob — daily rest too short (1 h 20 min of rest missing)" in text
    assert "Alice — too many days in a row (1 day too many)" in text
    russian = render_digest(translator("ru"), digest, tz="Europe/Berlin")
    assert "Working-time violations" not in russian


def test_the_spreadsheet_has_a_working_time_sheet_with_every_row():
    digest = build_digest(date=DAY, results=[], employees=PEOPLE, violations=rows())
    book = load_workbook(io.BytesIO(digest_xlsx(translator("en"), digest, tz="UTC")))
    sheet = book["Working time"]
    values = [
        [c.value for c in row] for row in sheet.iter_rows(min_row=3)
    ]  # row 1: the caption naming the day, row 2: the header
    assert [v[2] for v in values] == ["Alice", "Bob", "Zed"] and values[1][7] == 10
