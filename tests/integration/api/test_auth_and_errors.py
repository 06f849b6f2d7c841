"""Authentication (401), the error body shape, request ids, languages and pagination bounds."""

from __future__ import annotations

import logging

import pytest

from api.policy import POLICY, PUBLIC

V1 = "/api/v1"


def _shape(body: dict) -> dict:
    assert set(body) >= {"error", "request_id"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["details"], list) and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer chr_not-a-real-token", "Bearer " + "x" * 5000],
    ids=["missing", "empty", "no-token", "blank-token", "basic", "unknown", "huge"],
)
async def test_a_request_without_a_valid_token_is_401_with_a_bearer_challenge(client, tokens, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await client.get(f"{V1}/employees", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert _shape(response.json())["code"] == "unauthorized"


async def test_a_read_only_token_may_read_but_not_write(client, headers):
    assert (await client.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 200
    response = await client.post(f"{V1}/departments", json={"name": "X"}, headers=headers["readonly"])
    assert response.status_code == 403
    assert _shape(response.json())["code"] == "forbidden"
    assert "readonly" in response.json()["error"]["message"]


async def test_an_hr_token_may_not_touch_tokens(client, headers):
    assert (await client.get(f"{V1}/tokens", headers=headers["hr"])).status_code == 403
    assert (await client.get(f"{V1}/tokens", headers=headers["admin"])).status_code == 200


async def test_an_unknown_id_is_404_in_the_common_shape(client, admin):
    response = await client.get(f"{V1}/employees/4242", headers=admin)
    assert response.status_code == 404
    error = _shape(response.json())
    assert error["code"] == "not_found" and error["message"] == "Employee 4242 does not exist."


async def test_an_unknown_route_is_404_in_the_common_shape(client):
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert _shape(response.json())["code"] == "not_found"


async def test_a_wrong_method_is_405_in_the_common_shape(client, admin):
    response = await client.put(f"{V1}/employees", json={}, headers=admin)
    assert response.status_code == 405
    error = _shape(response.json())
    assert error["code"] == "method_not_allowed" and "GET" in response.headers["allow"]


async def test_a_duplicate_is_409_in_the_common_shape(client, admin):
    await client.post(f"{V1}/departments", json={"name": "Ops"}, headers=admin)
    response = await client.post(f"{V1}/departments", json={"name": "Ops"}, headers=admin)
    assert response.status_code == 409
    error = _shape(response.json())
    assert error["code"] == "conflict" and error["details"] == [{"field": "name", "message": error["message"]}]


async def test_bad_input_is_422_with_each_field_named(client, admin):
    response = await client.post(f"{V1}/shifts", json={"name": "", "late_grace_minutes": "soon"}, headers=admin)
    assert response.status_code == 422
    error = _shape(response.json())
    assert error["code"] == "validation_error"
    fields = {d["field"] for d in error["details"]}
    assert fields >= {"name", "start_time", "end_time", "late_grace_minutes"}
    assert all(d["message"] for d in error["details"])


async def test_malformed_json_is_422_not_500(client, admin):
    response = await client.post(
        f"{V1}/departments", content=b"{not json", headers=admin | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    _shape(response.json())


async def test_the_request_id_is_echoed_sanitised_or_generated(client, admin):
    given = await client.get(f"{V1}/employees/4242", headers=admin | {"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123" and given.json()["request_id"] == "abc-123"
    dirty = await client.get(f"{V1}/employees", headers=admin | {"X-Request-ID": "a b<script>" + "x" * 100})
    assert dirty.headers["x-request-id"] == ("abscript" + "x" * 100)[:64]
    generated = await client.get("/health/live")
    assert len(generated.headers["x-request-id"]) == 32


async def test_a_change_carries_its_request_id_into_the_audit_log(client, admin):
    await client.post(f"{V1}/departments", json={"name": "Ops"}, headers=admin | {"X-Request-ID": "req-77"})
    entries = (await client.get(f"{V1}/audit-logs", params={"entity": "department"}, headers=admin)).json()
    assert entries["items"][0]["request_id"] == "req-77"


async def test_messages_follow_accept_language(client, admin):
    ru = await client.get(f"{V1}/employees/7", headers=admin | {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    en = await client.get(f"{V1}/employees/7", headers=admin | {"Accept-Language": "de, en;q=0.5"})
    fallback = await client.get(f"{V1}/employees/7", headers=admin | {"Accept-Language": "xx-YY, *"})
    assert en.json()["error"]["message"] == "Employee 7 does not exist."
    assert fallback.json()["error"]["message"] == "Employee 7 does not exist."
    russian = _shape(ru.json())["message"]
    assert russian != "Employee 7 does not exist." and "7" in russian
    assert any("а" <= ch <= "я" for ch in russian.lower())


async def test_an_unexpected_error_is_a_500_in_the_common_shape_and_logged_with_the_request_id(
    app, client, caplog, monkeypatch
):
    async def boom() -> None:
        raise RuntimeError("kaput")

    monkeypatch.setitem(POLICY, ("GET", "/boom"), PUBLIC)
    app.add_api_route("/boom", boom)
    with caplog.at_level(logging.ERROR):
        response = await client.get("/boom", headers={"X-Request-ID": "trace-me"})
    assert response.status_code == 500 and response.headers["x-request-id"] == "trace-me"
    error = _shape(response.json())
    assert error["code"] == "internal_error" and "trace-me" in error["message"] and "kaput" not in error["message"]
    record = next(r for r in caplog.records if "unhandled error" in r.getMessage())
    assert record.exc_info is not None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}])
async def test_pagination_bounds_are_checked(client, admin, params):
    response = await client.get(f"{V1}/employees", params=params, headers=admin)
    assert response.status_code == 422
    assert _shape(response.json())["details"][0]["field"] in {"limit", "offset"}


async def test_pages_carry_the_total_and_an_offset_past_the_end_is_empty(client, admin):
    for i in range(7):
        await client.post(f"{V1}/departments", json={"name": f"D{i}"}, headers=admin)
    first = (await client.get(f"{V1}/departments", params={"limit": 3}, headers=admin)).json()
    assert [d["name"] for d in first["items"]] == ["D0", "D1", "D2"]
    assert (first["total"], first["limit"], first["offset"]) == (7, 3, 0)
    last = (await client.get(f"{V1}/departments", params={"limit": 3, "offset": 6}, headers=admin)).json()
    assert [d["name"] for d in last["items"]] == ["D6"] and last["total"] == 7
    past = (await client.get(f"{V1}/departments", params={"offset": 100}, headers=admin)).json()
    assert past["items"] == [] and past["total"] == 7
    default = (await client.get(f"{V1}/departments", headers=admin)).json()
    assert default["limit"] == 50 and len(default["items"]) == 7


async def test_cors_allows_the_configured_origin(client):
    response = await client.options(
        f"{V1}/employees",
        headers={"Origin": "http://hr.example.com", "Access-Control-Request-Method": "GET"},
    )
    assert response.headers["access-control-allow-origin"] == "http://hr.example.com"
    other = await client.get("/health/live", headers={"Origin": "http://evil.example.com"})
    assert "access-control-allow-origin" not in other.headers


async def test_the_openapi_document_declares_bearer_auth_and_examples(client):
    spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["BearerToken"]["description"],
    }
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                schema = body["schema"]  # an optional body is anyOf [the model, null]
                ref = schema.get("$ref") or next(s["$ref"] for s in schema["anyOf"] if "$ref" in s)
                name = ref.rsplit("/", 1)[1]
                assert schemas[name].get("examples"), f"{method.upper()} {path} has no example"
    assert (await client.get("/docs")).status_code == 200
