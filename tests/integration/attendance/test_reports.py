"""Digest message and spreadsheets, timesheet XLSX/CSV: opened and read back, cell by cell."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from shared.domain.attendance import DayResult
from shared.domain.digest import Digest, build_digest
from shared.domain.enums import AttendanceStatus, Direction, PunchSource
from shared.domain.timesheet import parse_month
from shared.i18n import translator
from shared.model import Punch
from shared.persistence import Database
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_xlsx
from shared.reports.timesheet import timesheet_csv, timesheet_xlsx
from shared.services.attendance.processing import process_days
from shared.services.attendance.timesheet import load_timesheet
from tests.factories import make_company

BERLIN = ZoneInfo("Europe/Berlin")


def _digest(n: int = 3) -> Digest:
    from shared.domain.digest import EmployeeInfo

    results = [DayResult(i, date(2026, 11, 19), AttendanceStatus.ABSENT, is_final=True) for i in range(1, n + 1)]
    results.append(
        DayResult(
            n + 1,
            date(2026, 11, 19),
            AttendanceStatus.PRESENT,
            late_minutes=17,
            punch_count=2,
            first_in=datetime(2026, 11, 19, 8, 17, tzinfo=UTC),
            last_out=datetime(2026, 11, 19, 17, tzinfo=UTC),
            is_final=True,
        )
    )
    people = {i: EmployeeInfo(i, f"E{i}", f"Person {i}", "Ops") for i in range(1, n + 2)}
    return build_digest(date=date(2026, 11, 19), results=results, employees=people, today=date(2026, 11, 20))


def test_the_digest_message_names_people_and_minutes_in_russian():
    text = render_digest(translator("ru"), _digest(), tz="Europe/Berlin")
    assert "Person 4" in text and "17" in text and "<b>Ops</b>" in text


def test_a_quiet_day_is_one_line():
    quiet = build_digest(date=date(2026, 11, 19), results=[], employees={})
    text = render_digest(translator("en"), quiet, tz="UTC")
    assert "\n" not in text and "Quiet day" in text


def test_a_huge_digest_is_cut_to_telegrams_limit_with_a_pointer_to_the_spreadsheet():
    text = render_digest(translator("en"), _digest(400), tz="UTC")
    assert len(text) <= 4096 and "see the attached spreadsheet" in text


def test_the_digest_spreadsheet_has_every_row_the_message_had():
    digest = _digest(400)
    book = load_workbook(io.BytesIO(digest_xlsx(translator("en"), digest, tz="UTC")))
    sheet = book["Exceptions"]
    assert sheet["A1"].value.startswith("Attendance exceptions for ")  # the caption names the day
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 401
    day = datetime.combine(digest.date, datetime.min.time())
    assert (day, "Ops", "E401", "Person 401", "late", 17) in rows
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:F403"
    assert sheet["A3"].number_format == "yyyy-mm-dd" and sheet["F3"].data_type == "n"


def test_the_arabic_spreadsheet_reads_right_to_left():
    book = load_workbook(io.BytesIO(digest_xlsx(translator("ar"), _digest(), tz="UTC")))
    assert book.worksheets[0].sheet_view.rightToLeft


def test_parse_month_refuses_nonsense():
    import pytest

    from shared.errors import Invalid

    assert parse_month("2026-02") == (2026, 2)
    for bad in ("2026-13", "26-1", "november", "2026/11"):
        with pytest.raises(Invalid):
            parse_month(bad)


async def test_the_timesheet_has_a_code_per_day_totals_and_a_legend(db: Database):
    company = await make_company(db)
    day = date(2026, 11, 2)  # Monday
    async with db.transaction() as s:
        s.add_all([
            Punch(employee_id=company.alice_id, source=PunchSource.DEVICE, instant=datetime(2026, 11, 2, 9, 30, tzinfo=BERLIN), direction=Direction.IN),
            Punch(employee_id=company.alice_id, source=PunchSource.DEVICE, instant=datetime(2026, 11, 2, 18, 0, tzinfo=BERLIN), direction=Direction.OUT),
        ])  # fmt: skip
    async with db.transaction() as s:
        await process_days(
            s,
            date_from=day,
            date_to=day + timedelta(days=6),
            now=datetime(2026, 11, 20, tzinfo=UTC),
            company_timezone="Europe/Berlin",
        )
    async with db.session() as s:
        sheet = await load_timesheet(s, year=2026, month=11, today=date(2026, 12, 1))
    book = load_workbook(io.BytesIO(timesheet_xlsx(translator("en"), sheet)))
    main = book.worksheets[0]
    assert main["A1"].value.startswith("Timesheet November 2026")
    headers = [c.value for c in next(main.iter_rows(min_row=2, max_row=2))]
    assert headers[:4] == ["Code", "Employee", "Department", "01 Su"] and headers[-1] == "Hours worked"
    alice = next(r for r in main.iter_rows(min_row=3, values_only=True) if r[1] == "Alice")
    assert alice[3 + 1] == "P*"  # 2 November: present, late
    assert alice[3 + 2] == "A" and alice[3 + 6] == "W"
    assert alice[-5:] == (1, 4, 0, 1, 8.5)
    assert main.freeze_panes == "D3"
    legend = {r[0]: r[1] for r in book["Legend"].iter_rows(min_row=2, values_only=True)}
    assert legend["MC"] == "missing check-out"
    csv_text = timesheet_csv(translator("en"), sheet).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Code,Employee,Department,01 Su")


def test_a_translated_sheet_title_with_characters_excel_forbids_still_makes_a_workbook():
    from shared.reports.export import Table, sheet_title, write_tables

    assert sheet_title("Timesheet 2026/11: [draft]*?") == "Timesheet 2026 11 draft"
    assert sheet_title("[]") == "Sheet" and len(sheet_title("x" * 40)) == 31
    data = write_tables("xlsx", [Table("Ausnahmen: 20/11", ["a"], [[1]])])
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Ausnahmen 20 11"]


async def test_the_timesheet_names_the_department_in_the_readers_language(db: Database):
    from shared.model import Department

    company = await make_company(db)
    async with db.transaction() as s:
        (await s.get(Department, company.department_id)).name_translations = {"ru": "Склад", "ar": "المستودع"}
    async with db.session() as s:
        sheet = await load_timesheet(s, year=2026, month=11, today=date(2026, 12, 1))

    def departments(locale: str) -> set[object]:
        book = load_workbook(io.BytesIO(timesheet_xlsx(translator(locale), sheet)))
        return {r[2] for r in book.worksheets[0].iter_rows(min_row=3, values_only=True) if r[1] == "Alice"}

    assert departments("ru") == {"Склад"}
    assert departments("ar") == {"المستودع"}
    assert departments("en") == {"Ops"}
