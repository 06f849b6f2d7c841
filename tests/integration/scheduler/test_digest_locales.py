"""Every assertion of the scheduler's texts that needs a *translated* phrase lives here (and only here).

Each test asks the catalog for the phrase first: while the translation pass has not translated it yet
(the catalog gives the English msgid back), the test is skipped, saying which phrase it waits for; once it is
translated, the test checks that the ru / ar reader got that translation and not English.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from scheduler.runner import JobRunner
from shared.domain.enums import DeviceStatus, Direction, PunchSource, Role
from shared.i18n import translator
from shared.model import Device, Employee, Punch
from shared.notify import job_messages
from shared.persistence import Database
from tests.factories import make_company
from tests.integration.scheduler.support import berlin, outbox

THURSDAY = date(2026, 11, 19)
READERS = {"ru": 9101, "ar": 9102}


def translated(locale: str, msgid: str) -> str:
    """The catalog's translation of ``msgid``; skips the test while there is none."""
    text = translator(locale).gettext(msgid)
    if text == msgid:
        pytest.skip(f"the {locale} catalog has no translation of {msgid!r} yet")
    return text


@pytest.fixture
async def readers(db: Database) -> None:
    company = await make_company(db)
    async with db.transaction() as s:
        s.add_all(
            [
                Employee(code="HR2", full_name="Rustam HR", role=Role.HR, telegram_user_id=9101, locale="ru"),
                Employee(code="AD1", full_name="Amal Admin", role=Role.ADMIN, telegram_user_id=9102, locale="ar"),
                Device(name="Gate", host="10.0.0.9", status=DeviceStatus.OFFLINE),
                Punch(
                    employee_id=company.alice_id,
                    source=PunchSource.DEVICE,
                    instant=berlin(THURSDAY, 9, 40),
                    direction=Direction.IN,
                ),
            ]
        )


@pytest.mark.parametrize("locale", ["ru", "ar"])
async def test_the_digest_heading_and_sections_are_in_the_readers_language(
    db: Database, runner: JobRunner, readers: None, locale: str
):
    heading = translated(locale, "📋 <b>Attendance digest for {day}</b>")
    offline = translated(locale, "Offline devices")
    await runner.run("hr_digest", trigger="schedule")
    message, _document = await outbox(db, READERS[locale])
    t = translator(locale)
    assert heading.format(day=t.format_date(THURSDAY, "full")) in message.payload["text"]
    assert offline in message.payload["text"]


@pytest.mark.parametrize("locale", ["ru", "ar"])
async def test_the_digest_spreadsheet_has_sheet_names_and_headers_in_the_readers_language(
    db: Database, runner: JobRunner, readers: None, locale: str
):
    sheet = translated(locale, "Exceptions")
    header = translated(locale, "Employee")
    await runner.run("hr_digest", trigger="schedule")
    _message, document = await outbox(db, READERS[locale])
    book = load_workbook(io.BytesIO(document.attachment))
    assert book.worksheets[0].title == sheet[:31]
    assert header in [c.value for c in book.worksheets[0][2]]  # row 1 is the caption naming the day
    assert "19" in str(book.worksheets[0]["A1"].value)
    caption = translated(locale, "Attendance exceptions for {day} (spreadsheet)")
    assert document.payload["caption"] == caption.format(day=translator(locale).format_date(THURSDAY, "medium"))


@pytest.mark.parametrize("locale", ["ru", "ar"])
async def test_a_quiet_day_says_so_in_the_readers_language(db: Database, runner: JobRunner, readers: None, locale: str):
    quiet = translated(locale, "✅ Quiet day: no attendance exceptions on {day}.")
    sunday = date(2026, 11, 15)
    async with db.transaction() as s:
        await s.execute(update(Device).values(status=DeviceStatus.ONLINE))
    await runner.run("hr_digest", trigger="cli", day=sunday)
    [message] = await outbox(db, READERS[locale])
    assert message.payload["text"] == quiet.format(day=translator(locale).format_date(sunday, "full"))


@pytest.mark.parametrize("locale", ["ru", "ar"])
def test_device_alerts_and_the_checkout_reminder_are_in_the_readers_language(locale: str):
    offline = translated(locale, "📡 Device {device} has never synced.")
    back = translator(locale).ngettext(
        "✅ Device {device} is back online: {n} new punch stored.",
        "✅ Device {device} is back online: {n} new punches stored.",
        5,
    )
    if back.startswith("✅ Device"):
        pytest.skip(f"the {locale} catalog has no translation of the back-online message yet")
    reminder = translated(
        locale,
        "⏰ Your shift ended at {end} and you have not checked out yet (checked in at {start}). "
        "Please check out when you leave.",
    )
    at = datetime(2026, 11, 20, 17, tzinfo=UTC)
    text = job_messages.device_offline_alert(locale, device="Gate", last_success=None, error=None, tz="UTC")
    assert offline.format(device="<b>Gate</b>") in text
    assert job_messages.device_back_online(locale, device="Gate", new_punches=5) == back.format(
        device="<b>Gate</b>", n=5
    )
    t = translator(locale)
    expected = reminder.format(end=t.format_time(at, tz="UTC"), start=t.format_time(at, tz="UTC"))
    assert job_messages.checkout_reminder(locale, checked_in=at, shift_end=at, tz="UTC") == expected
