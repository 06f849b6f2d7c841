"""Hourly leave in the HR-facing reports: the exceptions report's ``who_is_out`` carries the range
(``starts_at``/``ends_at``, null for days; documented with an example), and the console's leave calendar marks
the day as partial with the range in the cell's title, never as a day away."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from shared.domain.enums import LeaveStatus, Role
from shared.domain.hourly import LeaveUnit
from shared.model import LeaveRequest, LeaveType
from shared.persistence import Database
from tests.factories import Company
from tests.integration.api.conftest import NOW
from tests.integration.api.console_helpers import signed_in

TODAY = NOW.date()  # Monday 2026-11-23; the company's zone is UTC in these tests
STARTS, ENDS = datetime(2026, 11, 23, 9, 0, tzinfo=UTC), datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


async def _hours_and_a_day(db: Database, company: Company) -> tuple[int, int]:
    """Bob's approved doctor's appointment today 09:00–11:00, and Alice's approved day of annual leave."""
    async with db.transaction() as s:
        kind = LeaveType(code="DOC", name="Doctor", unit=LeaveUnit.HOURS, yearly_allowance=Decimal(16))
        s.add(kind)
        await s.flush()
        hours = LeaveRequest(
            employee_id=company.bob_id, leave_type_id=kind.id, start_date=TODAY, end_date=TODAY,
            working_days=Decimal(2), status=LeaveStatus.APPROVED, start_at=STARTS, end_at=ENDS, minutes=120,
            approver_id=company.manager_id,
        )  # fmt: skip
        day = LeaveRequest(
            employee_id=company.alice_id, leave_type_id=company.annual_id, start_date=TODAY, end_date=TODAY,
            working_days=Decimal(1), status=LeaveStatus.APPROVED, approver_id=company.manager_id,
        )  # fmt: skip
        s.add_all([hours, day])
        await s.flush()
        return hours.id, day.id


async def test_who_is_out_in_the_exceptions_report_gives_the_hours_of_hourly_leave(client, db, company, staff):
    hours_id, day_id = await _hours_and_a_day(db, company)
    report = (await client.get("/api/v1/reports/exceptions", headers=staff["hr"])).json()
    out = {o["leave_request_id"]: o for o in report["who_is_out"]}
    bob, alice = out[hours_id], out[day_id]
    assert datetime.fromisoformat(bob["starts_at"]) == STARTS and datetime.fromisoformat(bob["ends_at"]) == ENDS
    assert bob["half"] is None and bob["return_date"] == TODAY.isoformat()
    assert alice["starts_at"] is None and alice["ends_at"] is None
    managers = (await client.get("/api/v1/reports/exceptions", headers=staff["manager"])).json()
    assert {o["leave_request_id"] for o in managers["who_is_out"]} == {hours_id, day_id}


async def test_the_who_is_out_schema_documents_the_range_with_an_example(client):
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["OutTodayOut"]
    assert {"starts_at", "ends_at"} <= set(schema["properties"])
    assert "starts_at" not in schema.get("required", [])
    example = schema["examples"][0]
    assert example["starts_at"] < example["ends_at"]


async def test_the_console_calendar_marks_hourly_leave_as_a_partial_day_with_its_range(app, client, db, company):
    hours_id, day_id = await _hours_and_a_day(db, company)
    hr, _ = await signed_in(app, company.hr_id, Role.HR)
    page = (await client.get("/console/calendar", params={"month": "2026-11"}, headers=hr)).text
    assert page.count("leave-partial") == 2  # Bob's cell and the legend, not Alice's day
    cell = page[page.index(f'href="/console/leaves/{hours_id}"') :]
    title = cell[cell.index('title="') : cell.index('">')]
    assert "some hours" in title and "9:00\u202fAM\u201311:00\u202fAM" in title, title
    alice = page[page.index(f'href="/console/leaves/{day_id}"') :]
    assert "some hours" not in alice[: alice.index("</td>")]
