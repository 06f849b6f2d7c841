"""Retention, erasure, legal holds and the subject-access archive, against both databases."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from shared.domain.enums import Direction, PunchSource
from shared.errors import Conflict, Forbidden, Invalid
from shared.i18n import translator
from shared.model import (
    AuditLog,
    ComplianceViolation,
    DailyAttendance,
    Employee,
    LeaveRequest,
    OutboxMessage,
    Punch,
)
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.punches import record_punch
from shared.services.leave.requests import request_leave
from shared.services.privacy.retention import erase_employee, run_retention, set_legal_hold
from shared.services.privacy.subject_access import employee_by_code, export_person
from tests.factories import Company, make_company

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
HR = Actor.cli()


@pytest.fixture
async def company(db: Database) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        alice = await s.get(Employee, company.alice_id)
        alice.email, alice.phone = "alice@example.org", "+49 30 1234"
        await request_leave(
            s, actor=HR, employee_id=company.alice_id, leave_type_id=company.sick_id, start=date(2026, 11, 25), attachment_file_id="note",
            end=date(2026, 11, 26), reason="my private reason", today=TODAY, now=NOW,
        )  # fmt: skip
        await record_punch(
            s, actor=HR, employee_id=company.alice_id, direction=Direction.IN, instant=NOW - timedelta(days=3),
            source=PunchSource.MANUAL, now=NOW, company_timezone="Europe/Berlin", note="forgot the badge",
            latitude=52.5, longitude=13.4,
        )  # fmt: skip
        s.add(
            ComplianceViolation(
                employee_id=company.alice_id, rule="break", period_start=TODAY, period_end=TODAY, limit_value=360,
                actual=400, excess=40, unit="minutes", acknowledged_at=NOW, acknowledged_by="employee:1",
                acknowledgement_comment="talked to Alice about her health",
            )
        )  # fmt: skip
        s.add(OutboxMessage(chat_id=9003, payload={"kind": "message", "text": "Hi Alice, private"}))
    return company


async def _alice(db: Database, company: Company) -> Employee:
    async with db.session() as s:
        return await s.get(Employee, company.alice_id)


async def test_erasure_replaces_personal_data_and_keeps_the_numbers(db: Database, company: Company):
    async with db.transaction() as s:
        counts = await erase_employee(s, actor=company.hr, employee_id=company.alice_id, now=NOW)
    assert counts["punches"] == 1 and counts["leave_requests"] == 1 and counts["outbox"] >= 2  # hers, her request's
    alice = await _alice(db, company)
    assert alice.full_name == "Anonymised A1" and alice.code == "A1"
    assert (alice.email, alice.phone, alice.telegram_user_id, alice.active) == (None, None, None, False)
    assert alice.anonymised_at == NOW
    async with db.session() as s:
        punch = await s.scalar(select(Punch).where(Punch.employee_id == company.alice_id))
        request = await s.scalar(select(LeaveRequest).where(LeaveRequest.employee_id == company.alice_id))
        violation = await s.scalar(select(ComplianceViolation))
        messages = list(await s.scalars(select(OutboxMessage)))
        audit_text = json.dumps([[a.old, a.new] for a in await s.scalars(select(AuditLog))])
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "anonymise"))
    assert punch.instant == NOW - timedelta(days=3) and punch.note is None and punch.latitude is None
    assert request.reason is None and request.working_days == 2
    assert violation.acknowledgement_comment == "[anonymised]" and violation.excess == 40
    assert messages and {m.payload.get("text") or m.payload.get("caption") for m in messages} == {"[anonymised]"}
    for secret in ("Alice", "alice@example.org", "my private reason", "forgot the badge"):
        assert secret not in audit_text, secret
    # The latitude as a number of its own: a timestamp's seconds ("15:35:52.513") must not count (1 run in ~100).
    assert not re.search(r"(?<![\d:.])52\.5(?!\d)", audit_text), audit_text
    assert entry.entity_id == str(company.alice_id) and entry.new["why"] == "request"


async def test_a_legal_hold_refuses_erasure_with_a_clear_message_until_it_is_lifted(db: Database, company: Company):
    async with db.transaction() as s:
        with pytest.raises(Invalid):
            await set_legal_hold(s, actor=company.hr, employee_id=company.alice_id, hold=True, reason=" ")
        with pytest.raises(Forbidden):
            await set_legal_hold(s, actor=company.manager, employee_id=company.alice_id, hold=True, reason="case")
        await set_legal_hold(s, actor=company.hr, employee_id=company.alice_id, hold=True, reason="Case 12/2026")
    async with db.transaction() as s:
        with pytest.raises(Conflict) as refused:
            await erase_employee(s, actor=company.hr, employee_id=company.alice_id, now=NOW)
    assert refused.value.render(translator("en")) == (
        "Alice is under a legal hold: their data cannot be anonymised until HR lifts the hold."
    )
    assert "удержанием" in refused.value.render(translator("ru"))
    assert (await _alice(db, company)).full_name == "Alice"
    async with db.transaction() as s:
        await set_legal_hold(s, actor=company.hr, employee_id=company.alice_id, hold=False)
        await erase_employee(s, actor=company.hr, employee_id=company.alice_id, now=NOW)
    async with db.transaction() as s:
        with pytest.raises(Conflict):
            await erase_employee(s, actor=company.hr, employee_id=company.alice_id, now=NOW)


async def test_only_hr_may_erase(db: Database, company: Company):
    async with db.transaction() as s:
        with pytest.raises(Forbidden):
            await erase_employee(s, actor=company.manager, employee_id=company.alice_id, now=NOW)


async def _leavers(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        alice, bob = await s.get(Employee, company.alice_id), await s.get(Employee, company.bob_id)
        alice.leaving_date, alice.active = date(2019, 6, 30), False
        bob.leaving_date, bob.active, bob.legal_hold = date(2018, 1, 31), False, True
        manager = await s.get(Employee, company.manager_id)
        manager.leaving_date = date(2022, 1, 1)  # left less than five years ago


async def test_a_retention_dry_run_names_who_is_due_and_writes_nothing(db: Database, company: Company):
    await _leavers(db, company)
    async with db.session() as s:
        audits = await s.scalar(select(func.count()).select_from(AuditLog))
    async with db.transaction() as s:
        report = await run_retention(s, actor=HR, today=TODAY, now=NOW, years=5, dry_run=True)
    assert report.cutoff == date(2021, 11, 23)
    assert [d.code for d in report.due] == ["A1"] and [d.code for d in report.held] == ["B1"]
    assert report.anonymised == 0 and (await _alice(db, company)).full_name == "Alice"
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(AuditLog)) == audits


async def test_retention_anonymises_who_left_long_ago_except_under_a_legal_hold(db: Database, company: Company):
    await _leavers(db, company)
    async with db.transaction() as s:
        report = await run_retention(s, actor=HR, today=TODAY, now=NOW, years=5, dry_run=False)
    assert report.anonymised == 1
    async with db.session() as s:
        names = dict((await s.execute(select(Employee.code, Employee.full_name))).all())
        days = await s.scalar(select(func.count()).select_from(DailyAttendance))
    assert names["A1"] == "Anonymised A1" and names["B1"] == "Bob" and names["M1"] == "Max Manager"
    async with db.transaction() as s:
        again = await run_retention(s, actor=HR, today=TODAY, now=NOW, years=5, dry_run=False)
    assert again.anonymised == 0 and days is not None
    async with db.transaction() as s:
        assert (await run_retention(s, actor=HR, today=TODAY, now=NOW, years=0, dry_run=False)).cutoff is None


async def test_the_subject_access_archive_holds_everything_about_the_person_and_is_audited(
    db: Database, company: Company
):
    async with db.transaction() as s:
        name, content = await export_person(
            s, actor=company.hr, employee_id=company.alice_id, now=NOW, t=translator("en")
        )
    assert name == "chronos-person-A1.zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(archive.namelist()) == ["person.json", "person.xlsx"]
    data = json.loads(archive.read("person.json"))
    tables = data["tables"]
    assert tables["employee"][0]["email"] == "alice@example.org"
    assert tables["leave_requests"][0]["reason"] == "my private reason"
    assert tables["punches"][0]["note"] == "forgot the badge"
    assert "Hi Alice, private" in [m["payload"]["text"] for m in tables["outbox"]]
    assert {a["entity"] for a in tables["audit_log"]} >= {"leave_request", "punch"}
    assert all("code_hash" not in i for i in tables["invitations"])
    book = load_workbook(io.BytesIO(archive.read("person.xlsx")))
    assert {"Person", "Punches", "Leave requests", "Audit log"} <= set(book.sheetnames)
    async with db.session() as s:
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "export"))
        assert entry.entity_id == str(company.alice_id) and entry.new["punches"] == 1
        assert (await employee_by_code(s, " A1 ")).id == company.alice_id
    async with db.transaction() as s:
        with pytest.raises(Forbidden):
            await export_person(s, actor=company.manager, employee_id=company.alice_id, now=NOW, t=translator("en"))
