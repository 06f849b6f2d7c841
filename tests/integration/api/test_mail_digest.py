"""The HR digest by e-mail: the XLSX attached, the undelivered section, a working List-Unsubscribe link."""

from __future__ import annotations

from datetime import date

import httpx
from openpyxl import load_workbook
from sqlalchemy import update

from sandbox.mail.server import LocalSmtpServer
from shared.domain.digest import DeadMessage, EmployeeInfo, build_digest
from shared.model import Employee
from shared.persistence import Database
from shared.services.notify.delivery import send_digest
from tests.factories import Company
from tests.mail_support import PUBLIC_URL, mail_sender

DAY = date(2026, 11, 22)


def _digest():
    people = {7: EmployeeInfo(7, "Z7", "Zed")}
    return build_digest(
        date=DAY, results=[], employees=people, dead_outbox=1, today=date(2026, 11, 23),
        dead_messages=[DeadMessage("email", 7, "zed@x.io", "550 5.1.1 mailbox unavailable")],
    )  # fmt: skip


async def _send(db: Database):
    async with db.transaction() as s:
        return await send_digest(
            s, digest=_digest(), company_timezone="Europe/Berlin", default_locale="en", resend=True
        )


async def test_hr_gets_the_digest_by_email_with_the_workbook_and_can_unsubscribe_in_one_click(
    client: httpx.AsyncClient, db: Database, company: Company, mail_on: LocalSmtpServer
):
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.id == company.hr_id).values(telegram_user_id=None,
                                                                                     email="hana@x.io"))  # fmt: skip
    delivery = await _send(db)
    assert delivery.emailed == 1
    await mail_sender(db).drain_once()
    [mail] = mail_on.mailbox.to("hana@x.io")
    message = mail.message
    assert message["Subject"] == "Chronos digest for Nov 22, 2026"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert "Zed (e-mail, zed@x.io): 1 — 550 5.1.1 mailbox unavailable" in text  # the undelivered section
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith(".xlsx")
    import io

    assert load_workbook(io.BytesIO(attachment.get_content())).sheetnames

    url = str(message["List-Unsubscribe"]).strip().strip("<>").removeprefix(PUBLIC_URL)
    form = await client.get(url)
    assert form.status_code == 200, (url, form.text)
    assert "Stop the daily digest by e-mail?" in form.text
    async with db.session() as s:
        assert (await s.get(Employee, company.hr_id)).digest_email is True  # the GET changed nothing
    clicked = await client.post(url, content=b"List-Unsubscribe=One-Click",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert clicked.status_code == 200 and "no longer get the digest by e-mail" in clicked.text
    async with db.session() as s:
        assert (await s.get(Employee, company.hr_id)).digest_email is False
    again = await _send(db)
    assert (again.emailed, again.unsubscribed) == (0, 1)


async def test_a_forged_unsubscribe_link_changes_nothing(
    client: httpx.AsyncClient, db: Database, company: Company, mail_on: LocalSmtpServer
):
    answer = await client.post(f"/mail/unsubscribe/{company.hr_id}.0000000000000000")
    assert answer.status_code == 404
    async with db.session() as s:
        assert (await s.get(Employee, company.hr_id)).digest_email is True
