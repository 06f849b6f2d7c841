"""hr_digest: every HR person gets yesterday's exceptions in their language, with the same rows as XLSX, once.

Assertions here hold whatever the catalogs say (names, numbers, CLDR dates from Babel, labels computed with
the reader's translator); phrases that need a translation are in test_digest_locales.py.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from babel.dates import format_date
from openpyxl import load_workbook

from scheduler.runner import JobRunner
from shared.domain.digest import DigestKind
from shared.domain.enums import DeviceStatus, Direction, JobStatus, LeaveStatus, OutboxStatus, PunchSource, Role
from shared.i18n import translator
from shared.model import Device, Employee, LeaveRequest, OutboxMessage, Punch
from shared.persistence import Database
from shared.reports.digest_render import kind_label
from tests.factories import Company, make_company
from tests.integration.scheduler.support import berlin, outbox

THURSDAY, FRIDAY, SUNDAY = date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 15)
READERS = {9001: "en", 9101: "ru", 9102: "ar"}


@pytest.fixture
async def company(db: Database) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        s.add_all(
            [
                Employee(code="HR2", full_name="Rustam HR", role=Role.HR, telegram_user_id=9101, locale="ru"),
                Employee(code="AD1", full_name="Amal Admin", role=Role.ADMIN, telegram_user_id=9102, locale="ar"),
                Employee(code="HR3", full_name="Nora HR", role=Role.HR),  # no Telegram: counted, not sent
            ]
        )
    return company


async def _thursday(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        gate = Device(name="Gate", host="10.0.0.9", status=DeviceStatus.OFFLINE, last_error="timed out")
        s.add(gate)
        await s.flush()

        def punch(employee_id: int | None, hh: int, mm: int, direction: Direction, **kw: object) -> Punch:
            return Punch(employee_id=employee_id, source=PunchSource.DEVICE, instant=berlin(THURSDAY, hh, mm),
                         direction=direction, **kw)  # fmt: skip

        s.add_all(
            [
                punch(company.alice_id, 9, 40, Direction.IN),
                punch(company.alice_id, 18, 0, Direction.OUT),
                punch(company.bob_id, 9, 0, Direction.IN),
                punch(None, 8, 0, Direction.UNKNOWN, device_id=gate.id, device_user_id="777"),
                LeaveRequest(
                    employee_id=company.manager_id, leave_type_id=company.annual_id, start_date=FRIDAY,
                    end_date=FRIDAY, working_days=1, status=LeaveStatus.APPROVED,
                ),
                OutboxMessage(chat_id=1, payload={"kind": "message", "text": "x"}, status=OutboxStatus.DEAD),
            ]
        )  # fmt: skip


async def test_every_hr_reader_gets_the_digest_in_their_language_with_the_xlsx(
    db: Database, runner: JobRunner, company: Company
):
    await _thursday(db, company)
    run = await runner.run("hr_digest", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS, run.error
    assert run.counts["date"] == "2026-11-19" and run.counts["quiet"] is False
    assert run.counts["rows_written"] == 7  # the day had not been processed: the job did it first
    assert (run.counts["recipients"], run.counts["sent"], run.counts["attachments"]) == (4, 3, 3)
    assert (run.counts["unreachable"], run.counts["unknown_users"], run.counts["offline_devices"]) == (1, 1, 1)
    assert (run.counts["dead_messages"], run.counts["out_today"]) == (1, 1)
    for chat_id, locale in READERS.items():
        message, document = await outbox(db, chat_id)
        text = message.payload["text"]
        assert format_date(THURSDAY, "full", locale=locale) in text
        for name in ("Alice", "Bob", "Hana HR", "Max Manager", "Gate", "777"):
            assert name in text
        assert "40" in text  # Alice's late minutes
        assert message.ref is not None and message.ref.startswith("digest:2026-11-19:")
        assert document.payload["kind"] == "document"
        assert document.payload["filename"] == "chronos-digest-2026-11-19.xlsx"
        assert translator(locale).format_date(THURSDAY) in document.payload["caption"]  # CLDR yMMMd, isolated in Arabic
        t = translator(locale)
        book = load_workbook(io.BytesIO(document.attachment))
        # row 1 of each sheet is the caption naming the day, row 2 the header; dates and times are real cells
        exceptions = [row[1:] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
        assert {row[0] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)} == {datetime(2026, 11, 19)}
        assert ("Ops", "A1", "Alice", kind_label(t, DigestKind.LATE), 40) in exceptions
        assert ("Ops", "B1", "Bob", kind_label(t, DigestKind.MISSING_CHECKOUT), None) in exceptions
        assert {row[2] for row in exceptions if row[3] == kind_label(t, DigestKind.ABSENT)} >= {"Hana HR"}
        unknown = list(book.worksheets[1].iter_rows(min_row=3, values_only=True))
        assert unknown == [("Gate", "777", 1, datetime(2026, 11, 19, 8), datetime(2026, 11, 19, 8))]
        out = list(book.worksheets[2].iter_rows(min_row=3, values_only=True))
        assert [(row[2], row[3]) for row in out] == [("Max Manager", "Annual leave")]
        devices = list(book.worksheets[3].iter_rows(min_row=3, values_only=True))
        assert devices == [("Gate", None, "timed out")]
        assert bool(book.worksheets[0].sheet_view.rightToLeft) == (locale == "ar")


async def test_the_digest_is_written_once_per_reader_and_day_unless_resent(
    db: Database, runner: JobRunner, company: Company
):
    await _thursday(db, company)
    await runner.run("hr_digest", trigger="schedule")
    again = await runner.run("hr_digest", trigger="cli")
    assert again is not None and (again.counts["sent"], again.counts["already_sent"]) == (0, 3)
    assert len(await outbox(db, 9001)) == 2
    resent = await runner.run("hr_digest", trigger="cli", resend=True)
    assert resent is not None and resent.counts["sent"] == 3
    assert len(await outbox(db, 9001)) == 4


async def test_a_quiet_day_is_one_line_and_no_spreadsheet(db: Database, runner: JobRunner, company: Company):
    run = await runner.run("hr_digest", trigger="cli", day=SUNDAY)
    assert run is not None and run.status is JobStatus.SUCCESS and run.counts["quiet"] is True
    for chat_id, locale in READERS.items():
        [message] = await outbox(db, chat_id)
        assert "\n" not in message.payload["text"]
        assert format_date(SUNDAY, "full", locale=locale) in message.payload["text"]


async def test_without_any_hr_person_the_sending_step_is_skipped(db: Database, runner: JobRunner, clock):
    clock.now = datetime(2026, 11, 20, 7, tzinfo=UTC)
    run = await runner.run("hr_digest", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS
    assert run.counts["skipped"]["send it to HR"] == "no active HR or admin employee"
