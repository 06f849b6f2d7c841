"""The digest of a day from the database: exceptions by department, unknown badges, devices, who's out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.domain.digest import DigestKind
from shared.domain.enums import DeviceStatus, Direction, LeaveStatus, OutboxStatus, PunchSource
from shared.errors import Invalid
from shared.i18n import translator
from shared.model import Device, LeaveRequest, OutboxMessage, Punch
from shared.persistence import Database
from shared.reports.digest_render import render_digest
from shared.services.attendance.processing import process_days
from shared.services.notify.digest import load_digest
from tests.factories import make_company

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 11, 19)


async def test_the_digest_lists_each_kind_of_exception(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        device = Device(name="Gate", host="10.0.0.9", status=DeviceStatus.OFFLINE)
        s.add(device)
        await s.flush()

        def device_punch(employee_id: int | None, hh: int, mm: int, direction=Direction.UNKNOWN, **kw) -> Punch:
            when = datetime(2026, 11, 19, hh, mm, tzinfo=BERLIN)
            return Punch(employee_id=employee_id, source=PunchSource.DEVICE, instant=when, direction=direction, **kw)

        s.add_all(
            [
                device_punch(company.alice_id, 9, 40, Direction.IN),
                device_punch(company.alice_id, 18, 0, Direction.OUT),
                device_punch(company.bob_id, 9, 0, Direction.IN),
                device_punch(None, 8, 0, device_id=device.id, device_user_id="777"),
                LeaveRequest(
                    employee_id=company.manager_id,
                    leave_type_id=company.annual_id,
                    start_date=date(2026, 11, 20),
                    end_date=date(2026, 11, 20),
                    working_days=1,
                    status=LeaveStatus.APPROVED,
                ),
                OutboxMessage(chat_id=1, payload={"kind": "message", "text": "x"}, status=OutboxStatus.DEAD),
            ]
        )
    async with db.transaction() as s:
        await process_days(
            s, date_from=DAY, date_to=DAY, now=datetime(2026, 11, 20, 8, tzinfo=UTC), company_timezone="Europe/Berlin"
        )
    async with db.session() as s:
        digest = await load_digest(
            s,
            day=DAY,
            today=date(2026, 11, 20),
            company_timezone="Europe/Berlin",
            now=datetime(2026, 11, 20, 8, tzinfo=UTC),
        )
    kinds = {(row.full_name, row.kind) for row in digest.rows}
    assert ("Alice", DigestKind.LATE) in kinds
    assert ("Bob", DigestKind.MISSING_CHECKOUT) in kinds
    assert ("Hana HR", DigestKind.ABSENT) in kinds
    assert [g.department_name for g in digest.groups] == ["Ops"]
    (unknown,) = digest.unknown_users
    assert unknown.device_user_id == "777" and unknown.device_name == "Gate"
    assert [d.name for d in digest.offline_devices] == ["Gate"]
    assert digest.dead_outbox == 1
    (out,) = digest.who_is_out
    assert out.full_name == "Max Manager" and out.return_date == date(2026, 11, 23)
    assert not digest.is_quiet


async def test_a_day_without_exceptions_is_quiet(db: Database):
    await make_company(db)
    async with db.session() as s:
        digest = await load_digest(
            s,
            day=date(2026, 11, 21),
            today=date(2026, 11, 22),
            company_timezone="Europe/Berlin",
            now=datetime(2026, 11, 22, 8, tzinfo=UTC),
        )
    assert digest.is_quiet and digest.rows == ()


async def test_at_three_in_the_morning_todays_digest_calls_nobody_absent(db: Database):
    await make_company(db)
    monday = date(2026, 11, 23)
    early = datetime(2026, 11, 23, 2, tzinfo=UTC)  # 03:00 in Berlin
    async with db.transaction() as s:  # processed provisionally, as a job at 03:00 would
        await process_days(s, date_from=monday, date_to=monday, now=early, company_timezone="Europe/Berlin")
    async with db.session() as s:
        digest = await load_digest(s, day=monday, today=monday, company_timezone="Europe/Berlin", now=early)
    assert digest.rows == () and digest.so_far and digest.not_over == 4
    text = render_digest(translator("en"), digest, tz="Europe/Berlin")
    assert "absent" not in text and "So far" in text


async def test_once_the_day_is_over_the_same_digest_reports_the_absences(db: Database):
    await make_company(db)
    monday = date(2026, 11, 23)
    async with db.transaction() as s:
        await process_days(
            s,
            date_from=monday,
            date_to=monday,
            now=datetime(2026, 11, 23, 2, tzinfo=UTC),
            company_timezone="Europe/Berlin",
        )
    async with db.session() as s:  # the stored rows are provisional: the day is classified afresh
        digest = await load_digest(
            s,
            day=monday,
            today=date(2026, 11, 24),
            company_timezone="Europe/Berlin",
            now=datetime(2026, 11, 24, 6, tzinfo=UTC),
        )
    assert digest.counts[DigestKind.ABSENT] == 4 and not digest.so_far


async def test_a_future_day_is_refused_not_called_quiet(db: Database):
    await make_company(db)
    async with db.session() as s:
        with pytest.raises(Invalid) as refused:
            await load_digest(
                s, day=date(2026, 11, 24), today=date(2026, 11, 23), company_timezone="Europe/Berlin",
                now=datetime(2026, 11, 23, 9, tzinfo=UTC),
            )  # fmt: skip
    assert refused.value.status == 422
