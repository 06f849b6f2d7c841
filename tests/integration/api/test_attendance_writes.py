"""Attendance writes over HTTP: a manual punch with a reason (and the 2-minute duplicate), a day set by hand
that processing keeps, and a processing run that answers what it did."""

from __future__ import annotations

from datetime import date

import fakeredis
import httpx
from sqlalchemy import select

from api.main import create_app
from shared.domain.enums import AttendanceStatus
from shared.model import AuditLog, Punch
from shared.persistence import Database
from shared.services.attendance.overrides import override_day
from tests.factories import Company

API = "/api/v1"


async def test_a_manual_punch_is_stored_with_its_reason_and_a_near_duplicate_is_a_409(
    client, staff, company: Company, db: Database
):
    body = {
        "employee_id": company.alice_id,
        "direction": "in",
        "instant": "2026-11-23T09:05:00+01:00",
        "reason": "Badge forgotten",
    }
    created = await client.post(f"{API}/attendance/punches", json=body, headers=staff["hr"])
    assert created.status_code == 201, created.text
    punch = created.json()["punch"]
    assert (
        punch["source"] == "manual" and punch["note"] == "Badge forgotten" and punch["created_by"] == "token:staff-hr"
    )
    assert punch["instant"] == "2026-11-23T08:05:00Z" and created.json()["shift_day"] == "2026-11-23"

    again = await client.post(
        f"{API}/attendance/punches",
        json=body | {"instant": "2026-11-23T08:06:30Z", "source": "api"},
        headers=staff["admin"],
    )
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert (
        error["code"] == "duplicate_punch" and "2026-11-23T08:05:00+00:00" in error["message"]
    )  # in the company zone (UTC here)
    assert error["details"] == [{"field": "instant", "line": None, "message": "2026-11-23T08:05:00+00:00"}]
    async with db.session() as s:
        assert len(list(await s.scalars(select(Punch)))) == 1
        (entry,) = await s.scalars(select(AuditLog).where(AuditLog.entity == "punch"))
        assert entry.actor == "token:staff-hr"


async def test_bad_punches_are_422s_naming_the_field(client, staff, company: Company):
    good = {"employee_id": company.alice_id, "direction": "in", "instant": "2026-11-23T09:05:00+01:00", "reason": "x"}
    for change, field in (
        ({"instant": "2026-11-23T09:05:00"}, "instant"),  # no offset
        ({"instant": "1999-01-01T00:00:00Z"}, "instant"),
        ({"reason": "   "}, "reason"),
        ({"direction": "sideways"}, "direction"),
        ({"source": "device"}, "source"),
        ({"latitude": 91, "longitude": 0}, "latitude"),
    ):
        response = await client.post(f"{API}/attendance/punches", json=good | change, headers=staff["hr"])
        assert response.status_code == 422, (change, response.text)
        assert response.json()["error"]["details"][0]["field"] == field, change
    future = await client.post(
        f"{API}/attendance/punches", json=good | {"instant": "2026-11-24T09:00:00+01:00"}, headers=staff["hr"]
    )
    assert future.status_code == 422 and "future" in future.json()["error"]["message"]
    missing = await client.post(f"{API}/attendance/punches", json=good | {"employee_id": 999999}, headers=staff["hr"])
    assert missing.status_code == 404


async def test_a_day_set_by_hand_is_kept_by_processing(client, staff, company: Company, db: Database):
    path = f"{API}/attendance/daily/{company.bob_id}/2026-11-20"
    response = await client.put(
        path, json={"status": "present", "reason": "At the client's site", "worked_minutes": 480}, headers=staff["hr"]
    )
    assert response.status_code == 200, response.text
    day = response.json()
    assert (day["status"], day["worked_minutes"], day["manual_override"]) == ("present", 480, True)
    assert day["override_by"] == "token:staff-hr" and day["employee_name"] == "Bob" and day["department_name"] == "Ops"

    run = await client.post(
        f"{API}/attendance/process", json={"date_from": "2026-11-16", "date_to": "2026-11-20"}, headers=staff["admin"]
    )
    assert run.status_code == 200, run.text
    stats = run.json()
    assert (stats["employees"], stats["days"], stats["rows_written"], stats["overrides_kept"]) == (4, 5, 19, 1)
    listed = await client.get(
        f"{API}/attendance/daily?date=2026-11-20&employee_id={company.bob_id}", headers=staff["hr"]
    )
    assert listed.json()["items"][0]["status"] == "present"
    absent = await client.get(f"{API}/attendance/daily?date=2026-11-20&status=absent", headers=staff["hr"])
    assert absent.json()["total"] == 3
    async with db.session() as s:
        actions = [
            (a.action, a.actor)
            for a in await s.scalars(
                select(AuditLog).where(AuditLog.entity == "daily_attendance").order_by(AuditLog.id)
            )
        ]
    assert actions == [("override", "token:staff-hr"), ("process", "token:staff-admin")]


