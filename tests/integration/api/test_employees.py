"""Employees over HTTP: create, read, change, list with filters, deactivate, and the CSV import."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from shared.config import get_settings
from shared.model import AuditLog, Employee
from shared.persistence import Database
from shared.services.attendance.processing import today_in

URL = "/api/v1/employees"


async def _department(client: httpx.AsyncClient, admin: dict, name: str = "Ops") -> int:
    response = await client.post("/api/v1/departments", json={"name": name}, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_an_employee_is_created_read_and_changed(client, admin, db: Database):
    dept = await _department(client, admin)
    created = await client.post(
        URL,
        json={"code": "E1", "full_name": "Ana Lima", "email": "ana@example.com", "department_id": dept},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["code"] == "E1" and body["active"] is True and body["work_week"] == "12345"
    assert body["role"] == "employee" and body["telegram_user_id"] is None

    read = await client.get(f"{URL}/{body['id']}", headers=admin)
    assert read.status_code == 200 and read.json()["full_name"] == "Ana Lima"

    changed = await client.patch(
        f"{URL}/{body['id']}", json={"full_name": "Ana Lima Souza", "email": None}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["full_name"] == "Ana Lima Souza" and changed.json()["email"] is None
    async with db.session() as s:
        actions = [a for (a,) in await s.execute(select(AuditLog.action).where(AuditLog.entity == "employee"))]
    assert actions == ["create", "update"]


async def test_a_patch_cannot_clear_a_required_field(client, admin):
    created = (await client.post(URL, json={"code": "E1", "full_name": "Ana"}, headers=admin)).json()
    response = await client.patch(f"{URL}/{created['id']}", json={"full_name": None}, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "full_name"


async def test_an_unknown_field_in_a_body_is_refused(client, admin):
    response = await client.post(URL, json={"code": "E1", "full_name": "Ana", "salary": 1}, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "salary"


async def test_a_duplicate_code_is_a_conflict(client, admin):
    await client.post(URL, json={"code": "E1", "full_name": "Ana"}, headers=admin)
    response = await client.post(URL, json={"code": "e1", "full_name": "Bob"}, headers=admin)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "E1" in response.json()["error"]["message"] or "e1" in response.json()["error"]["message"]


async def test_a_manager_loop_is_refused(client, admin):
    a = (await client.post(URL, json={"code": "A", "full_name": "A"}, headers=admin)).json()
    b = (await client.post(URL, json={"code": "B", "full_name": "B", "manager_id": a["id"]}, headers=admin)).json()
    response = await client.patch(f"{URL}/{a['id']}", json={"manager_id": b["id"]}, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "manager_id"


async def test_references_to_missing_rows_name_the_field(client, admin):
    response = await client.post(URL, json={"code": "E1", "full_name": "Ana", "shift_id": 999}, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "shift_id", "message": "Shift 999 does not exist."}]


async def test_a_bad_time_zone_is_refused(client, admin):
    response = await client.post(URL, json={"code": "E1", "full_name": "Ana", "timezone": "Mars/Base"}, headers=admin)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "timezone"


async def test_the_list_filters_by_department_role_active_and_search(client, admin):
    ops = await _department(client, admin, "Ops")
    sales = await _department(client, admin, "Sales")
    for code, name, dept, role in [
        ("E1", "Ana Lima", ops, "employee"),
        ("E2", "Bruno Costa", ops, "manager"),
        ("E3", "Carla 100% Dias", sales, "employee"),
    ]:
        r = await client.post(
            URL, json={"code": code, "full_name": name, "department_id": dept, "role": role}, headers=admin
        )
        assert r.status_code == 201, r.text
    e3 = (await client.get(URL, params={"search": "carla"}, headers=admin)).json()["items"][0]
    await client.post(f"{URL}/{e3['id']}/deactivate", headers=admin)

    async def codes(**params) -> list[str]:
        response = await client.get(URL, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [e["code"] for e in response.json()["items"]]

    assert await codes(department_id=ops) == ["E1", "E2"]
    assert await codes(role="manager") == ["BOSS", "E2"]  # BOSS backs the manager token
    assert await codes(active="false") == ["E3"]
    assert await codes(search="LIMA") == ["E1"]
    assert await codes(search="100%") == ["E3"]
    assert await codes(search="%") == ["E3"]  # the wildcard is taken literally
    assert await codes(search="e2") == ["E2"]


async def test_deactivating_ends_the_employment_today_and_is_audited(client, admin, db: Database):
    created = (
        await client.post(URL, json={"code": "E1", "full_name": "Ana", "phone": "+1 555 0100"}, headers=admin)
    ).json()
    response = await client.post(f"{URL}/{created['id']}/deactivate", headers=admin)
    assert response.status_code == 200
    after = response.json()
    today = today_in(get_settings().company_timezone).isoformat()
    assert after["active"] is False and after["leaving_date"] == today
    assert {k: v for k, v in after.items() if k not in {"active", "updated_at", "leaving_date"}} == {
        k: v for k, v in created.items() if k not in {"active", "updated_at", "leaving_date"}
    }
    again = await client.post(f"{URL}/{created['id']}/deactivate", headers=admin)
    assert again.status_code == 200
    async with db.session() as s:
        rows = (await s.scalars(select(AuditLog).where(AuditLog.action == "deactivate"))).all()
    assert len(rows) == 1 and rows[0].new == {"active": False, "leaving_date": today}
    assert rows[0].actor == "token:test-admin"
    back = await client.post(f"{URL}/{created['id']}/reactivate", headers=admin)
    assert back.json()["active"] is True and back.json()["leaving_date"] is None


CSV_GOOD = "code,full_name,email,department,manager_code\nE1,Ana Lima,ana@example.com,Ops,\nE2,Bruno,,Ops,E1\n"
CSV_BAD = "code,full_name,email\nE1,Ana,not-an-email\nE2,,\nE3,Carla,\n"


async def test_a_csv_import_creates_employees_and_reports(client, admin, db: Database):
    response = await client.post(
        f"{URL}/import", files={"file": ("people.csv", CSV_GOOD.encode(), "text/csv")}, headers=admin
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["written"] is True and report["created"] == 2 and report["departments_created"] == ["Ops"]
    async with db.session() as s:
        bruno = await s.scalar(select(Employee).where(Employee.code == "E2"))
        ana = await s.scalar(select(Employee).where(Employee.code == "E1"))
    assert bruno.manager_id == ana.id


async def test_a_bad_csv_writes_nothing_and_lists_every_problem_with_its_line(client, admin, db: Database):
    response = await client.post(
        f"{URL}/import", files={"file": ("people.csv", CSV_BAD.encode(), "text/csv")}, headers=admin
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and "2 lines" in error["message"]
    assert [(d["line"], d["message"]) for d in error["details"]] == [
        (2, "email 'not-an-email' is not an e-mail address"),
        (3, "column full_name is empty"),
    ]
    async with db.session() as s:
        assert await s.scalar(select(Employee.id).where(Employee.code == "E3")) is None


async def test_import_problems_are_rendered_in_the_request_language(client, admin):
    response = await client.post(
        f"{URL}/import",
        files={"file": ("people.csv", CSV_BAD.encode(), "text/csv")},
        headers={**admin, "Accept-Language": "ru-RU,ru;q=0.9"},
    )
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert details[1]["line"] == 3 and details[1]["message"] != "column full_name is empty"
    assert "full_name" in details[1]["message"]


async def test_skip_invalid_imports_the_valid_rows(client, admin):
    response = await client.post(
        f"{URL}/import",
        params={"skip_invalid": "true"},
        files={"file": ("people.csv", CSV_BAD.encode(), "text/csv")},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == 1 and report["skipped_lines"] == [2, 3] and len(report["problems"]) == 2


async def test_a_file_that_is_not_utf8_text_is_refused(client, admin):
    for data in (b"\xff\xfe\x00b\x00a\x00d", b"code,full_name\nE1,A\x00na\n"):
        response = await client.post(f"{URL}/import", files={"file": ("x.csv", data, "text/csv")}, headers=admin)
        assert response.status_code == 422, response.text
