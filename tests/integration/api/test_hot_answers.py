"""The hot employee routes answer byte for byte what FastAPI's usual path would have answered.

``GET /employees/{id}`` and ``GET /employees`` read on the driver (``Database.reads()``) and return their
JSON themselves (``api.schemas.common.json_answer``), skipping FastAPI's validation of the return value.
The reference here is FastAPI itself: a one-route app that returns the model validated from the ORM
object (the way every other route answers), run on the same rows, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from api.schemas.common import Page
from api.schemas.employees import EmployeeOut
from shared.domain.enums import ChannelChoice, Role
from shared.model import Department, Employee
from shared.persistence import Database

URL = "/api/v1/employees"


async def _reference_bytes(answer: Any, model: Any) -> bytes:
    """What FastAPI sends for ``answer`` from a route declared to return ``model``."""
    reference = FastAPI()

    @reference.get("/x", response_model=model)
    async def route() -> Any:
        return answer

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=reference), base_url="http://ref") as client:
        response = await client.get("/x")
    assert response.status_code == 200, response.text
    return response.content


async def _varied_staff(db: Database) -> list[int]:
    """Employees whose columns cover the awkward values: None and set, dates, instants, enums, non-ASCII."""
    async with db.transaction() as s:
        dept = Department(name="Müşteri Hizmetleri")
        s.add(dept)
        await s.flush()
        people = [
            Employee(code="P1", full_name="Plain Person"),
            Employee(
                code="P2",
                full_name='Амира Хаддад \u0623\u0645\u064a\u0631\u0629 "quoted" \\ back',
                email="amira@example.com",
                phone="+49 30 1234567",
                department_id=dept.id,
                role=Role.HR,
                telegram_user_id=9_007_199_254_740_993,  # beyond a double's exact integers
                locale="ar",
                timezone="Asia/Dubai",
                work_week="6712",
                hire_date=date(2020, 2, 29),
                leaving_date=date(2100, 12, 31),
                active=False,
                device_user_id="00042",
                notify_channels=ChannelChoice.BOTH,
                digest_email=False,
                legal_hold=True,
                anonymised_at=datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC),
            ),
        ]
        s.add_all(people)
        await s.flush()
        people[0].manager_id = people[1].id
        await s.flush()
        return [p.id for p in people]


async def _models(db: Database, ids: list[int]) -> list[EmployeeOut]:
    async with db.session() as s:
        return [EmployeeOut.model_validate(await s.get(Employee, i)) for i in ids]


async def test_an_employee_read_is_the_json_fastapi_would_send(client, db: Database, headers):
    ids = await _varied_staff(db)
    models = await _models(db, ids)
    for employee_id, model in zip(ids, models, strict=True):
        for role, expected in (("admin", model), ("readonly", model.without_contact())):
            response = await client.get(f"{URL}/{employee_id}", headers=headers[role])
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "application/json"
            assert response.content == await _reference_bytes(expected, EmployeeOut), role


async def test_an_employee_page_is_the_json_fastapi_would_send(client, db: Database, headers, boss):
    ids = await _varied_staff(db)
    everyone = await _models(db, [boss.id, *ids])
    for role, shown in (("admin", everyone), ("readonly", [m.without_contact() for m in everyone])):
        page = Page[EmployeeOut](items=shown, total=3, limit=50, offset=0)
        response = await client.get(URL, headers=headers[role])
        assert response.status_code == 200, response.text
        assert response.content == await _reference_bytes(page, Page[EmployeeOut]), role
    filtered = await client.get(URL, params={"role": "hr", "active": "false", "search": "AMIRA"}, headers=headers["hr"])
    expected = Page[EmployeeOut](items=everyone[2:], total=1, limit=50, offset=0)
    assert filtered.content == await _reference_bytes(expected, Page[EmployeeOut])
    second = await client.get(URL, params={"limit": 1, "offset": 1}, headers=headers["admin"])
    expected = Page[EmployeeOut](items=everyone[1:2], total=3, limit=1, offset=1)
    assert second.content == await _reference_bytes(expected, Page[EmployeeOut])


async def test_the_hot_routes_keep_their_answer_schema_in_the_openapi_document(client):
    document = (await client.get("/openapi.json")).json()
    one = document["paths"][URL + "/{employee_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    page = document["paths"][URL]["get"]["responses"]["200"]["content"]["application/json"]
    assert one["schema"] == {"$ref": "#/components/schemas/EmployeeOut"}
    assert page["schema"]["$ref"].startswith("#/components/schemas/Page")