async def test_overrides_and_runs_refuse_bad_input(client, staff, company: Company):
    path = f"{API}/attendance/daily/{company.bob_id}"
    for day, body, field in (
        ("2026-11-31", {"status": "present", "reason": "x"}, "date"),
        ("2026-11-20", {"status": "holiday"}, "reason"),
        ("2026-11-20", {"status": "partying", "reason": "x"}, "status"),
        ("2026-11-20", {"status": "present", "reason": "x", "worked_minutes": 1441}, "worked_minutes"),
    ):
        response = await client.put(f"{path}/{day}", json=body, headers=staff["hr"])
        assert response.status_code == 422, (day, body, response.text)
        assert response.json()["error"]["details"][0]["field"] == field
    missing = await client.put(
        f"{API}/attendance/daily/999999/2026-11-20", json={"status": "present", "reason": "x"}, headers=staff["hr"]
    )
    assert missing.status_code == 404
    for body, field in (
        ({"date_from": "2026-11-20", "date_to": "2026-11-19"}, "date_to"),
        ({"date_from": "2026-01-01", "date_to": "2026-03-04"}, "date_to"),
        ({"date_from": "2026-11-20"}, "date_to"),
        ({"date_from": "2026-11-20", "date_to": "2026-11-20", "employee_ids": [0]}, "employee_ids.0"),
    ):
        response = await client.post(f"{API}/attendance/process", json=body, headers=staff["hr"])
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["details"][0]["field"] == field
    one = await client.post(
        f"{API}/attendance/process",
        json={"date_from": "2026-11-20", "date_to": "2026-11-20", "employee_ids": [company.alice_id]},
        headers=staff["hr"],
    )
    assert one.status_code == 200 and one.json()["employees"] == 1


async def test_the_digest_is_cached_until_a_write_through_the_api_changes_it(
    db: Database, settings, clock, staff, company: Company
):
    app = create_app(
        settings, db, fakeredis.FakeAsyncRedis(decode_responses=True), clock=clock, report_cache_seconds=60
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        path = f"{API}/reports/exceptions?date=2026-11-20"
        before = (await client.get(path, headers=staff["hr"])).json()
        assert before["counts"]["absent"] == 4  # not processed yet: classified as it stands, nobody punched
        async with db.transaction() as s:  # a change made elsewhere (not through the API) waits for the cache
            await override_day(
                s, actor=company.hr, employee_id=company.alice_id, day=date(2026, 11, 20),
                status=AttendanceStatus.PRESENT, reason="Trip", now=clock.now,
            )  # fmt: skip
        assert (await client.get(path, headers=staff["hr"])).json() == before
        override = await client.put(
            f"{API}/attendance/daily/{company.bob_id}/2026-11-20",
            json={"status": "present", "reason": "Client site"},
            headers=staff["hr"],
        )
        assert override.status_code == 200
        after = (await client.get(path, headers=staff["hr"])).json()
        assert after["counts"]["absent"] == 2  # everyone without punches but Alice and Bob, set by hand


async def test_taking_an_override_back_computes_the_day_again_at_once(client, staff, company: Company, db: Database):
    path = f"{API}/attendance/daily/{company.bob_id}/2026-11-20"
    set_by_hand = await client.put(path, json={"status": "present", "reason": "Client site"}, headers=staff["hr"])
    assert set_by_hand.json()["status"] == "present" and set_by_hand.json()["manual_override"] is True
    back = await client.delete(f"{path}/override", headers=staff["hr"])
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "absent" and back.json()["manual_override"] is False  # no punch that Friday
    again = await client.delete(f"{path}/override", headers=staff["hr"])
    assert again.status_code == 404
    refused = await client.delete(f"{path}/override", headers=staff["manager"])
    assert refused.status_code == 403
    async with db.session() as s:
        assert (await s.scalar(select(AuditLog).where(AuditLog.action == "clear_override"))) is not None
