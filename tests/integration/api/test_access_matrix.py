"""The authorization matrix, generated from the OpenAPI document: every operation × every kind of caller.

The operations and what each role may do come from the app's own ``/openapi.json`` (each operation's
``x-access``, written from ``api/policy.py``), so a new route is walked here as soon as it exists, and a
route without a rule fails (``x-access`` missing, or the app refuses to start). For every operation,
against a company with a manager (Max) whose line is Alice and Bob, and Olga outside it:

- a role the rule does not grant gets 403 and nothing is written (anonymous callers get 401);
- a granted role gets past the policy (a read answers 200);
- the manager token on an item of Olga's (path employee, request, invitation, audit entry) gets 403 when
  its grant is the reporting line; its lists never show Olga (her id, name, reason or ledger note);
- readers not entitled to contact data never see another person's e-mail or phone; readonly tokens never
  see a leave reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from api.main import create_app
from shared.config import Settings
from shared.domain.enums import Direction, FeedScope, PunchSource
from shared.model import AuditLog, ComplianceViolation, Department, Device, Employee, Holiday, JobRun, Office
from shared.persistence import Database
from shared.redis_client import create_redis
from shared.services.absences.feeds import create_feed
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.leave.balances import adjust_balance
from shared.services.leave.mail_links import issue_decision_link
from shared.services.leave.requests import request_leave
from shared.services.notify.unsubscribe import unsubscribe_token
from shared.services.org.invitations import create_invitation
from shared.services.org.tokens import create_token
from shared.services.timekeeping.corrections import request_correction
from tests.factories import Company
from tests.integration.api.conftest import NOW


def _spec() -> dict[str, Any]:
    app = create_app(
        Settings(_env_file=None, api_secret_key="spec"),
        Database.from_url("sqlite+aiosqlite:///:memory:"),
        create_redis(""),
    )
    return app.openapi()


SPEC = _spec()
OPERATIONS = sorted(
    (method.upper(), path, operation)
    for path, methods in SPEC["paths"].items()
    for method, operation in methods.items()
)
CALLERS = ("anonymous", "metrics", "readonly", "manager-other", "manager", "hr", "admin")
PERSONAL_PARAMS = {"employee_id", "request_id", "invitation_id", "entry_id", "correction_id", "feed_id", "violation_id"}
QUERY_VALUES = {"date": "2026-11-20", "month": "2026-11"}
BODIES = {  # the writes a manager token may reach need a valid body, or validation answers before the route
    ("POST", "/api/v1/leaves/{request_id}/reject"): {"reason": "Busy month"},
    ("POST", "/api/v1/corrections/{correction_id}/reject"): {"reason": "You left at five"},
}
SECRETS = {
    "reason": "alice-private-reason",
    "olga_reason": "olga-private-reason",
    "olga_note": "olga-private-note",
}


@dataclass
class World:
    ids: dict[str, dict[str, Any]]  # "in" (Alice's side) and "out" (Olga's side): path parameter → id
    headers: dict[str, dict[str, str]]
    company: Company
    olga: int
    max_email: str


@pytest.fixture
async def world(db: Database, settings, company: Company) -> World:
    t = NOW.date()
    async with db.transaction() as s:
        sales = Department(name="Sales")
        device = Device(name="Front", host="10.0.0.1")
        office = Office(name="HQ")
        s.add_all([sales, device, office])
        await s.flush()
        olga = Employee(
            code="OUT", full_name="Olga Outside", timezone="Europe/Berlin", department_id=sales.id,
            email="olga@private.example", phone="+49 30 1111",
        )  # fmt: skip
        s.add(olga)
        for who, email, phone in (
            (company.alice_id, "alice@private.example", "+49 30 2222"),
            (company.bob_id, "bob@private.example", "+49 30 3333"),
            (company.manager_id, "max@own.example", "+49 30 4444"),
        ):
            person = await s.get(Employee, who)
            person.email, person.phone = email, phone
        await s.flush()
        hr = Actor.cli()
        ids: dict[str, dict[str, Any]] = {"in": {}, "out": {}}
        for side, who, reason in (
            ("in", company.alice_id, SECRETS["reason"]),
            ("out", olga.id, SECRETS["olga_reason"]),
        ):
            request = await request_leave(
                s, actor=hr, employee_id=who, leave_type_id=company.sick_id, start=date(2026, 12, 1),
                end=date(2026, 12, 2), attachment_file_id="note", reason=reason, today=t, now=NOW,
            )  # fmt: skip
            await adjust_balance(
                s, actor=hr, employee_id=who, leave_type_id=company.annual_id, delta=Decimal(1),
                note=SECRETS["olga_note"] if side == "out" else "alice-note", on=t,
            )  # fmt: skip
            invitation = await create_invitation(
                s, employee_id=who, actor=hr, pepper=settings.secret_key, now=NOW, relink=True
            )
            await record_punch(
                s, actor=hr, employee_id=who, direction=Direction.IN, instant=NOW.replace(day=20, hour=8),
                source=PunchSource.MANUAL, now=NOW, company_timezone="Europe/Berlin", note="forgot",
            )  # fmt: skip
            violation = ComplianceViolation(
                employee_id=who, rule="break", period_start=date(2026, 11, 16), period_end=date(2026, 11, 16),
                limit_value=360, actual=400, excess=40, unit="minutes",
            )  # fmt: skip
            s.add(violation)
            correction = await request_correction(
                s, actor=hr, employee_id=who, day=date(2026, 11, 19), at=time(18, 5), direction=Direction.OUT,
                reason=reason, now=NOW,
            )  # fmt: skip
            await s.flush()
            entry = await s.scalar(
                select(AuditLog.id).where(AuditLog.entity == "leave_request", AuditLog.entity_id == str(request.id))
            )
            feed, feed_token = await create_feed(
                s, owner_id=who, scope=FeedScope.PERSON, pepper=settings.secret_key, actor=hr, now=NOW
            )
            ids[side] |= {
                "feed_id": feed.id,
                "token": feed_token,
                "employee_id": who,
                "request_id": request.id,
                "invitation_id": invitation.invitation.id,
                "entry_id": entry,
                "violation_id": violation.id,
                "correction_id": correction.id,
            }
        await process_days(s, date_from=date(2026, 11, 16), date_to=date(2026, 11, 20), now=NOW,
                           company_timezone="Europe/Berlin", actor=hr)  # fmt: skip
        run = JobRun(job="sync_devices")
        s.add(run)
        await s.flush()
        headers = {}
        for role in ("admin", "hr", "manager", "readonly", "metrics"):
            token, plaintext = await create_token(
                s, name=f"matrix-{role}", role=role, pepper=settings.secret_key, actor=Actor.cli(),
                employee_id=company.manager_id if role == "manager" else None,
            )  # fmt: skip
            headers[role] = {"Authorization": f"Bearer {plaintext}"}
        shared = {
            "department_id": company.department_id,
            "office_id": office.id,
            "shift_id": company.day_shift_id,
            "leave_type_id": company.annual_id,
            "calendar_id": company.calendar_id,
            "holiday_id": await s.scalar(select(func.min(Holiday.id))),
            "device_id": device.id,
            "token_id": token.id,
            "run_id": run.id,
            "notice_id": 1,  # HR-only routes: a refused role never reaches the id, HR's body is checked first
            "date": "2026-11-20",
            # links in e-mails (public: the link is the authority): a live approval link of Alice's request
            "link_token": await issue_decision_link(s, request_id=ids["in"]["request_id"],
                                                    approver_id=company.manager_id, now=NOW),
            "unsubscribe_token": unsubscribe_token(company.hr_id),
        }  # fmt: skip
    for side in ids.values():
        side.update(shared)
    return World(ids, headers, company, olga.id, "max@own.example")


def _granted(access: dict[str, Any], caller: str) -> str | None:
    """The scope the caller's role has on the operation, or None when refused."""
    if access["public"]:
        return "public"
    role = "manager" if caller == "manager-other" else caller
    return access["grants"].get(role)


