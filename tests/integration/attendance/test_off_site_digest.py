"""HR sees the check-ins made away from the office: outside the geofence (with the distance) or remotely."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from shared.domain.enums import Direction, PunchSource
from shared.errors import Invalid
from shared.i18n import translator
from shared.model import Employee, Office
from shared.persistence import Database
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_xlsx
from shared.services.attendance.punches import record_punch
from shared.services.notify.digest import load_digest
from shared.services.reference_cache import forget
from tests.factories import make_company

DAY = date(2026, 11, 19)
OFFICE = (52.520008, 13.404954)


async def _office(db: Database, employee_ids: list[int], *, remote_allowed: bool) -> None:
    forget("geofence")
    async with db.transaction() as s:
        office = Office(name="HQ", latitude=OFFICE[0], longitude=OFFICE[1], radius_m=200, remote_allowed=remote_allowed)
        s.add(office)
        await s.flush()
        for employee_id in employee_ids:
            (await s.get(Employee, employee_id)).office_id = office.id


async def _punch(db: Database, actor, employee_id: int, hour: int, **kw):
    at = datetime(2026, 11, 19, hour, tzinfo=UTC)
    async with db.transaction() as s:
        return await record_punch(s, actor=actor, employee_id=employee_id, direction=Direction.IN, instant=at,
                                  source=PunchSource.TELEGRAM, now=at, company_timezone="UTC", **kw)  # fmt: skip


async def test_the_digest_lists_check_ins_outside_the_geofence_and_remote_ones(db: Database):
    company = await make_company(db)
    await _office(db, [company.alice_id, company.bob_id], remote_allowed=True)
    await _punch(db, company.alice, company.alice_id, 8, latitude=52.530000, longitude=13.404954)  # ~1.1 km
    await _punch(db, company.bob, company.bob_id, 9, remote=True)
    await _punch(db, company.bob, company.bob_id, 17, latitude=OFFICE[0], longitude=OFFICE[1])  # at the office
    async with db.session() as s:
        digest = await load_digest(s, day=DAY, today=date(2026, 11, 20), company_timezone="UTC",
                                   now=datetime(2026, 11, 20, 8, tzinfo=UTC))  # fmt: skip
    assert [(c.full_name, c.remote) for c in digest.off_site] == [("Alice", False), ("Bob", True)]
    assert 1000 < digest.off_site[0].distance_m < 1200
    text = render_digest(translator("en"), digest, tz="UTC")
    assert "Check-ins away from the office" in text
    assert "Alice — check-in at 8:00\u202fAM, 1.1 km from the office" in text
    assert "Bob — check-in at 9:00\u202fAM, remotely, without a location" in text
    sheet = load_workbook(io.BytesIO(digest_xlsx(translator("en"), digest, tz="UTC")))["Away from the office"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][2] == "Alice" and rows[0][4] == datetime(2026, 11, 19, 8) and rows[1][6] == "yes"


async def test_the_off_site_sheet_names_the_department_in_the_readers_language(db: Database):
    from shared.model import Department

    company = await make_company(db)
    async with db.transaction() as s:
        (await s.get(Department, company.department_id)).name_translations = {"ru": "Склад"}
    await _office(db, [company.alice_id], remote_allowed=True)
    await _punch(db, company.alice, company.alice_id, 8, latitude=52.530000, longitude=13.404954)
    async with db.session() as s:
        digest = await load_digest(s, day=DAY, today=date(2026, 11, 20), company_timezone="UTC",
                                   now=datetime(2026, 11, 20, 8, tzinfo=UTC))  # fmt: skip

    def off_site_departments(locale: str) -> list[object]:
        book = load_workbook(io.BytesIO(digest_xlsx(translator(locale), digest, tz="UTC")))
        english = load_workbook(io.BytesIO(digest_xlsx(translator("en"), digest, tz="UTC"))).sheetnames
        sheet = book.worksheets[english.index("Away from the office")]
        return [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)]

    assert off_site_departments("ru") == ["Склад"]
    assert off_site_departments("en") == ["Ops"]


async def test_a_remote_check_in_is_refused_where_the_office_does_not_allow_it(db: Database):
    company = await make_company(db)
    await _office(db, [company.bob_id], remote_allowed=False)
    with pytest.raises(Invalid):
        await _punch(db, company.bob, company.bob_id, 9, remote=True)


async def test_the_digest_names_departments_and_leave_types_in_the_readers_language(db: Database):
    from sqlalchemy import update

    from shared.model import Department, LeaveType

    await make_company(db)
    async with db.transaction() as s:
        await s.execute(update(Department).values(name_translations={"ru": "Операции"}))
        await s.execute(update(LeaveType).values(name_translations={"ru": "Отпуск"}))
    async with db.session() as s:
        digest = await load_digest(s, day=DAY, today=date(2026, 11, 20), company_timezone="UTC",
                                   now=datetime(2026, 11, 20, 8, tzinfo=UTC))  # fmt: skip
    department = next(g.department_name for g in digest.groups if g.department_name)
    assert digest.name_in("department", department, "ru") == "Операции"
    assert digest.name_in("department", department, "en") == department
    assert "<b>Операции</b>" in render_digest(translator("ru"), digest, tz="UTC")
