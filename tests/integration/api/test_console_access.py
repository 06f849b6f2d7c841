"""Every console route × every kind of signed-in person, against the access policy (as the API's matrix).

The routes are read from the app itself (every served route under ``/console``), so a new page is walked as
soon as it exists. For each: anonymous visitors are sent to the sign-in page (GET) or refused (POST, 401);
a role the rule does not grant gets a 403 page and nothing is written; the manager opening someone outside
their reporting line (Olga, another department) gets a 403 page; granted readers get the page (200).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from api.console_auth import SIGN_IN_CSRF_COOKIE, is_console
from api.policy import rule_for
from api.route_index import served_routes
from shared.domain.enums import Role, TokenRole
from shared.model import AuditLog, Department, Device, Employee
from shared.services.actor import Actor
from shared.services.leave.requests import request_leave
from tests.integration.api.conftest import NOW
from tests.integration.api.console_helpers import signed_in

ROLES = {"manager": Role.MANAGER, "manager-other": Role.MANAGER, "hr": Role.HR, "admin": Role.HR}
PERSONAL = {"employee_id", "request_id"}


@pytest.fixture
async def world(db, company):
    async with db.transaction() as s:
        sales = Department(name="Sales")
        device = Device(name="Front", host="10.0.0.1")
        s.add_all([sales, device])
        await s.flush()
        olga = Employee(code="OUT", full_name="Olga Outside", timezone="Europe/Berlin", department_id=sales.id)
        admin = Employee(code="ADM", full_name="Ada Admin", role=Role.ADMIN, telegram_user_id=9100)
        s.add_all([olga, admin])
        await s.flush()
        ids = {}
        for side, who in (("in", company.alice_id), ("out", olga.id)):
            request = await request_leave(
                s, actor=Actor.cli(), employee_id=who, leave_type_id=company.sick_id, start=date(2026, 12, 1),
                end=date(2026, 12, 2), reason="private", attachment_file_id="note", today=NOW.date(), now=NOW,
            )  # fmt: skip
            ids[side] = {"employee_id": who, "request_id": request.id, "device_id": device.id, "date": "2026-11-20"}
        people = {"manager": company.manager_id, "hr": company.hr_id, "admin": admin.id}
    return ids, people


async def _audit(db) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(AuditLog))


def console_routes(app):
    return sorted((s.method, s.path) for s in served_routes(app) if s.dependant is not None and is_console(s.path))


async def test_every_console_route_answers_as_the_access_policy_says(app, client, db, world):
    ids, people = world
    routes = console_routes(app)
    assert len(routes) >= 25
    sessions = {}
    for caller, role in ROLES.items():
        who = people["admin" if caller == "admin" else "manager" if caller.startswith("manager") else "hr"]
        sessions[caller] = await signed_in(app, who, Role.ADMIN if caller == "admin" else role)
    for method, path in routes:
        rule = rule_for(method, path)
        assert rule is not None, f"{method} {path} has no rule"
        names = set(re.findall(r"{(\w+)}", path))
        for caller in ("anonymous", *ROLES):
            side = "out" if caller == "manager-other" else "in"
            url = path.format(**{n: ids[side][n] for n in names})
            headers, csrf = sessions.get(caller, ({}, "sign-in-token"))
            if caller == "anonymous":
                headers = {"Cookie": f"{SIGN_IN_CSRF_COOKIE}=sign-in-token"}
            data = {"csrf": csrf, "status": "present", "reason": "walk", "login": "nobody", "code": "1",
                    "init_data": "x", "locale": "en"} if method == "POST" else None  # fmt: skip
            before = await _audit(db)
            params = {"date": "2026-11-20", "month": "2026-11"} if method == "GET" else None
            response = await client.request(method, url, headers=headers, data=data, params=params)
            where = f"{caller} {method} {url}: {response.status_code}"
            if rule.public:
                assert response.status_code not in (401, 500), where
                continue
            role = "manager" if caller.startswith("manager") else caller
            scope = rule.grants.get(TokenRole(role)) if caller != "anonymous" else None
            outside = (
                caller == "manager-other" and bool(names & PERSONAL) and scope is not None and scope.value != "all"
            )
            if caller == "anonymous":
                assert response.status_code == (303 if method == "GET" else 401), where
                if method == "GET":
                    assert response.headers["location"].startswith("/console/sign-in"), where
            elif scope is None or outside:
                assert response.status_code == 403, where
                assert "text/html" in response.headers["content-type"], where
                assert await _audit(db) == before, f"refused {where} changed something"
            else:
                assert response.status_code not in (401, 403, 500), where + response.text[:300]
                if method == "GET":  # (no Telegram here to fetch an attachment from: 502)
                    assert response.status_code in ((200, 303, 502) if "attachment" in path else (200, 303)), where


async def test_a_manager_opening_another_departments_person_gets_the_403_page(app, client, world):
    ids, people = world
    headers, _csrf = await signed_in(app, people["manager"], Role.MANAGER)
    mine = await client.get(f"/console/people/{ids['in']['employee_id']}", headers=headers)
    assert mine.status_code == 200 and "Alice" in mine.text
    other = await client.get(f"/console/people/{ids['out']['employee_id']}", headers=headers)
    assert other.status_code == 403 and 'data-status="403"' in other.text and "Olga" not in other.text
    listed = await client.get("/console/people", headers=headers)
    assert "Alice" in listed.text and "Olga Outside" not in listed.text