def _leaks(value: Any, olga: int) -> list[str]:
    """Where an answer shows Olga: her id as an employee_id, her code, name or private texts."""
    found = []
    if isinstance(value, dict):
        if value.get("employee_id") == olga or value.get("code") == "OUT":
            found.append(json.dumps(value)[:200])
        for inner in value.values():
            found += _leaks(inner, olga)
    elif isinstance(value, list):
        for inner in value:
            found += _leaks(inner, olga)
    return found


async def _audit_rows(db: Database) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(AuditLog))


def _request(method: str, path: str, operation: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    params = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        if parameter["name"] in QUERY_VALUES:
            params[parameter["name"]] = QUERY_VALUES[parameter["name"]]
        elif parameter.get("required"):
            raise AssertionError(f"give a value for the required query {parameter['name']} of {path}")
    if path == "/api/v1/reports/timesheet":
        params["format"] = "csv"  # text, so the leak checks can read it
    names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert names <= set(ids), f"the world has no value for path parameters {names - set(ids)} of {path}"
    url = path.format(**{name: ids[name] for name in names})
    body = BODIES.get((method, path), {} if "requestBody" in operation else None)
    return {"method": method, "url": url, "params": params, "json": body}


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
async def test_the_app_does_what_the_access_matrix_says(client, db, world: World, method, path, operation):
    assert "x-access" in operation, f"{method} {path} has no access rule"
    access = operation["x-access"]
    personal = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"} & PERSONAL_PARAMS
    allowed: list[str] = []
    for caller in CALLERS:
        scope = _granted(access, caller)
        # Every personal item the world offers belongs to someone else than the manager: "own" never reaches it,
        # "line" reaches Alice's but not Olga's.
        outside = bool(personal) and (scope == "own" or (scope == "line" and caller == "manager-other"))
        if scope is not None and not outside:
            allowed.append(caller)
            continue
        before = await _audit_rows(db)
        side = "out" if caller == "manager-other" else "in"
        headers = world.headers.get("manager" if caller == "manager-other" else caller, {})
        response = await client.request(**_request(method, path, operation, world.ids[side]), headers=headers)
        expected = 401 if caller == "anonymous" else 403
        assert response.status_code == expected, (caller, response.text)
        assert await _audit_rows(db) == before, f"a refused {caller} changed something"
    for caller in allowed:  # the refused ones went first: nothing they tried may have changed the world
        side = "out" if caller == "manager-other" else "in"
        headers = world.headers.get("manager" if caller == "manager-other" else caller, {})
        response = await client.request(**_request(method, path, operation, world.ids[side]), headers=headers)
        assert response.status_code not in (401, 403), (caller, response.text)
        if method != "GET":
            continue
        assert response.status_code == 200, (caller, response.text)
        _check_what_is_shown(caller, _granted(access, caller), response, world)


def _check_what_is_shown(caller: str, scope: str | None, response, world: World) -> None:
    text = response.text
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    role = "manager" if caller == "manager-other" else caller
    if role == "manager" and scope == "line":
        assert "Olga Outside" not in text and SECRETS["olga_reason"] not in text and SECRETS["olga_note"] not in text
        assert not _leaks(body, world.olga), f"{caller} saw outside its line: {_leaks(body, world.olga)[:3]}"
    if role in ("manager", "readonly"):
        others = ("alice@private.example", "bob@private.example", "olga@private.example", "+49 30 2222")
        assert not [e for e in others if e in text], f"{caller} saw someone else's contact data"
    if role == "readonly":
        assert SECRETS["reason"] not in text, "readonly saw a leave reason"


async def test_every_operation_of_the_document_is_walked_and_each_caller_kind_is_exercised():
    assert len(OPERATIONS) >= 60
    rules = {json.dumps(op["x-access"], sort_keys=True) for _m, _p, op in OPERATIONS}
    assert any('"manager": "line"' in r for r in rules) and any('"public": true' in r for r in rules)


async def test_the_manager_sees_its_own_line_in_the_lists(client, world: World):
    """The other side of the leak checks: the lists are filtered, not empty."""
    headers = world.headers["manager"]
    employees = (await client.get("/api/v1/employees", headers=headers)).json()["items"]
    assert {e["id"] for e in employees} == {world.company.manager_id, world.company.alice_id, world.company.bob_id}
    mine = next(e for e in employees if e["id"] == world.company.manager_id)
    alice = next(e for e in employees if e["id"] == world.company.alice_id)
    assert mine["email"] == world.max_email and alice["email"] is None and alice["phone"] is None
    audit = (await client.get("/api/v1/audit-logs", params={"limit": 500}, headers=headers)).json()["items"]
    assert {e["entity"] for e in audit} >= {"leave_request", "leave_ledger", "invitation", "punch"}
    assert any(SECRETS["reason"] in json.dumps(e) for e in audit), "a manager reads the reasons of its line"
    leaves = (await client.get("/api/v1/leaves", headers=headers)).json()["items"]
    assert [r["employee_id"] for r in leaves] == [world.company.alice_id] and leaves[0]["reason"] == SECRETS["reason"]
    readonly = (await client.get("/api/v1/leaves", headers=world.headers["readonly"])).json()["items"]
    assert len(readonly) == 2 and {r["reason"] for r in readonly} == {None}
    invitations = (await client.get("/api/v1/invitations", headers=headers)).json()["items"]
    assert [i["employee_id"] for i in invitations] == [world.company.alice_id]


async def test_a_search_by_e_mail_finds_nothing_for_readers_who_may_not_see_e_mails(client, world: World):
    hr = await client.get("/api/v1/employees", params={"search": "olga@private"}, headers=world.headers["hr"])
    assert [e["code"] for e in hr.json()["items"]] == ["OUT"]
    readonly = await client.get(
        "/api/v1/employees", params={"search": "olga@private"}, headers=world.headers["readonly"]
    )
    assert readonly.json()["items"] == []
