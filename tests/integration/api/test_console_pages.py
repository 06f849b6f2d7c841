"""Console pages doing what the API does: report downloads (limited to a manager's line), HR's override of
a day with a reason, "sync now" starting the recorded device sync, the leave calendar's cells."""

from __future__ import annotations

import asyncio
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from shared.domain.enums import AttendanceStatus, Role
from shared.model import AuditLog, DailyAttendance, Department, Device, Employee, JobRun
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.leave.requests import request_leave
from tests.integration.api.conftest import NOW
from tests.integration.api.console_helpers import csrf_of, signed_in


async def _olga(db) -> int:
    async with db.transaction() as s:
        sales = Department(name="Sales")
        s.add(sales)
        await s.flush()
        olga = Employee(code="OUT", full_name="Olga Outside", timezone="Europe/Berlin", department_id=sales.id,
                        hire_date=date(2020, 1, 1))  # fmt: skip
        s.add(olga)
        await s.flush()
        return olga.id


async def test_the_timesheet_and_digest_download_and_a_manager_gets_only_their_line(app, client, db, company):
    await _olga(db)
    hr, _ = await signed_in(app, company.hr_id, Role.HR)
    manager, _ = await signed_in(app, company.manager_id, Role.MANAGER)
    book = await client.get("/console/reports/timesheet", params={"month": "2026-11"}, headers=hr)
    assert book.status_code == 200 and "attachment" in book.headers["content-disposition"]
    assert load_workbook(io.BytesIO(book.content)).sheetnames
    everyone = (await client.get("/console/reports/timesheet", params={"month": "2026-11", "format": "csv"},
                                 headers=hr)).text  # fmt: skip
    line = (await client.get("/console/reports/timesheet", params={"month": "2026-11", "format": "csv"},
                             headers=manager)).text  # fmt: skip
    assert "Olga Outside" in everyone and "Olga Outside" not in line and "Alice" in line
    digest = await client.get("/console/reports/digest", params={"date": "2026-11-20"}, headers=hr)
    assert digest.status_code == 200 and load_workbook(io.BytesIO(digest.content)).sheetnames
    future = await client.get("/console/reports", params={"date": "2027-01-01"}, headers=hr)
    assert future.status_code == 422 and 'data-status="422"' in future.text


async def test_hr_overrides_a_day_with_a_reason_and_without_one_nothing_is_written(app, client, db, company):
    hr, csrf = await signed_in(app, company.hr_id, Role.HR)
    url = f"/console/attendance/{company.alice_id}/2026-11-20/override"
    refused = await client.post(url, headers=hr, data={"csrf": csrf, "status": "present", "reason": " "})
    assert refused.status_code == 422
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(DailyAttendance)) == 0
    done = await client.post(url, headers=hr, data={"csrf": csrf, "status": "present", "reason": "badge broken"})
    assert done.status_code == 303
    page = await client.get(done.headers["location"], headers=hr)
    assert "By Hana HR: badge broken" in page.text
    async with db.session() as s:
        day = await s.scalar(select(DailyAttendance).where(DailyAttendance.employee_id == company.alice_id))
        assert day.manual_override and day.status is AttendanceStatus.PRESENT
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "override"))
        assert entry.actor == f"console:employee:{company.hr_id}", "the audit log names the person who acted"
    own = await client.post(f"/console/attendance/{company.hr_id}/2026-11-20/override", headers=hr,
                            data={"csrf": csrf, "status": "present", "reason": "me"})  # fmt: skip
    assert own.status_code == 403, "nobody sets their own day"


async def test_sync_now_starts_a_recorded_device_sync(app, client, db, company):
    async with db.transaction() as s:
        device = Device(name="Closed port", host="127.0.0.1", port=1)
        s.add(device)
        await s.flush()
    hr, csrf = await signed_in(app, company.hr_id, Role.HR)
    started = await client.post(f"/console/devices/{device.id}/sync", headers=hr, data={"csrf": csrf})
    assert started.status_code == 303 and "started=" in started.headers["location"]
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(JobRun)) == 1
    for _ in range(100):  # the run finishes in the background (the device refuses the connection)
        page = await client.get("/console/devices", headers=hr)
        if "run-running" not in page.text:
            break
        await asyncio.sleep(0.1)
    assert "Closed port" in page.text and 'id="job-runs"' in page.text


