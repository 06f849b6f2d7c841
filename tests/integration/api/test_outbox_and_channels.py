"""HR sees each notification's state per channel, and sets a person's channels through the API."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from shared.domain.enums import ChannelChoice
from shared.model import AuditLog, Employee
from shared.notify.mail import email_payload
from shared.notify.outbox import enqueue_email, enqueue_message
from shared.persistence import Database
from tests.factories import Company


async def test_hr_lists_dead_emails_with_the_servers_answer(
    client: httpx.AsyncClient, db: Database, company: Company, staff: dict[str, dict[str, str]]
):
    async with db.transaction() as s:
        mail = enqueue_email(s, to="gone@example.com", payload=email_payload(subject="Hi", text="t", html="<p>t</p>"),
                             employee_id=company.bob_id)  # fmt: skip
        enqueue_message(s, chat_id=9004, text="hello", employee_id=company.bob_id)
        await s.flush()
        mail.status, mail.attempts, mail.last_error = "dead", 1, "550 5.1.1 mailbox unavailable"
    answer = await client.get("/api/v1/outbox", params={"status": "dead", "channel": "email"}, headers=staff["hr"])
    assert answer.status_code == 200
    [row] = answer.json()["items"]
    assert (row["recipient"], row["subject"], row["last_error"], row["employee_id"]) == (
        "gone@example.com", "Hi", "550 5.1.1 mailbox unavailable", company.bob_id,
    )  # fmt: skip
    both = await client.get("/api/v1/outbox", params={"employee_id": company.bob_id}, headers=staff["hr"])
    assert sorted(r["channel"] for r in both.json()["items"]) == ["email", "telegram"]
    assert (await client.get("/api/v1/outbox", headers=staff["manager"])).status_code == 403


async def test_hr_sets_someones_channels_and_a_wrong_value_writes_nothing(
    client: httpx.AsyncClient, db: Database, company: Company, staff: dict[str, dict[str, str]]
):
    url = f"/api/v1/employees/{company.bob_id}"
    changed = await client.patch(url, json={"notify_channels": "both", "email": "bob@example.com"}, headers=staff["hr"])
    assert changed.status_code == 200 and changed.json()["notify_channels"] == "both"
    wrong = await client.patch(url, json={"notify_channels": "pigeon"}, headers=staff["hr"])
    assert wrong.status_code == 422
    async with db.session() as s:
        assert (await s.get(Employee, company.bob_id)).notify_channels is ChannelChoice.BOTH
        assert await s.scalar(select(AuditLog).where(AuditLog.entity == "employee", AuditLog.action == "update"))
    off = await client.patch(url, json={"digest_email": False}, headers=staff["hr"])
    assert off.status_code == 200 and off.json()["digest_email"] is False
