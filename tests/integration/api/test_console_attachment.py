"""A leave request's attachment opens from the console: fetched from Telegram (getFile, then the file URL)
for HR and the employee's managers, through the Telegram emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from sandbox.telegram import EmulatorClient, EmulatorThread
from shared.config import Settings
from shared.domain.enums import Role
from shared.model import LeaveRequest
from shared.services.actor import Actor
from shared.services.leave.requests import request_leave
from tests.integration.api.console_helpers import signed_in

PDF = b"%PDF-1.4 a medical certificate"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorThread]:
    with EmulatorThread(port=0) as server:
        yield server


@pytest.fixture
def settings(emulator: EmulatorThread) -> Settings:
    return Settings(
        _env_file=None, api_secret_key="api-test-secret", api_request_timeout_seconds=120,
        telegram_bot_token=emulator.token, telegram_api_url=emulator.base_url,
        telegram_file_url=emulator.base_file_url,
    )  # fmt: skip


async def test_hr_and_the_manager_download_the_attachment_and_an_employee_cannot(app, client, db, company, emulator):
    async with EmulatorClient(emulator.url, timeout=10.0) as control:
        await control.ensure_user(9003, "Alice")
        sent = await control.send_document(9003, PDF, "certificate.pdf", mime_type="application/pdf")
    file_id = sent["message"]["document"]["file_id"]
    async with db.transaction() as s:
        request = await request_leave(
            s, actor=Actor.cli(), employee_id=company.alice_id, leave_type_id=company.sick_id,
            start=date(2027, 3, 1), end=date(2027, 3, 2), attachment_file_id="placeholder",
            today=date(2026, 12, 1), now=datetime.now(UTC),
        )  # fmt: skip
        await s.execute(update(LeaveRequest).where(LeaveRequest.id == request.id).values(attachment_file_id=file_id))
    for who, role in ((company.hr_id, Role.HR), (company.manager_id, Role.MANAGER)):
        headers, _csrf = await signed_in(app, who, role)
        page = await client.get(f"/console/leaves/{request.id}", headers=headers)
        assert f"/console/leaves/{request.id}/attachment" in page.text
        answer = await client.get(f"/console/leaves/{request.id}/attachment", headers=headers)
        assert answer.status_code == 200 and answer.content == PDF
        assert "attachment" in answer.headers["content-disposition"]
    nobody, _csrf = await signed_in(app, company.bob_id, Role.EMPLOYEE)
    refused = await client.get(f"/console/leaves/{request.id}/attachment", headers=nobody)
    assert refused.status_code in (303, 403)
