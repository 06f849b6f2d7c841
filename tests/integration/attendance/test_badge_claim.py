"""A badge that punched before anyone owned it: giving it to an employee makes those punches theirs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from shared.domain.enums import AttendanceStatus, Direction, PunchSource
from shared.model import AuditLog, DailyAttendance, Device, Punch, utcnow
from shared.persistence import Database
from shared.services.org.importer import import_employees
from shared.services.org.people import create_employee, update_employee
from tests.factories import make_company

BERLIN = ZoneInfo("Europe/Berlin")


async def _stranger_punches(db: Database, badge: str, day: date) -> None:
    async with db.transaction() as s:
        device = Device(name=f"Gate {badge}", host="10.0.0.1")
        s.add(device)
        await s.flush()
        for hh, direction in ((9, Direction.IN), (17, Direction.OUT)):
            when = datetime.combine(day, datetime.min.time(), BERLIN).replace(hour=hh)
            s.add(
                Punch(
                    device_id=device.id,
                    device_user_id=badge,
                    source=PunchSource.DEVICE,
                    instant=when,
                    direction=direction,
                )
            )


def _recent_weekday() -> date:
    day = utcnow().astimezone(BERLIN).date() - timedelta(days=2)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


async def test_setting_a_badge_links_its_recent_punches_and_reprocesses_the_day(db: Database):
    company = await make_company(db)
    day = _recent_weekday()
    await _stranger_punches(db, "77", day)
    async with db.transaction() as s:
        await update_employee(s, actor=company.hr, employee_id=company.bob_id, values={"device_user_id": "77"})
    async with db.session() as s:
        punches = (await s.scalars(select(Punch))).all()
        row = await s.scalar(
            select(DailyAttendance).where(DailyAttendance.employee_id == company.bob_id, DailyAttendance.date == day)
        )
        claim = await s.scalar(select(AuditLog).where(AuditLog.action == "claim_badge_punches"))
    assert all(p.employee_id == company.bob_id for p in punches)
    assert row is not None and row.status is AttendanceStatus.PRESENT and row.worked_minutes == 480
    assert claim is not None and claim.new["punches"] == 2


async def test_punches_older_than_the_lookback_stay_unlinked(db: Database):
    company = await make_company(db)
    await _stranger_punches(db, "88", _recent_weekday() - timedelta(days=40))
    async with db.transaction() as s:
        await create_employee(
            s, actor=company.hr, values={"code": "N1", "full_name": "New Person", "device_user_id": "88"}
        )
    async with db.session() as s:
        assert all(p.employee_id is None for p in (await s.scalars(select(Punch))).all())


async def test_the_csv_import_claims_a_badge_too(db: Database):
    company = await make_company(db)
    await _stranger_punches(db, "99", _recent_weekday())
    async with db.transaction() as s:
        report = await import_employees(s, text="code,full_name,device_user_id\nN2,Nina New,99\n", actor=company.hr)
    assert report.written
    async with db.session() as s:
        assert {p.employee_id for p in (await s.scalars(select(Punch))).all()} != {None}


async def test_a_badge_with_no_unknown_punches_changes_nothing_else(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        await update_employee(s, actor=company.hr, employee_id=company.alice_id, values={"device_user_id": "5"})
    async with db.session() as s:
        assert await s.scalar(select(AuditLog).where(AuditLog.action == "claim_badge_punches")) is None
        assert (await s.scalars(select(DailyAttendance))).all() == []
