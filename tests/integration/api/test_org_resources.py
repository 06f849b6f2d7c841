"""Departments, offices, shifts, leave types, holiday calendars and holidays over HTTP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.domain.enums import LeaveStatus
from shared.model import AuditLog, Employee, Holiday, LeaveRequest, LeaveType
from shared.persistence import Database

V1 = "/api/v1"


async def _create(client, admin, resource: str, body: dict) -> dict:
    response = await client.post(f"{V1}/{resource}", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


# ------------------------------------------------------------------ departments


async def test_a_department_tree_is_built_changed_and_deleted(client, admin, db: Database):
    root = await _create(client, admin, "departments", {"name": "Company"})
    child = await _create(
        client, admin, "departments", {"name": "Ops", "parent_id": root["id"], "max_absent_share": 0.25}
    )
    assert child["parent_id"] == root["id"] and child["max_absent_share"] == 0.25
    renamed = await client.patch(f"{V1}/departments/{child['id']}", json={"name": "Operations"}, headers=admin)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Operations"
    listed = await client.get(f"{V1}/departments", headers=admin)
    assert [d["name"] for d in listed.json()["items"]] == ["Company", "Operations"]
    assert (await client.delete(f"{V1}/departments/{child['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{V1}/departments/{child['id']}", headers=admin)).status_code == 404
    async with db.session() as s:
        actions = [a for (a,) in await s.execute(select(AuditLog.action).where(AuditLog.entity == "department"))]
    assert actions == ["create", "create", "update", "delete"]


async def test_a_department_cannot_sit_under_its_own_sub_department(client, admin):
    a = await _create(client, admin, "departments", {"name": "A"})
    b = await _create(client, admin, "departments", {"name": "B", "parent_id": a["id"]})
    c = await _create(client, admin, "departments", {"name": "C", "parent_id": b["id"]})
    for parent in (c["id"], a["id"]):
        response = await client.patch(f"{V1}/departments/{a['id']}", json={"parent_id": parent}, headers=admin)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "parent_id"


async def test_a_department_with_people_or_children_is_not_deleted(client, admin):
    a = await _create(client, admin, "departments", {"name": "A"})
    await _create(client, admin, "departments", {"name": "B", "parent_id": a["id"]})
    response = await client.delete(f"{V1}/departments/{a['id']}", headers=admin)
    assert response.status_code == 409
    assert (
        response.json()["error"]["message"]
        == f"Department {a['id']} still has 1 sub-department; move or delete it first."
    )
    d = await _create(client, admin, "departments", {"name": "D"})
    for code in ("E1", "E2"):
        await _create(client, admin, "employees", {"code": code, "full_name": code, "department_id": d["id"]})
    response = await client.delete(f"{V1}/departments/{d['id']}", headers=admin)
    assert response.status_code == 409 and "2 employees" in response.json()["error"]["message"]


async def test_department_names_are_unique_ignoring_case(client, admin):
    await _create(client, admin, "departments", {"name": "Ops"})
    response = await client.post(f"{V1}/departments", json={"name": "OPS"}, headers=admin)
    assert response.status_code == 409


# ------------------------------------------------------------------ offices


async def test_an_office_with_a_geofence_is_created_and_changed(client, admin):
    office = await _create(
        client,
        admin,
        "offices",
        {"name": "HQ", "timezone": "Europe/Berlin", "latitude": 52.5, "longitude": 13.4, "radius_m": 150},
    )
    assert office["radius_m"] == 150
    changed = await client.patch(f"{V1}/offices/{office['id']}", json={"radius_m": 300}, headers=admin)
    assert changed.status_code == 200 and changed.json()["radius_m"] == 300
    cleared = await client.patch(
        f"{V1}/offices/{office['id']}", json={"latitude": None, "longitude": None, "radius_m": None}, headers=admin
    )
    assert cleared.status_code == 200 and cleared.json()["latitude"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "latitude": 91, "longitude": 0, "radius_m": 10}, "latitude"),
        ({"name": "X", "latitude": 0, "longitude": -181, "radius_m": 10}, "longitude"),
        ({"name": "X", "latitude": 0, "longitude": 0, "radius_m": 0}, "radius_m"),
        ({"name": "X", "latitude": 10, "longitude": 10}, "radius_m"),
        ({"name": "X", "timezone": "Nowhere/City"}, "timezone"),
    ],
)
async def test_a_bad_geofence_is_refused(client, admin, body, field):
    response = await client.post(f"{V1}/offices", json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field


async def test_a_patch_that_breaks_the_geofence_is_refused(client, admin):
    office = await _create(client, admin, "offices", {"name": "HQ", "latitude": 1, "longitude": 2, "radius_m": 3})
    response = await client.patch(f"{V1}/offices/{office['id']}", json={"radius_m": None}, headers=admin)
    assert response.status_code == 422


async def test_an_office_in_use_is_not_deleted(client, admin):
    office = await _create(client, admin, "offices", {"name": "HQ"})
    await _create(client, admin, "employees", {"code": "E1", "full_name": "Ana", "office_id": office["id"]})
    assert (await client.delete(f"{V1}/offices/{office['id']}", headers=admin)).status_code == 409


# ------------------------------------------------------------------ shifts

DAY = {"name": "Day", "start_time": "09:00", "end_time": "18:00", "late_grace_minutes": 10}


async def test_a_shift_is_created_with_defaults_and_changed(client, admin):
    shift = await _create(client, admin, "shifts", DAY)
    assert shift["start_time"] == "09:00:00" and shift["half_day_hours"] == 4 and shift["absent_hours"] == 1
    assert shift["hours_mode"] == "first_last"
    changed = await client.patch(f"{V1}/shifts/{shift['id']}", json={"half_day_hours": 4.5}, headers=admin)
    assert changed.status_code == 200 and changed.json()["half_day_hours"] == 4.5


async def test_a_night_shift_ends_before_it_starts(client, admin):
    shift = await _create(client, admin, "shifts", {"name": "Night", "start_time": "22:00", "end_time": "06:00"})
    assert shift["end_time"] == "06:00:00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (DAY | {"late_grace_minutes": -1}, "late_grace_minutes"),
        (DAY | {"early_grace_minutes": -5}, "early_grace_minutes"),
        (DAY | {"checkin_before_minutes": -1}, "checkin_before_minutes"),
        (DAY | {"absent_hours": -1}, "absent_hours"),
        (DAY | {"half_day_hours": 1, "absent_hours": 1}, "half_day_hours"),
        (DAY | {"half_day_hours": 0.5, "absent_hours": 1}, "half_day_hours"),
        (DAY | {"end_time": "09:00"}, "end_time"),
        (DAY | {"start_time": "09:00+02:00"}, "start_time"),
        (DAY | {"hours_mode": "sometimes"}, "hours_mode"),
    ],
)
async def test_bad_shift_settings_are_refused(client, admin, body, field):
    response = await client.post(f"{V1}/shifts", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field


async def test_a_patch_is_checked_against_the_stored_values(client, admin):
    shift = await _create(client, admin, "shifts", DAY | {"half_day_hours": 4, "absent_hours": 2})
    response = await client.patch(f"{V1}/shifts/{shift['id']}", json={"half_day_hours": 2}, headers=admin)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "half_day_hours"


async def test_a_shift_in_use_is_not_deleted_but_an_unused_one_is(client, admin):
    used = await _create(client, admin, "shifts", DAY)
    await _create(client, admin, "employees", {"code": "E1", "full_name": "Ana", "shift_id": used["id"]})
    assert (await client.delete(f"{V1}/shifts/{used['id']}", headers=admin)).status_code == 409
    unused = await _create(client, admin, "shifts", DAY | {"name": "Spare"})
    assert (await client.delete(f"{V1}/shifts/{unused['id']}", headers=admin)).status_code == 204


# ------------------------------------------------------------------ leave types

ANNUAL = {"code": "annual", "name": "Annual leave", "yearly_allowance": 24, "accrual": "monthly", "carry_over_cap": 5}


async def test_a_leave_type_is_created_and_changed(client, admin):
    kind = await _create(client, admin, "leave-types", ANNUAL)
    assert kind["yearly_allowance"] == 24 and kind["accrual"] == "monthly" and kind["active"] is True
    assert kind["accrual_rounding"] == 0.5
    changed = await client.patch(f"{V1}/leave-types/{kind['id']}", json={"carry_over_cap": None}, headers=admin)
    assert changed.status_code == 200 and changed.json()["carry_over_cap"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (ANNUAL | {"yearly_allowance": -1}, "yearly_allowance"),
        (ANNUAL | {"accrual": "weekly"}, "accrual"),
        (ANNUAL | {"carry_over_cap": -0.5}, "carry_over_cap"),
        (ANNUAL | {"code": "has space"}, "code"),
        (ANNUAL | {"yearly_allowance": 1.234}, "yearly_allowance"),
    ],
)
async def test_bad_leave_type_settings_are_refused(client, admin, body, field):
    response = await client.post(f"{V1}/leave-types", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field


async def test_an_unused_leave_type_is_deleted_and_a_used_one_is_deactivated(client, admin, db: Database, boss):
    unused = await _create(client, admin, "leave-types", ANNUAL | {"code": "spare"})
    assert (await client.delete(f"{V1}/leave-types/{unused['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{V1}/leave-types/{unused['id']}", headers=admin)).status_code == 404

    used = await _create(client, admin, "leave-types", ANNUAL)
    async with db.transaction() as s:
        s.add(
            LeaveRequest(
                employee_id=boss.id,
                leave_type_id=used["id"],
                start_date=date(2026, 5, 4),
                end_date=date(2026, 5, 5),
                working_days=Decimal(2),
                status=LeaveStatus.APPROVED,
            )
        )
    assert (await client.delete(f"{V1}/leave-types/{used['id']}", headers=admin)).status_code == 204
    kept = await client.get(f"{V1}/leave-types/{used['id']}", headers=admin)
    assert kept.status_code == 200 and kept.json()["active"] is False
    active = await client.get(f"{V1}/leave-types", params={"active": "true"}, headers=admin)
    assert active.json()["total"] == 0
    async with db.session() as s:
        assert await s.get(LeaveType, used["id"]) is not None


# ------------------------------------------------------------------ holiday calendars and holidays


async def test_holidays_are_added_listed_changed_and_deleted(client, admin):
    cal = await _create(client, admin, "holiday-calendars", {"name": "Berlin", "country": "de", "subdivision": "BE"})
    assert cal["country"] == "DE"
    url = f"{V1}/holiday-calendars/{cal['id']}/holidays"
    first = await client.post(url, json={"date": "2026-12-24", "name": "Christmas Eve"}, headers=admin)
    assert first.status_code == 201, first.text
    duplicate = await client.post(url, json={"date": "2026-12-24", "name": "Again"}, headers=admin)
    assert duplicate.status_code == 409
    await client.post(url, json={"date": "2027-01-01", "name": "New Year"}, headers=admin)
    in_2026 = await client.get(url, params={"year": 2026}, headers=admin)
    assert [h["name"] for h in in_2026.json()["items"]] == ["Christmas Eve"]
    hid = first.json()["id"]
    renamed = await client.patch(f"{url}/{hid}", json={"name": "Company day off"}, headers=admin)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Company day off"
    assert (await client.delete(f"{url}/{hid}", headers=admin)).status_code == 204
    assert (await client.get(f"{url}/{hid}", headers=admin)).status_code == 404


async def test_a_holiday_is_only_found_under_its_own_calendar(client, admin):
    a = await _create(client, admin, "holiday-calendars", {"name": "A"})
    b = await _create(client, admin, "holiday-calendars", {"name": "B"})
    h = (
        await client.post(
            f"{V1}/holiday-calendars/{a['id']}/holidays", json={"date": "2026-01-01", "name": "NY"}, headers=admin
        )
    ).json()
    response = await client.get(f"{V1}/holiday-calendars/{b['id']}/holidays/{h['id']}", headers=admin)
    assert response.status_code == 404


async def test_public_holidays_are_imported_once(client, admin, db: Database):
    cal = await _create(client, admin, "holiday-calendars", {"name": "Germany", "country": "DE"})
    url = f"{V1}/holiday-calendars/{cal['id']}/import"
    first = await client.post(url, json={"year": 2026}, headers=admin)
    assert first.status_code == 200, first.text
    assert first.json()["added"] >= 9 and first.json()["unchanged"] == 0
    again = await client.post(url, json={"year": 2026}, headers=admin)
    assert again.json()["added"] == 0 and again.json()["unchanged"] == first.json()["added"]
    async with db.session() as s:
        assert await s.scalar(select(Holiday.id).where(Holiday.date == date(2026, 12, 25))) is not None


@pytest.mark.parametrize(
    "body", [{"year": 2026, "country": "XX"}, {"year": 2026, "country": "DE", "subdivision": "ZZ"}]
)
async def test_an_unknown_country_or_subdivision_is_refused(client, admin, body):
    cal = await _create(client, admin, "holiday-calendars", {"name": "C"})
    response = await client.post(f"{V1}/holiday-calendars/{cal['id']}/import", json=body, headers=admin)
    assert response.status_code == 422


async def test_a_calendar_followed_by_employees_is_not_deleted(client, admin, db: Database):
    cal = await _create(client, admin, "holiday-calendars", {"name": "C"})
    await _create(client, admin, "employees", {"code": "E1", "full_name": "Ana", "holiday_calendar_id": cal["id"]})
    assert (await client.delete(f"{V1}/holiday-calendars/{cal['id']}", headers=admin)).status_code == 409
    async with db.transaction() as s:
        (await s.scalar(select(Employee).where(Employee.code == "E1"))).holiday_calendar_id = None
    assert (await client.delete(f"{V1}/holiday-calendars/{cal['id']}", headers=admin)).status_code == 204
