"""Check-in/out through the service: duplicates within 2 minutes, geofence, permissions, worked time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.domain.enums import Direction, PunchSource
from shared.errors import Forbidden, Invalid
from shared.model import AuditLog, Employee, Office, Punch
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.punches import record_punch
from tests.factories import Company, make_company

IN_AT = datetime(2026, 11, 16, 8, 2, tzinfo=UTC)  # 09:02 in Berlin


async def _punch(db: Database, company: Company, when: datetime, direction=Direction.IN, **kw):
    args = dict(
        actor=company.alice,
        employee_id=company.alice_id,
        direction=direction,
        instant=when,
        source=PunchSource.TELEGRAM,
        now=when,
        company_timezone="Europe/Berlin",
    )
    args.update(kw)
    async with db.transaction() as s:
        return await record_punch(s, **args)


@pytest.fixture
async def company(db: Database) -> Company:
    return await make_company(db)


async def test_check_in_then_out_reports_the_worked_time(db: Database, company: Company):
    first = await _punch(db, company, IN_AT)
    assert first.stored and first.worked_minutes == 0
    out = await _punch(db, company, IN_AT + timedelta(hours=8, minutes=30), Direction.OUT)
    assert out.stored and out.worked_minutes == 510 and out.first_in == IN_AT
    assert out.shift_day.isoformat() == "2026-11-16"


async def test_a_second_punch_within_two_minutes_is_a_duplicate_not_stored(db: Database, company: Company):
    await _punch(db, company, IN_AT)
    again = await _punch(db, company, IN_AT + timedelta(seconds=90))
    assert not again.stored and again.duplicate_of == IN_AT
    later = await _punch(db, company, IN_AT + timedelta(minutes=2, seconds=1), Direction.OUT)
    assert later.stored
    async with db.session() as s:
        assert await s.scalar(select(func.count(Punch.id))) == 2


async def test_the_office_geofence_records_distance_and_inside(db: Database, company: Company):
    async with db.transaction() as s:
        office = Office(name="HQ", latitude=52.5200, longitude=13.4050, radius_m=200)
        s.add(office)
        await s.flush()
        (await s.get(Employee, company.alice_id)).office_id = office.id
    near = await _punch(db, company, IN_AT, latitude=52.5205, longitude=13.4052)
    assert near.inside_geofence is True and near.distance_m is not None and near.distance_m < 100
    far = await _punch(db, company, IN_AT + timedelta(hours=9), Direction.OUT, latitude=52.55, longitude=13.40)
    assert far.inside_geofence is False and far.distance_m > 3000


async def test_nobody_checks_in_for_a_colleague(db: Database, company: Company):
    with pytest.raises(Forbidden):
        await _punch(db, company, IN_AT, actor=company.bob)


async def test_hr_adds_a_manual_punch_only_with_a_reason(db: Database, company: Company):
    with pytest.raises(Invalid):
        await _punch(db, company, IN_AT, actor=company.hr, source=PunchSource.MANUAL)
    done = await _punch(
        db, company, IN_AT, actor=Actor.for_token("hr-app", "hr"), source=PunchSource.MANUAL, note="Forgot badge"
    )
    assert done.stored and done.punch.created_by == "token:hr-app"
    async with db.session() as s:
        assert await s.scalar(select(func.count(AuditLog.id)).where(AuditLog.entity == "punch")) == 1


@pytest.mark.parametrize(
    "kwargs",
    [{"latitude": 95.0, "longitude": 1.0}, {"latitude": 50.0}, {"instant": IN_AT + timedelta(hours=1), "now": IN_AT}],
    ids=["latitude out of range", "latitude without longitude", "a punch in the future"],
)
async def test_bad_punch_input_is_refused_and_nothing_is_stored(db: Database, company: Company, kwargs):
    kwargs = dict(kwargs)
    with pytest.raises(Invalid):
        await _punch(db, company, kwargs.pop("instant", IN_AT), **kwargs)
    async with db.session() as s:
        assert await s.scalar(select(func.count(Punch.id))) == 0


async def test_a_deactivated_employee_cannot_check_in(db: Database, company: Company):
    async with db.transaction() as s:
        (await s.get(Employee, company.alice_id)).active = False
    with pytest.raises(Forbidden):
        await _punch(db, company, IN_AT)
