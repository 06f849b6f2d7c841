"""E-mail through a real local SMTP server: who is mailed, what arrives, and what happens when the server says no."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from sandbox.mail.server import LocalSmtpServer
from shared.domain.enums import Channel, ChannelChoice, OutboxStatus
from shared.model import Employee, LeaveRequest, OutboxMessage
from shared.notify.mail import email_payload
from shared.notify.outbox import enqueue_email
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.requests import request_leave
from tests.factories import Company, make_company
from tests.mail_support import PUBLIC_URL, mail_sender

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


async def _company(db: Database, **manager: object) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        await s.execute(update(Employee).where(Employee.id == company.manager_id).values(**manager))
    return company


async def _ask(db: Database, company: Company) -> LeaveRequest:
    async with db.transaction() as s:
        return await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 11, 30), end=date(2026, 12, 1), today=TODAY, now=NOW, reason="Family <visit>",
        )  # fmt: skip


async def _rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_an_approver_without_telegram_but_with_email_is_asked_by_email_with_links(
    db: Database, mail_on: LocalSmtpServer
):
    company = await _company(db, telegram_user_id=None, email="max@example.com")
    request = await _ask(db, company)
    assert request.approver_id == company.manager_id  # reachable by e-mail: not passed over to HR any more
    stats = await mail_sender(db).drain_once()
    assert stats.sent == 1
    [mail] = mail_on.mailbox.to("max@example.com")
    message = mail.message
    assert message["From"] == "Chronos <hr@chronos.test>" and message["Subject"] == "New leave request from Alice"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Reason: Family <visit>" in text and "Family &lt;visit&gt;" in html
    assert f"Approve: {PUBLIC_URL}/mail/leave/" in text and "?action=reject" in text
    assert f'href="{PUBLIC_URL}/mail/leave/' in html
    [row] = [r for r in await _rows(db) if r.channel is Channel.EMAIL]
    assert row.status is OutboxStatus.SENT and row.employee_id == company.manager_id


async def test_the_email_names_the_leave_type_and_dates_in_the_approvers_language(
    db: Database, mail_on: LocalSmtpServer
):
    from shared.model import LeaveType

    company = await _company(db, telegram_user_id=None, email="max@example.com", locale="ru")
    async with db.transaction() as s:
        (await s.get(LeaveType, company.annual_id)).name_translations = {"ru": "Ежегодный отпуск"}
    await _ask(db, company)
    await mail_sender(db).drain_once()
    [mail] = mail_on.mailbox.to("max@example.com")
    text = mail.message.get_body(("plain",)).get_content()
    assert "Ежегодный отпуск" in text and "Annual leave" not in text
    assert "30 нояб. 2026\u202fг." in text, "the date in the Russian CLDR style"


async def test_someone_who_chose_both_gets_the_telegram_message_and_the_email(db: Database, mail_on: LocalSmtpServer):
    company = await _company(db, email="max@example.com", notify_channels=ChannelChoice.BOTH)
    await _ask(db, company)
    rows = [r for r in await _rows(db) if r.employee_id == company.manager_id]
    assert sorted(r.channel for r in rows) == [Channel.EMAIL, Channel.TELEGRAM]
    assert len({r.ref for r in rows}) == 1  # one ref: "already sent" holds for both channels


async def test_without_smtp_an_email_only_approver_is_passed_over_as_before(db: Database):
    company = await _company(db, telegram_user_id=None, email="max@example.com")
    request = await _ask(db, company)
    assert request.approver_id == company.hr_id
    assert all(r.channel is Channel.TELEGRAM for r in await _rows(db))


async def _queue(db: Database, *addresses: str) -> None:
    async with db.transaction() as s:
        for address in addresses:
            enqueue_email(s, to=address, payload=email_payload(subject="Hi", text="hello", html="<p>hello</p>"))


async def test_a_refused_mailbox_is_dead_at_once_and_a_deferred_one_is_retried(db: Database, mail_on: LocalSmtpServer):
    mail_on.refuse.add("gone@example.com")
    mail_on.defer.add("full@example.com")
    await _queue(db, "gone@example.com", "full@example.com", "ok@example.com")
    stats = await mail_sender(db).drain_once()
    assert (stats.sent, stats.dead, stats.retried) == (1, 1, 1)
    gone, full, ok = await _rows(db)
    assert gone.status is OutboxStatus.DEAD and "550" in (gone.last_error or "")
    assert full.status is OutboxStatus.PENDING and full.attempts == 1 and "451" in (full.last_error or "")
    assert ok.status is OutboxStatus.SENT
    assert [m.rcpt_to for m in mail_on.mailbox.mails] == [["ok@example.com"]]


async def test_a_deferred_mail_goes_dead_after_the_last_attempt(db: Database, mail_on: LocalSmtpServer):
    mail_on.defer.add("full@example.com")
    await _queue(db, "full@example.com")
    sender = mail_sender(db, max_attempts=2)
    await sender.drain_once()
    await sender.drain_once(now=datetime(2100, 1, 1, tzinfo=UTC))
    [row] = await _rows(db)
    assert row.status is OutboxStatus.DEAD and row.attempts == 2


async def test_mail_waits_while_the_smtp_server_is_down_and_goes_when_it_is_back(
    db: Database, mail_on: LocalSmtpServer
):
    await _queue(db, "ok@example.com")
    await mail_on.stop()
    stats = await mail_sender(db).drain_once()
    [row] = await _rows(db)
    assert stats.retried == 1 and row.status is OutboxStatus.PENDING
    await mail_on.start()
    await mail_sender(db).drain_once(now=datetime(2100, 1, 1, tzinfo=UTC))
    assert len(mail_on.mailbox.mails) == 1


@pytest.fixture
async def locked_smtp(monkeypatch: pytest.MonkeyPatch):
    server = await LocalSmtpServer(credentials=("chronos", "s3cret")).start()
    try:
        yield server
    finally:
        await server.stop()


async def test_the_sender_logs_in_when_the_server_asks(db: Database, locked_smtp: LocalSmtpServer, monkeypatch):
    from shared.config import get_settings

    monkeypatch.setenv("SMTP_URL", locked_smtp.url())
    monkeypatch.setenv("MAIL_FROM", "hr@chronos.test")
    monkeypatch.setenv("SMTP_TIMEOUT_SECONDS", "2")  # aiosmtpd holds a refused login until the client gives up
    get_settings.cache_clear()
    try:
        await _queue(db, "ok@example.com")
        assert (await mail_sender(db).drain_once()).sent == 1
        assert len(locked_smtp.mailbox.mails) == 1
        locked_smtp.credentials = ("chronos", "changed")
        await _queue(db, "ok@example.com")
        stats = await mail_sender(db).drain_once()
        assert stats.retried == 1  # a refused login is our configuration: kept and retried, not dead
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_the_timesheet_xlsx_goes_by_email_as_an_attachment(db: Database, mail_on: LocalSmtpServer):
    from shared.i18n import translator
    from shared.reports.timesheet import timesheet_filename, timesheet_xlsx
    from shared.services.attendance.timesheet import load_timesheet
    from shared.services.notify.documents import mail_document

    company = await _company(db)
    async with db.transaction() as s:
        hana = await s.get(Employee, company.hr_id)
        hana.email = "hana@example.com"
        sheet = await load_timesheet(s, year=2026, month=11, today=TODAY)
        content = timesheet_xlsx(translator("en"), sheet)
        sent_to = await mail_document(s, person=hana, text="Timesheet for November 2026",
                                      filename=timesheet_filename(sheet, "xlsx"), content=content)  # fmt: skip
    assert sent_to == "hana@example.com"
    await mail_sender(db).drain_once()
    [mail] = mail_on.mailbox.to("hana@example.com")
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content() == content and attachment.get_filename().endswith(".xlsx")
    assert mail.message["Subject"] == "Timesheet for November 2026"


async def test_a_document_is_not_mailed_to_someone_without_an_address_or_without_smtp(db: Database, smtp):
    from shared.errors import Invalid
    from shared.services.notify.documents import mail_document

    company = await _company(db)
    async with db.transaction() as s:
        hana = await s.get(Employee, company.hr_id)
        hana.email = "hana@example.com"
        with pytest.raises(Invalid, match="not set up"):
            await mail_document(s, person=hana, text="x", filename="t.xlsx", content=b"x")
    assert await _rows(db) == []


async def test_reminders_and_escalations_reach_people_who_only_have_email(db: Database, mail_on: LocalSmtpServer):
    from datetime import timedelta

    from shared.services.notify.reminders import escalate_to_hr, remind_approvers

    company = await _company(db, telegram_user_id=None, email="max@example.com")
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.id == company.hr_id).values(telegram_user_id=None,
                                                                                     email="hana@example.com"))  # fmt: skip
    request = await _ask(db, company)
    later = TODAY + timedelta(days=5)
    async with db.transaction() as s:
        await s.execute(update(LeaveRequest).where(LeaveRequest.id == request.id).values(created_at=NOW))
    async with db.transaction() as s:
        reminded = await remind_approvers(s, today=later)
        escalated = await escalate_to_hr(s, today=later, after_days=3, company_timezone="Europe/Berlin", now=NOW)
    assert (reminded.reminded, reminded.unreachable, escalated.messages) == (1, 0, 1)
    await mail_sender(db).drain_once()
    [_asked, reminder] = mail_on.mailbox.to("max@example.com")
    assert "waits for your decision" in reminder.message["Subject"]
    [escalation] = mail_on.mailbox.to("hana@example.com")
    text = escalation.message.get_body(("plain",)).get_content()
    assert "Waiting for 5 days" in text and f"{PUBLIC_URL}/mail/leave/" in text


async def test_an_approver_asked_by_email_is_told_by_email_when_the_request_is_passed_on(
    db: Database, mail_on: LocalSmtpServer
):
    from shared.services.leave.decisions import reroute_pending

    company = await _company(db, telegram_user_id=None, email="max@example.com")
    request = await _ask(db, company)
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.id == company.manager_id).values(active=False))
    async with db.transaction() as s:
        assert await reroute_pending(s, today=TODAY, actor=Actor.system("test"), now=NOW) == 1
    async with db.session() as s:
        assert (await s.get(LeaveRequest, request.id)).approver_id == company.hr_id
    await mail_sender(db).drain_once()
    [_asked, passed_on] = mail_on.mailbox.to("max@example.com")
    assert "Passed on to Hana HR" in passed_on.message.get_body(("plain",)).get_content()


async def test_erasing_a_person_scrubs_the_emails_to_them(db: Database, mail_on: LocalSmtpServer):
    from shared.services.privacy.anonymise import anonymise_employee

    company = await _company(db, telegram_user_id=None, email="max@example.com")
    await _ask(db, company)
    async with db.transaction() as s:
        await anonymise_employee(s, actor=Actor.cli(), employee_id=company.manager_id, now=NOW, why="test")
    [row] = [r for r in await _rows(db) if r.channel is Channel.EMAIL]
    assert row.email_to is None and "Alice" not in str(row.payload.get("html"))
    assert "Alice" not in str(row.payload.get("subject"))
