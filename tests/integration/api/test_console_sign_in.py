"""Signing in to the console: the bot's one-time code (through the outbox), the Mini App's initData (valid,
tampered, expired), CSRF on every form, idle expiry; and a decision from the approvals page reaching the
employee's chat through the outbox."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlalchemy import select

from api.console_auth import SESSION_COOKIE, SIGN_IN_CSRF_COOKIE
from shared.config import Settings
from shared.domain.enums import LeaveStatus, Role
from shared.domain.webapp_init_data import sign_init_data
from shared.model import LeaveRequest, OutboxMessage
from shared.services.actor import Actor
from shared.services.leave.requests import request_leave
from tests.integration.api.conftest import NOW
from tests.integration.api.console_helpers import csrf_of, signed_in

TOKEN = "123456:console-test-token"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None, api_secret_key="api-test-secret", telegram_bot_token=TOKEN, api_request_timeout_seconds=120,
        console_idle_seconds=2, redis_prefix=f"console-{uuid.uuid4().hex[:10]}",  # the in-process Redis is shared
    )  # fmt: skip


def init_data(user_id: int, *, at: datetime = NOW, token: str = TOKEN) -> str:
    """Signed at the app's clock (the API tests' NOW) unless ``at`` says otherwise."""
    return sign_init_data(user={"id": user_id, "first_name": "Max"}, bot_token=token, now=at)


async def _form(client, path: str = "/console/sign-in") -> str:
    page = await client.get(path)
    assert page.status_code == 200
    return csrf_of(page.text)


# ------------------------------------------------------------------------------ initData, as Telegram specifies


async def test_the_mini_app_signs_a_manager_in_from_valid_init_data(client, company):
    csrf = await _form(client, "/console/telegram")
    answer = await client.post("/console/sign-in/telegram", data={"csrf": csrf, "init_data": init_data(9002)})
    assert answer.status_code == 303 and answer.headers["location"] == "/console", answer.text[-900:]
    cookie = answer.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = await client.get("/console/approvals")
    assert page.status_code == 200 and "Sign out" in page.text


async def test_tampered_or_expired_init_data_starts_no_session(client, company):
    csrf = await _form(client, "/console/telegram")
    fields = dict(parse_qsl(init_data(9004)))  # Bob, an employee: forge him into Max (9002)
    forged = urlencode({**fields, "user": fields["user"].replace("9004", "9002")})
    old = init_data(9002, at=NOW - timedelta(minutes=10))
    for data in (forged, old, init_data(9004)):  # the last is genuine, but employees have no console
        answer = await client.post("/console/sign-in/telegram", data={"csrf": csrf, "init_data": data})
        assert answer.status_code == 403 and f"{SESSION_COOKIE}=" not in answer.headers.get("set-cookie", "")
    assert (await client.get("/console/approvals")).status_code == 303


# ------------------------------------------------------------------------------ the bot's one-time code


async def test_a_code_sent_through_the_outbox_signs_hr_in_once(client, db, company):
    csrf = await _form(client)
    asked = await client.post("/console/sign-in/code", data={"csrf": csrf, "login": "hr1"})
    assert asked.status_code == 200 and 'name="code"' in asked.text
    async with db.session() as s:
        row = await s.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 9001))
    code = re.search(r"\b(\d{6})\b", row.payload["text"]).group(1)
    wrong = await client.post(
        "/console/sign-in/verify",
        data={"csrf": csrf, "login": "HR1", "code": "000000" if code != "000000" else "111111"},
    )
    assert wrong.status_code == 422 and f"{SESSION_COOKIE}=" not in wrong.headers.get("set-cookie", "")
    right = await client.post("/console/sign-in/verify", data={"csrf": csrf, "login": "HR1", "code": code})
    assert right.status_code == 303 and SESSION_COOKIE in right.headers["set-cookie"]
    client.cookies.clear()
    csrf = await _form(client)
    again = await client.post("/console/sign-in/verify", data={"csrf": csrf, "login": "HR1", "code": code})
    assert again.status_code == 422, "a code works once"


async def test_asking_a_code_for_an_employee_or_a_stranger_sends_nothing_and_says_the_same(client, db, company):
    csrf = await _form(client)
    answers = [
        (await client.post("/console/sign-in/code", data={"csrf": csrf, "login": login})).text
        for login in ("A1", "nobody@example.com")
    ]
    assert all('name="code"' in a for a in answers)
    async with db.session() as s:
        assert (await s.scalars(select(OutboxMessage))).all() == []


async def test_codes_are_limited_to_five_an_hour_per_person(client, db, company):
    csrf = await _form(client)
    for _ in range(7):
        await client.post("/console/sign-in/code", data={"csrf": csrf, "login": "M1"})
    async with db.session() as s:
        assert len((await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 9002))).all()) == 5


# ------------------------------------------------------------------------------ CSRF and idle expiry


async def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(app, client, db, company):
    async with db.transaction() as s:
        request = await request_leave(
            s, actor=Actor.cli(), employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2027, 3, 1), end=date(2027, 3, 2), today=date(2026, 12, 1), now=datetime.now(UTC),
        )  # fmt: skip
    headers, _csrf = await signed_in(app, company.manager_id, Role.MANAGER)
    for token in ("", "forged", None):
        data = {"csrf": token} if token is not None else {}
        refused = await client.post(f"/console/leaves/{request.id}/approve", headers=headers, data=data)
        assert refused.status_code == 403 and "form has expired" in refused.text
    _other_headers, other_csrf = await signed_in(app, company.hr_id, Role.HR)
    cross = await client.post(f"/console/leaves/{request.id}/approve", headers=headers, data={"csrf": other_csrf})
    assert cross.status_code == 403, "another session's token is no good"
    async with db.session() as s:
        assert (await s.get(LeaveRequest, request.id)).status is LeaveStatus.PENDING
    csrf_cookie_only = await client.post(
        "/console/sign-in/code", headers={"Cookie": f"{SIGN_IN_CSRF_COOKIE}=abc"}, data={"csrf": "xyz", "login": "HR1"}
    )
    assert csrf_cookie_only.status_code == 403


async def test_a_session_left_idle_ends_and_the_page_asks_to_sign_in_again(app, client, company):
    headers, _csrf = await signed_in(app, company.hr_id, Role.HR)
    assert (await client.get("/console/people", headers=headers)).status_code == 200
    await asyncio.sleep(1.2)
    assert (await client.get("/console/people", headers=headers)).status_code == 200, "use renews the session"
    await asyncio.sleep(2.5)
    ended = await client.get("/console/people", headers=headers)
    assert ended.status_code == 303 and ended.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fpeople"
    polled = await client.get("/console/today/board", headers={**headers, "HX-Request": "true"})
    assert polled.status_code == 204 and polled.headers["HX-Redirect"] == "/console/sign-in"


# ------------------------------------------------------------------------------ approving from the page


async def test_approving_on_the_approvals_page_tells_the_employee_through_the_outbox(app, client, db, company):
    async with db.transaction() as s:
        request = await request_leave(
            s, actor=Actor.cli(), employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2027, 3, 1), end=date(2027, 3, 2), today=date(2026, 12, 1), now=datetime.now(UTC),
        )  # fmt: skip
    headers, _csrf = await signed_in(app, company.manager_id, Role.MANAGER)
    page = await client.get("/console/approvals", headers=headers)
    assert f'id="request-{request.id}"' in page.text and "Alice" in page.text
    rejected = await client.post(
        f"/console/leaves/{request.id}/reject", headers=headers, data={"csrf": csrf_of(page.text), "reason": ""}
    )
    assert rejected.status_code == 422, "a rejection needs a reason"
    approved = await client.post(f"/console/leaves/{request.id}/approve", headers=headers,
                                 data={"csrf": csrf_of(page.text)})  # fmt: skip
    assert approved.status_code == 303
    async with db.session() as s:
        assert (await s.get(LeaveRequest, request.id)).status is LeaveStatus.APPROVED
        told = (await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 9003))).all()
    assert any("Max Manager" in m.payload.get("text", "") for m in told)
    again = await client.post(f"/console/leaves/{request.id}/approve", headers=headers,
                              data={"csrf": csrf_of(page.text)})  # fmt: skip
    assert again.status_code == 409


async def test_cookies_are_secure_except_over_plain_http_in_dev(db, company, clock):
    import httpx

    from api.main import create_app
    from shared.redis_client import create_redis

    for stage, base, secure in (("dev", "http://t", False), ("dev", "https://t", True), ("prod", "https://t", True)):
        settings = Settings(_env_file=None, api_secret_key="a-long-random-secret-for-tests", stage=stage,
                            telegram_bot_token=TOKEN, api_request_timeout_seconds=120)  # fmt: skip
        app = create_app(settings, db, create_redis(""), clock=clock)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client:
            csrf = await _form(client, "/console/telegram")
            answer = await client.post("/console/sign-in/telegram", data={"csrf": csrf, "init_data": init_data(9002)})
        cookie = answer.headers["set-cookie"]
        assert answer.status_code == 303 and ("; Secure" in cookie) is secure, (stage, base, cookie)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        form = await client.get("/console/sign-in")
    assert "; Secure" in form.headers["set-cookie"], "in prod even a plain-http answer sets Secure cookies"
