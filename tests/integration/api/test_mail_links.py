"""Acting from an e-mail, end to end: the mail arrives at a real SMTP server, its links work against the API.

A GET never decides (mail scanners open links); the form's POST decides once, with the rules of the buttons.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import select, update

from sandbox.mail.server import LocalSmtpServer
from shared.domain.enums import Channel, LeaveStatus
from shared.model import Employee, LeaveRequest, OutboxMessage
from shared.persistence import Database
from shared.services.leave.requests import request_leave
from tests.factories import Company
from tests.integration.api.conftest import NOW, Clock
from tests.mail_support import PUBLIC_URL, mail_sender

TODAY = NOW.date()


@pytest.fixture
async def mailed(db: Database, company: Company, mail_on: LocalSmtpServer) -> tuple[LeaveRequest, EmailMessage]:
    """Max (Alice's manager) has no Telegram, only e-mail; Alice asks for leave; the approval mail arrives."""
    async with db.transaction() as s:
        await s.execute(
            update(Employee).where(Employee.id == company.manager_id).values(telegram_user_id=None, email="max@x.io")
        )
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 11, 30), end=date(2026, 12, 1), today=TODAY, now=NOW,
        )  # fmt: skip
    await mail_sender(db).drain_once()
    [mail] = mail_on.mailbox.to("max@x.io")
    return request, mail.message


def _link(message: EmailMessage, label: str) -> str:
    text = message.get_body(("plain",)).get_content()
    url = re.search(rf"^{label}: (\S+)", text, re.M)
    assert url is not None, text
    return url.group(1).removeprefix(PUBLIC_URL)


def _form(page: httpx.Response) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    assert action is not None, page.text
    return action.group(1), fields


async def _status(db: Database, request_id: int) -> LeaveStatus:
    async with db.session() as s:
        request = await s.get(LeaveRequest, request_id)
        assert request is not None
        return request.status


async def test_opening_the_approve_link_decides_nothing_and_its_form_approves_once(
    client: httpx.AsyncClient, db: Database, mailed: tuple[LeaveRequest, EmailMessage], company: Company
):
    request, message = mailed
    page = await client.get(_link(message, "Approve"))
    assert page.status_code == 200 and "Approve this leave request?" in page.text and "Alice" in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert await _status(db, request.id) is LeaveStatus.PENDING  # a scanner's GET changes nothing
    action, fields = _form(page)
    done = await client.post(action, data={**fields, "comment": "Enjoy"})
    assert done.status_code == 200 and "approved" in done.text
    assert await _status(db, request.id) is LeaveStatus.APPROVED
    again = await client.post(action, data={**fields, "comment": "Enjoy"})
    assert again.status_code == 409 and "already used" in again.text
    async with db.session() as s:
        decided = await s.get(LeaveRequest, request.id)
        told = await s.scalars(select(OutboxMessage).where(OutboxMessage.employee_id == company.alice_id))
        assert decided is not None and decided.decided_by_id == company.manager_id
        assert any(r.channel is Channel.TELEGRAM for r in told)  # Alice is told, as after a button press


async def test_a_post_without_the_forms_csrf_value_acts_on_nothing(
    client: httpx.AsyncClient, db: Database, mailed: tuple[LeaveRequest, EmailMessage]
):
    request, message = mailed
    action = _link(message, "Approve").split("?")[0]
    forged = await client.post(action, data={"action": "approve"})
    assert forged.status_code == 400
    assert await _status(db, request.id) is LeaveStatus.PENDING


async def test_rejecting_needs_a_reason_and_the_link_still_works_after_a_refusal(
    client: httpx.AsyncClient, db: Database, mailed: tuple[LeaveRequest, EmailMessage]
):
    request, message = mailed
    page = await client.get(_link(message, "Reject"))
    assert "Why is it rejected?" in page.text
    action, fields = _form(page)
    empty = await client.post(action, data={**fields, "comment": "  "})
    assert empty.status_code == 422 and "say why" in empty.text
    assert await _status(db, request.id) is LeaveStatus.PENDING
    done = await client.post(action, data={**fields, "comment": "Release week"})
    assert done.status_code == 200 and await _status(db, request.id) is LeaveStatus.REJECTED


async def test_an_expired_link_shows_why_and_decides_nothing(
    client: httpx.AsyncClient, db: Database, mailed: tuple[LeaveRequest, EmailMessage], clock: Clock
):
    request, message = mailed
    action, fields = _form(await client.get(_link(message, "Approve")))
    clock.advance(timedelta(hours=73))
    page = await client.get(_link(message, "Approve"))
    assert page.status_code == 409 and "expired" in page.text
    late = await client.post(action, data=fields)
    assert late.status_code == 409 and await _status(db, request.id) is LeaveStatus.PENDING


async def test_a_request_decided_in_telegram_meanwhile_is_reported_not_decided_again(
    client: httpx.AsyncClient, db: Database, mailed: tuple[LeaveRequest, EmailMessage], company: Company
):
    from shared.services.leave.decisions import decide_leave

    request, message = mailed
    action, fields = _form(await client.get(_link(message, "Approve")))
    async with db.transaction() as s:
        await decide_leave(
            s, actor=company.hr, request_id=request.id, approve=False, comment="No", today=TODAY, now=NOW
        )
    page = await client.get(_link(message, "Approve"))
    assert page.status_code == 409 and "already rejected" in page.text
    late = await client.post(action, data=fields)
    assert late.status_code == 409 and await _status(db, request.id) is LeaveStatus.REJECTED


async def test_a_link_that_was_never_sent_is_not_found(client: httpx.AsyncClient, mail_on: LocalSmtpServer):
    page = await client.get("/mail/leave/not-a-real-token-at-all")
    assert page.status_code == 404 and "not valid" in page.text
    post = await client.post("/mail/unsubscribe/1.deadbeef")
    assert post.status_code == 404
