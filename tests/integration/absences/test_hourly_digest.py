"""The HR digest's "who is out today" gives hourly leave as its time range (away for those hours, back the same
day), in the Telegram text and in the XLSX's "Out today" sheet (From / To as time cells in the company's zone);
a whole day of leave of the same person the same day wins over their hours."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from shared.domain.enums import LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.i18n import translator
from shared.model import LeaveRequest, LeaveType
from shared.persistence import Database
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_xlsx
from shared.services.notify.digest import load_digest
from tests.factories import Company, make_company

DAY = date(2026, 12, 3)  # a Thursday
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"
# 10:00–12:00 in Berlin (UTC+1 in December)
STARTS, ENDS = datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
RANGE = "10:00\u202fAM\u201312:00\u202fPM"  # babel's short English time: a narrow no-break space before AM/PM


async def _doctor(db: Database, company: Company, employee_id: int) -> int:
    """An approved doctor's appointment on DAY, 10:00–12:00 Berlin time (an hourly type)."""
    async with db.transaction() as s:
        kind = LeaveType(code="DOC", name="Doctor", unit=LeaveUnit.HOURS, yearly_allowance=Decimal(16))
        s.add(kind)
        await s.flush()
        request = LeaveRequest(
            employee_id=employee_id, leave_type_id=kind.id, start_date=DAY, end_date=DAY, working_days=Decimal(2),
            status=LeaveStatus.APPROVED, start_at=STARTS, end_at=ENDS, minutes=120, approver_id=company.manager_id,
            decided_by_id=company.manager_id, decided_at=NOW - timedelta(days=1),
        )  # fmt: skip
        s.add(request)
        await s.flush()
        return request.id


async def _digest(db: Database):
    async with db.session() as s:
        return await load_digest(s, day=DAY - timedelta(days=1), today=DAY, company_timezone=BERLIN, now=NOW)


async def test_the_digest_lists_hourly_leave_with_its_hours_and_back_the_same_day(db: Database):
    company = await make_company(db)
    request_id = await _doctor(db, company, company.bob_id)
    digest = await _digest(db)
    assert [(o.full_name, o.leave_request_id, o.hours, o.half, o.return_date) for o in digest.who_is_out] == [
        ("Bob", request_id, (STARTS, ENDS), None, DAY)
    ]
    text = render_digest(translator("en"), digest, tz=BERLIN)
    out_today = text.split("Out today")[1]
    line = next(line for line in out_today.splitlines() if line.startswith("• Bob"))
    assert "Doctor" in line and RANGE in line and "back" not in line, line


async def test_the_digest_sheet_gives_the_hours_of_hourly_leave_as_time_cells(db: Database):
    company = await make_company(db)
    await _doctor(db, company, company.bob_id)
    book = load_workbook(io.BytesIO(digest_xlsx(translator("en"), await _digest(db), tz=BERLIN)))
    sheet = book["Out today"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))  # the caption row, then the header
    header = list(rows[0])
    bob = dict(zip(header, rows[1], strict=True))
    assert bob["Employee"] == "Bob" and bob["Half day"] is None
    assert (bob["From"], bob["To"]) == (time(10, 0), time(12, 0))
    assert bob["Back on"].date() == DAY
    cell = sheet.cell(row=3, column=header.index("From") + 1)
    assert cell.number_format == "hh:mm"


async def test_a_whole_day_of_leave_the_same_day_wins_over_the_hours_in_the_digest(db: Database):
    company = await make_company(db)
    await _doctor(db, company, company.bob_id)
    async with db.transaction() as s:
        s.add(LeaveRequest(
            employee_id=company.bob_id, leave_type_id=company.annual_id, start_date=DAY, end_date=DAY,
            working_days=Decimal(1), status=LeaveStatus.APPROVED, approver_id=company.manager_id,
        ))  # fmt: skip
    digest = await _digest(db)
    assert [(o.full_name, o.hours) for o in digest.who_is_out] == [("Bob", None)]
