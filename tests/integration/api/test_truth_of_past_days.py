"""Whatever changes the truth of a past day shows in GET /attendance/daily as soon as the call returns;
reports never call a day that is not over absent; joining and leaving move balances and days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from shared.domain.enums import LeaveStatus
from shared.model import Department, Employee, LeaveLedgerEntry, LeaveRequest, OutboxMessage
from shared.persistence import Database
from tests.factories import Company

API = "/api/v1"
FRIDAY = "2026-11-20"  # the API clock is Monday 2026-11-23 10:30 in Berlin


async def _day(client, staff, employee_id: int, day: str) -> dict:
    found = await client.get(
        f"{API}/attendance/daily", params={"date": day, "employee_id": employee_id}, headers=staff["hr"]
    )
    assert found.status_code == 200, found.text
    (row,) = found.json()["items"]
    return row


async def _process(client, staff, first: str, last: str) -> None:
    response = await client.post(
        f"{API}/attendance/process", json={"date_from": first, "date_to": last}, headers=staff["hr"]
    )
    assert response.status_code == 200, response.text


async def test_sick_leave_approved_for_last_week_turns_those_days_into_leave_at_once(client, staff, company: Company):
    await _process(client, staff, "2026-11-18", FRIDAY)
    assert (await _day(client, staff, company.bob_id, "2026-11-19"))["status"] == "absent"
    created = await client.post(
        f"{API}/leaves",
        json={
            "employee_id": company.bob_id,
            "leave_type_id": company.sick_id,
            "start_date": "2026-11-19",
            "end_date": "2026-11-24",
            "attachment_file_id": "note-1",
        },
        headers=staff["hr"],
    )
    assert created.status_code == 201, created.text
    approved = await client.post(f"{API}/leaves/{created.json()['id']}/approve", headers=staff["manager"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["attendance"]["reprocessed"] == {"from": "2026-11-19", "to": "2026-11-23"}  # not the 24th
    for day in ("2026-11-19", FRIDAY):
        assert (await _day(client, staff, company.bob_id, day))["status"] == "on_leave"
    cancelled = await client.post(f"{API}/leaves/{created.json()['id']}/cancel", headers=staff["hr"])  # not over yet
    assert cancelled.status_code == 200, cancelled.text
    assert (await _day(client, staff, company.bob_id, FRIDAY))["status"] == "absent"


async def test_a_holiday_added_for_a_past_day_reaches_that_day_at_once(client, staff, company: Company):
    await _process(client, staff, FRIDAY, FRIDAY)
    added = await client.post(
        f"{API}/holiday-calendars/{company.calendar_id}/holidays",
        json={"date": FRIDAY, "name": "Works outing"},
        headers=staff["hr"],
    )
    assert added.status_code == 201, added.text
    assert (await _day(client, staff, company.alice_id, FRIDAY))["status"] == "holiday"


async def test_the_exceptions_report_refuses_a_future_day_and_today_is_so_far(client, staff, company: Company):
    future = await client.get(f"{API}/reports/exceptions", params={"date": "2026-11-24"}, headers=staff["hr"])
    assert future.status_code == 422, future.text
    today = await client.get(f"{API}/reports/exceptions", params={"date": "2026-11-23"}, headers=staff["hr"])
    assert today.status_code == 200 and today.json()["counts"]["absent"] == 0
    assert today.json()["so_far"] is True and today.json()["not_over"] == 4
    month = await client.get(f"{API}/reports/timesheet", params={"month": "2026-12", "format": "csv"},
                             headers=staff["hr"])  # fmt: skip
    assert month.status_code == 422


async def test_a_new_hire_has_this_years_prorated_entitlement_at_once(client, staff, company: Company, db: Database):
    created = await client.post(
        f"{API}/employees",
        json={"code": "N1", "full_name": "Nora New", "hire_date": "2026-07-01"},
        headers=staff["hr"],
    )
    assert created.status_code == 201, created.text
    employee_id = created.json()["id"]
    async with db.session() as s:
        entries = list(await s.scalars(select(LeaveLedgerEntry).where(LeaveLedgerEntry.employee_id == employee_id)))
    by_type = {e.leave_type_id: e.delta for e in entries}
    assert by_type[company.annual_id] == Decimal("10.00")  # 20 × 184/365 → 10.08, to the half day
    moved = await client.patch(f"{API}/employees/{employee_id}", json={"hire_date": "2026-10-01"}, headers=staff["hr"])
    assert moved.status_code == 200, moved.text
    async with db.session() as s:
        total = sum(
            e.delta
            for e in await s.scalars(
                select(LeaveLedgerEntry).where(
                    LeaveLedgerEntry.employee_id == employee_id, LeaveLedgerEntry.leave_type_id == company.annual_id
                )
            )
        )
    assert total == Decimal("5.00")  # 20 × 92/365 → 5.04: the allocation corrected, not doubled


async def test_a_leaving_date_cancels_later_pending_leave_and_keeps_the_last_days(
    client, staff, company: Company, db: Database
):
    await _process(client, staff, "2026-11-16", FRIDAY)
    pending = await client.post(
        f"{API}/leaves",
        json={
            "employee_id": company.alice_id,
            "leave_type_id": company.annual_id,
            "start_date": "2026-12-21",
            "end_date": "2026-12-23",
        },
        headers=staff["hr"],
    )
    assert pending.status_code == 201, pending.text
    left = await client.patch(
        f"{API}/employees/{company.alice_id}", json={"leaving_date": "2026-11-18"}, headers=staff["hr"]
    )
    assert left.status_code == 200 and left.json()["leaving_date"] == "2026-11-18"
    async with db.session() as s:
        request = await s.get(LeaveRequest, pending.json()["id"])
        told = [m.payload.get("text", "") for m in await s.scalars(select(OutboxMessage)) if m.chat_id == 9003]
    assert request.status is LeaveStatus.CANCELLED
    assert any("отмен" in text for text in told)  # Alice reads Russian: told it was cancelled
    assert (await _day(client, staff, company.alice_id, "2026-11-18"))["status"] == "absent"
    after = await client.get(
        f"{API}/attendance/daily", params={"date": "2026-11-19", "employee_id": company.alice_id}, headers=staff["hr"]
    )
    assert after.json()["items"] == []  # no day after leaving is kept, let alone absent
    sheet = await client.get(f"{API}/reports/timesheet", params={"month": "2026-11", "format": "csv"},
                             headers=staff["hr"])  # fmt: skip
    assert "Alice" in sheet.text  # still on the month she left in
    deactivated = await client.post(f"{API}/employees/{company.bob_id}/deactivate", headers=staff["hr"])
    assert deactivated.status_code == 200
    assert (await _day(client, staff, company.bob_id, FRIDAY))["status"] == "absent"  # the last days stay


async def test_the_share_away_counts_only_the_departments_own_people(client, staff, company: Company, db: Database):
    async with db.transaction() as s:
        other = Department(name="Sales")
        s.add(other)
        await s.flush()
        # Bob moves to another department but keeps Max as his manager; Ops lets one in two be away
        await s.execute(update(Employee).where(Employee.id == company.bob_id).values(department_id=other.id))
        await s.execute(update(Department).where(Department.id == company.department_id).values(max_absent_share=0.34))
        s.add(LeaveRequest(employee_id=company.bob_id, leave_type_id=company.annual_id, start_date=date(2026, 12, 7),
                           end_date=date(2026, 12, 7), working_days=1, status=LeaveStatus.APPROVED))  # fmt: skip
    asked = await client.post(
        f"{API}/leaves",
        json={
            "employee_id": company.alice_id,
            "leave_type_id": company.annual_id,
            "start_date": "2026-12-07",
            "end_date": "2026-12-07",
        },
        headers=staff["hr"],
    )
    assert asked.status_code == 201, asked.text  # Bob's day away is Sales', not Ops'
