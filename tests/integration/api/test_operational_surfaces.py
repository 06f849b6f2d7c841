"""What an unauthenticated stranger can see of the service: metrics behind a token, security headers on every
answer, a right Allow header on 405, one range for every date input, and docs served without a CDN."""

from __future__ import annotations

import pytest

from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org.tokens import create_token

V1 = "/api/v1"


@pytest.fixture
async def scraper(db: Database, settings) -> dict[str, str]:
    async with db.transaction() as s:
        _row, plaintext = await create_token(
            s, name="prometheus", role="metrics", pepper=settings.secret_key, actor=Actor.cli()
        )
    return {"Authorization": f"Bearer {plaintext}"}


async def test_metrics_need_an_admin_or_a_metrics_token(client, headers, scraper):
    assert (await client.get("/metrics")).status_code == 401
    for role in ("hr", "manager", "readonly"):
        assert (await client.get("/metrics", headers=headers[role])).status_code == 403, role
    for allowed in (scraper, headers["admin"]):
        response = await client.get("/metrics", headers=allowed)
        assert response.status_code == 200 and "chronos_http_requests_total" in response.text


async def test_a_metrics_token_reads_nothing_else(client, scraper):
    for path in ("/employees", "/leaves", "/audit-logs", "/devices", "/tokens"):
        response = await client.get(V1 + path, headers=scraper)
        assert response.status_code == 403, path


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", f"{V1}/employees", 200),
        ("GET", f"{V1}/employees/999", 404),
        ("GET", f"{V1}/employees?limit=0", 422),
        ("DELETE", f"{V1}/employees/1", 405),
        ("GET", "/health/live", 200),
        ("GET", "/nowhere", 404),
    ],
)
async def test_every_answer_carries_the_security_headers(client, admin, method, path, status):
    response = await client.request(method, path, headers=admin)
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


async def test_an_unauthenticated_answer_is_not_cached_either(client):
    response = await client.get(f"{V1}/employees")
    assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store" and response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", f"{V1}/employees/1", "GET, PATCH"),
        ("PUT", f"{V1}/departments", "GET, POST"),
        ("DELETE", f"{V1}/leaves/1/approve", "POST"),
        ("POST", "/health/live", "GET"),
    ],
)
async def test_a_405_lists_every_method_the_path_allows(client, admin, method, path, allowed):
    response = await client.request(method, path, headers=admin)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert allowed in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/holiday-calendars/{calendar}/holidays", {"date": "0001-01-01", "name": "Old"}, "date"),
        ("POST", "/holiday-calendars/{calendar}/holidays", {"date": "9999-12-31", "name": "Far"}, "date"),
        ("PATCH", "/holiday-calendars/{calendar}/holidays/{holiday}", {"date": "1999-12-31"}, "date"),
        ("POST", "/holiday-calendars/{calendar}/import", {"year": 1999}, "year"),
        ("GET", "/holiday-calendars/{calendar}/holidays?year=2101", None, "year"),
        ("POST", "/employees", {"code": "X", "full_name": "X", "hire_date": "1999-12-31"}, "hire_date"),
        ("GET", "/audit-logs?until=2101-01-01T00:00:00", None, "until"),
        ("POST", "/tokens", {"name": "t", "role": "readonly", "expires_at": "2101-01-02T00:00:00Z"}, "expires_at"),
        ("GET", "/attendance/daily?date=1999-12-31", None, "date"),
        ("POST", "/ledger/adjust", {"employee_id": 1, "leave_type_id": 1, "delta": 1, "note": "x",
                                    "effective_date": "2101-01-01"}, "effective_date"),
    ],
)  # fmt: skip
async def test_every_date_input_is_bounded_to_the_years_2000_to_2100(client, admin, db, method, path, body, field):
    from datetime import date

    from shared.model import Holiday, HolidayCalendar

    async with db.transaction() as s:
        calendar = HolidayCalendar(name="Company")
        s.add(calendar)
        await s.flush()
        holiday = Holiday(calendar_id=calendar.id, date=date(2026, 1, 1), name="New Year")
        s.add(holiday)
        await s.flush()
        ids = {"calendar": calendar.id, "holiday": holiday.id}
    response = await client.request(method, V1 + path.format(**ids), json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


async def test_swagger_ui_and_redoc_are_served_by_the_api_itself(client):
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in docs.text
    redoc = await client.get("/redoc")
    assert redoc.status_code == 200 and "/docs/assets/redoc.standalone.js" in redoc.text
    for page in (docs, redoc):
        assert "cdn." not in page.text and "googleapis" not in page.text and "unpkg" not in page.text
        assert "'self'" in page.headers["content-security-policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = await client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200 and len(response.content) > 10_000, asset
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_openapi_document_names_the_access_rule_of_every_operation(client):
    spec = (await client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "x-access" in operation, f"{method} {path}"
            assert "**Access**" in operation["description"]
    assert "security" not in spec["paths"]["/health/live"]["get"]
    assert spec["paths"]["/metrics"]["get"]["x-access"]["grants"] == {"admin": "all", "metrics": "all"}
    assert "| resource | action | admin | hr | manager | readonly | metrics |" in spec["info"]["description"]