async def test_the_calendar_shows_a_request_in_its_cells_and_filters_by_status(app, client, db, company):
    async with db.transaction() as s:
        request = await request_leave(
            s, actor=Actor.cli(), employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 7), end=date(2026, 12, 8), today=NOW.date(), now=NOW,
        )  # fmt: skip
    manager, _ = await signed_in(app, company.manager_id, Role.MANAGER)
    page = await client.get("/console/calendar", params={"month": "2026-12"}, headers=manager)
    assert page.text.count(f'href="/console/leaves/{request.id}"') == 2
    approved_only = await client.get("/console/calendar", params={"month": "2026-12", "status": "approved"},
                                     headers=manager)  # fmt: skip
    assert f'href="/console/leaves/{request.id}"' not in approved_only.text
    bad = await client.get("/console/calendar", params={"month": "2026-13"}, headers=manager)
    assert bad.status_code == 422
    assert csrf_of(page.text)


async def test_hr_sees_every_pending_request_or_only_those_routed_to_them(app, client, db, company):
    async with db.transaction() as s:
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 7), end=date(2026, 12, 8), today=NOW.date(), now=NOW,
        )  # fmt: skip
    assert request.approver_id == company.manager_id
    hr, _ = await signed_in(app, company.hr_id, Role.HR)
    everything = await client.get("/console/approvals", headers=hr)
    assert f'id="request-{request.id}"' in everything.text and "not routed to you" in everything.text
    mine = await client.get("/console/approvals", params={"show": "mine"}, headers=hr)
    assert f'id="request-{request.id}"' not in mine.text
    manager, _ = await signed_in(app, company.manager_id, Role.MANAGER)
    theirs = await client.get("/console/approvals", params={"show": "all"}, headers=manager)
    assert f'id="request-{request.id}"' in theirs.text and "All pending" not in theirs.text


async def test_a_persons_month_shows_their_punch_corrections(app, client, db, company):
    from datetime import time as clock_time

    from shared.domain.enums import Direction
    from shared.services.timekeeping.corrections import request_correction

    async with db.transaction() as s:
        await request_correction(
            s, actor=company.alice, employee_id=company.alice_id, day=date(2026, 11, 20), at=clock_time(17, 30),
            direction=Direction.OUT, reason="forgot to badge out", now=NOW,
        )  # fmt: skip
    manager, _ = await signed_in(app, company.manager_id, Role.MANAGER)
    page = await client.get(f"/console/attendance/{company.alice_id}", params={"month": "2026-11"}, headers=manager)
    assert page.status_code == 200
    day = page.text.split('id="day-2026-11-20"', 1)[1].split("</tr>", 1)[0]
    assert "correction-pending" in day and "forgot to badge out" in day and "5:30" in day


async def test_the_console_names_leave_types_and_departments_in_the_readers_language(app, client, db, company):
    from shared.model import LeaveType

    async with db.transaction() as s:
        (await s.get(LeaveType, company.annual_id)).name_translations = {"ru": "Ежегодный отпуск"}
        (await s.get(Department, company.department_id)).name_translations = {"ru": "Склад"}
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 7), end=date(2026, 12, 8), today=NOW.date(), now=NOW,
        )  # fmt: skip
    async with db.transaction() as s:  # Alice's November days, for the heatmap
        await process_days(s, date_from=date(2026, 11, 16), date_to=date(2026, 11, 20), now=NOW,
                           company_timezone="UTC")  # fmt: skip
    hr, _ = await signed_in(app, company.hr_id, Role.HR)
    pages = {
        "approvals": ("/console/approvals", {}),
        "leave": (f"/console/leaves/{request.id}", {}),
        "calendar": ("/console/calendar", {"month": "2026-12"}),
        "people": ("/console/people", {}),
        "person": (f"/console/people/{company.alice_id}", {}),
        "today": ("/console/today", {}),
        "reports": ("/console/reports", {"date": "2026-11-20"}),
        "attendance": ("/console/attendance", {"month": "2026-11"}),
    }
    for name, (path, params) in pages.items():
        russian = (await client.get(path, params={**params, "lang": "ru"}, headers=hr)).text
        english = (await client.get(path, params={**params, "lang": "en"}, headers=hr)).text
        departments = ("people", "person", "today", "reports", "attendance")
        wanted = "Склад" if name in departments else "Ежегодный отпуск"
        assert wanted in russian and wanted not in english, name
        assert ("Ops" if name in departments else "Annual leave") in english, name
