"""The compliance and personal-data routes over HTTP: violations with filters and pages, HR's acknowledgement,
managers' reporting line, rule layers, the subject-access zip, erasure and legal holds."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, time

import fakeredis
import httpx
from sqlalchemy import select

from api.main import create_app
from shared.model import AuditLog, ComplianceViolation, Employee
from shared.persistence import Database
from tests.factories import Company

MONDAY = date(2026, 11, 16)


async def _violations(db: Database, company: Company) -> int:
    async with db.transaction() as s:
        olga = Employee(code="OUT", full_name="Olga Outside", department_id=None)
        s.add(olga)
        await s.flush()
        for who, rule, day in (
            (company.alice_id, "break", MONDAY),
            (company.alice_id, "daily_rest", date(2026, 11, 18)),
            (company.bob_id, "break", date(2026, 11, 19)),
            (olga.id, "daily_hours", date(2026, 11, 20)),
        ):
            s.add(
                ComplianceViolation(
                    employee_id=who, rule=rule, period_start=day, period_end=day, limit_value=360, actual=400,
                    excess=40, unit="minutes", detected_at=datetime.combine(day, time(1), UTC),
                    updated_at=datetime.combine(day, time(1), UTC),
                )
            )  # fmt: skip
    return olga.id


async def test_hr_lists_violations_with_filters_and_pages(client, db, company, staff):
    await _violations(db, company)
    url = "/api/v1/compliance/violations"
    everything = (await client.get(url, headers=staff["hr"])).json()
    assert everything["total"] == 4 and everything["items"][0]["period_start"] == "2026-11-20"
    assert everything["items"][0]["label"] == "too many hours in a day"
    alices = (await client.get(url, params={"employee_id": company.alice_id}, headers=staff["hr"])).json()
    assert alices["total"] == 2
    breaks = (await client.get(url, params={"rule": "break", "limit": 1}, headers=staff["hr"])).json()
    assert breaks["total"] == 2 and len(breaks["items"]) == 1
    ops = (await client.get(url, params={"department_id": company.department_id}, headers=staff["hr"])).json()
    assert ops["total"] == 3
    window = (
        await client.get(url, params={"date_from": "2026-11-17", "date_to": "2026-11-19"}, headers=staff["hr"])
    ).json()
    assert [i["rule"] for i in window["items"]] == ["break", "daily_rest"]
    russian = await client.get(url, params={"rule": "break"}, headers={**staff["hr"], "Accept-Language": "ru"})
    assert russian.json()["items"][0]["label"] == "нет перерыва"
    bad = await client.get(url, params={"rule": "nap"}, headers=staff["hr"])
    backwards = await client.get(url, params={"date_from": "2026-11-19", "date_to": "2026-11-17"}, headers=staff["hr"])
    assert bad.status_code == 422 and backwards.status_code == 422


async def test_a_manager_sees_only_the_reporting_line(client, db, company, staff):
    olga = await _violations(db, company)
    found = (await client.get("/api/v1/compliance/violations", headers=staff["manager"])).json()
    assert found["total"] == 3 and olga not in {i["employee_id"] for i in found["items"]}
    async with db.session() as s:
        olgas = await s.scalar(select(ComplianceViolation.id).where(ComplianceViolation.employee_id == olga))
    assert (await client.get(f"/api/v1/compliance/violations/{olgas}", headers=staff["manager"])).status_code == 403


async def test_hr_acknowledges_once_with_a_comment_and_it_is_audited(client, db, company, staff):
    await _violations(db, company)
    url = "/api/v1/compliance/violations"
    first = (await client.get(url, params={"employee_id": company.alice_id}, headers=staff["hr"])).json()["items"][0][
        "id"
    ]
    empty = await client.post(f"{url}/{first}/acknowledge", json={"comment": ""}, headers=staff["hr"])
    manager = await client.post(f"{url}/{first}/acknowledge", json={"comment": "ok"}, headers=staff["manager"])
    done = await client.post(
        f"{url}/{first}/acknowledge", json={"comment": "Agreed with the team"}, headers=staff["hr"]
    )
    again = await client.post(f"{url}/{first}/acknowledge", json={"comment": "again"}, headers=staff["hr"])
    assert (empty.status_code, manager.status_code, done.status_code, again.status_code) == (422, 403, 200, 409)
    assert done.json()["acknowledgement_comment"] == "Agreed with the team"
    assert done.json()["acknowledged_by"] == "token:staff-hr"
    open_ones = (await client.get(url, params={"acknowledged": "false"}, headers=staff["hr"])).json()
    assert open_ones["total"] == 3
    async with db.session() as s:
        assert await s.scalar(select(AuditLog).where(AuditLog.action == "acknowledge")) is not None
    seen = await client.get("/api/v1/audit-logs", params={"entity": "compliance_violation"}, headers=staff["manager"])
    assert [e["entity_id"] for e in seen.json()["items"]] == [str(first)]  # Alice is in Max's line


async def test_rule_layers_are_set_per_scope_and_bad_values_are_refused(client, db, company, staff):
    url = "/api/v1/compliance/rules"
    company_wide = await client.put(url, json={"min_daily_rest": 600, "night_start": "23:00"}, headers=staff["hr"])
    department = await client.put(
        url, json={"department_id": company.department_id, "disabled": ["break"]}, headers=staff["hr"]
    )
    both = await client.put(
        url, json={"department_id": company.department_id, "shift_id": company.day_shift_id}, headers=staff["hr"]
    )
    negative = await client.put(url, json={"max_daily": -1}, headers=staff["hr"])
    unknown = await client.put(url, json={"max_dayly": 600}, headers=staff["hr"])
    manager = await client.put(url, json={"max_daily": 600}, headers=staff["manager"])
    assert (company_wide.status_code, department.status_code) == (200, 200)
    assert (both.status_code, negative.status_code, unknown.status_code, manager.status_code) == (422, 422, 422, 403)
    listed = (await client.get(url, headers=staff["readonly"])).json()
    assert [(r["scope_key"], r["min_daily_rest"], r["disabled"]) for r in listed] == [
        ("company", 600, None),
        (f"department:{company.department_id}", None, "break"),
    ]


async def test_hr_downloads_the_subject_access_zip_and_a_manager_may_not(client, db, company, staff):
    url = f"/api/v1/employees/{company.alice_id}/export"
    refused = await client.get(url, headers=staff["manager"])
    answer = await client.get(url, headers=staff["hr"])
    assert refused.status_code == 403 and answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert 'filename="chronos-person-A1.zip"' in answer.headers["content-disposition"]
    data = json.loads(zipfile.ZipFile(io.BytesIO(answer.content)).read("person.json"))
    assert data["tables"]["employee"][0]["full_name"] == "Alice"


async def test_erasure_is_refused_under_a_legal_hold_with_a_translated_error(client, db, company, staff):
    hold_url = f"/api/v1/employees/{company.alice_id}/legal-hold"
    no_reason = await client.put(hold_url, json={"legal_hold": True}, headers=staff["hr"])
    held = await client.put(hold_url, json={"legal_hold": True, "reason": "Case 7"}, headers=staff["hr"])
    assert (no_reason.status_code, held.status_code) == (422, 200) and held.json()["legal_hold"] is True
    erase_url = f"/api/v1/employees/{company.alice_id}/erase"
    refused = await client.post(erase_url, headers={**staff["hr"], "Accept-Language": "ru"})
    assert refused.status_code == 409 and "удержанием" in refused.json()["error"]["message"]
    shown = (await client.get(f"/api/v1/employees/{company.alice_id}", headers=staff["hr"])).json()
    assert shown["legal_hold"] is True and shown["anonymised_at"] is None
    await client.put(hold_url, json={"legal_hold": False}, headers=staff["hr"])
    erased = await client.post(erase_url, headers=staff["hr"])
    assert erased.status_code == 200 and erased.json()["anonymised"]["leave_requests"] == 0
    shown = (await client.get(f"/api/v1/employees/{company.alice_id}", headers=staff["hr"])).json()
    assert shown["full_name"] == "Anonymised A1" and shown["anonymised_at"] is not None


async def test_the_exceptions_report_lists_the_days_open_violations_within_the_readers_line(client, db, company, staff):
    olga = await _violations(db, company)
    url = "/api/v1/reports/exceptions"
    wednesday = (await client.get(url, params={"date": "2026-11-18"}, headers=staff["hr"])).json()
    assert [(v["employee_id"], v["rule"]) for v in wednesday["violations"]] == [(company.alice_id, "daily_rest")]
    shown = wednesday["violations"][0]
    assert shown["label"] == "daily rest too short" and shown["excess"] == 40 and shown["excess_text"]
    assert shown["period_start"] == shown["period_end"] == "2026-11-18" and not wednesday["quiet"]
    friday = {"date": "2026-11-20"}
    assert [
        v["employee_id"] for v in (await client.get(url, params=friday, headers=staff["hr"])).json()["violations"]
    ] == [olga]
    managers = (await client.get(url, params=friday, headers=staff["manager"])).json()
    assert managers["violations"] == [], "olga is outside the manager's reporting line"
    russian = await client.get(url, params={"date": "2026-11-18"}, headers={**staff["hr"], "Accept-Language": "ru"})
    assert russian.json()["violations"][0]["label"] != "daily rest too short"


async def test_an_acknowledged_violation_leaves_the_cached_exceptions_report_at_once(
    db, settings, clock, company, staff
):
    await _violations(db, company)
    app = create_app(
        settings, db, fakeredis.FakeAsyncRedis(decode_responses=True), clock=clock, report_cache_seconds=60
    )
    url, day = "/api/v1/reports/exceptions", {"date": "2026-11-18"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        before = (await client.get(url, params=day, headers=staff["hr"])).json()["violations"]
        assert len(before) == 1  # the answer is now cached for a minute
        acknowledged = await client.post(
            f"/api/v1/compliance/violations/{before[0]['id']}/acknowledge", json={"comment": "rota fixed"},
            headers=staff["hr"],
        )  # fmt: skip
        assert acknowledged.status_code == 200
        assert (await client.get(url, params=day, headers=staff["hr"])).json()["violations"] == []
