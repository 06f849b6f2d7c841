"""`import_employees` writes all rows or none, upserts by code and audits every change."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from shared.model import AuditLog, Department, Employee, Shift
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org.importer import import_employees

HEADER = "code,full_name,email,phone,department,manager_code,role,device_user_id,locale,timezone,shift\n"
GOOD = HEADER + "M1,Mona Boss,mona@example.com,,Ops,,manager,1,en,,Day\nE1,Eve Worker,,,Ops,M1,,2,ru,,Day\n"


async def _shift(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Shift(name="Day", start_time=time(9), end_time=time(18)))


async def _run(db: Database, text: str, **kw):
    async with db.transaction() as session:
        return await import_employees(session, text=text, actor=Actor.cli(), **kw)


async def _count(db: Database, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_a_valid_file_creates_employees_departments_and_managers(db: Database):
    await _shift(db)
    report = await _run(db, GOOD)
    assert report.written and report.created == 2 and report.departments_created == ["Ops"]
    async with db.session() as session:
        eve = await session.scalar(select(Employee).where(Employee.code == "E1"))
        mona = await session.scalar(select(Employee).where(Employee.code == "M1"))
        assert eve.manager_id == mona.id and eve.locale == "ru" and eve.shift_id is not None
        assert (
            await session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "employee")) == 2
        )


async def test_one_bad_row_writes_nothing_and_names_the_line(db: Database):
    await _shift(db)
    report = await _run(db, GOOD + "E2,Bad Shift,,,Ops,M1,,3,,,Nights\nE3,Bad Mail,nope,,Ops,,,4,,,\n")
    assert not report.written
    assert [(p.line, p.params.get("value")) for p in report.problems] == [(4, "Nights"), (5, "nope")]
    assert await _count(db, Employee) == 0
    assert await _count(db, Department) == 0


async def test_skip_invalid_writes_the_good_rows_and_lists_the_skipped(db: Database):
    await _shift(db)
    report = await _run(db, GOOD + "E2,Bad Shift,,,Ops,M1,,3,,,Nights\n", skip_invalid=True)
    assert report.written and report.created == 2 and report.skipped_lines == [4]


async def test_skipping_a_manager_skips_the_people_who_report_to_them(db: Database):
    await _shift(db)
    text = HEADER + "M1,Mona,bad-mail,,Ops,,manager,1,,,\nE1,Eve,,,Ops,M1,,2,,,\nE9,Solo,,,Ops,,,9,,,\n"
    report = await _run(db, text, skip_invalid=True)
    assert report.skipped_lines == [2, 3] and report.created == 1


async def test_importing_again_updates_by_code_and_counts_unchanged(db: Database):
    await _shift(db)
    await _run(db, GOOD)
    report = await _run(db, GOOD.replace("Eve Worker", "Eve Smith"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert await _count(db, Employee) == 2


async def test_a_manager_may_come_from_the_database(db: Database):
    await _shift(db)
    await _run(db, GOOD)
    report = await _run(db, HEADER + "E5,New Person,,,Ops,M1,,5,,,\n")
    assert report.written and report.created == 1


async def test_a_device_id_owned_by_another_employee_is_refused(db: Database):
    await _shift(db)
    await _run(db, GOOD)
    report = await _run(db, HEADER + "E5,New Person,,,,,,2,,,\n")
    assert not report.written and "already belongs" in report.problems[0].message


async def test_a_manager_loop_is_refused(db: Database):
    text = HEADER + "A,Ann,,,,B,,,,,\nB,Bob,,,,A,,,,,\n"
    report = await _run(db, text)
    assert not report.written and {p.line for p in report.problems} == {2, 3}


async def test_progress_is_reported_to_the_caller(db: Database):
    await _shift(db)
    seen: list[tuple[int, int]] = []
    await _run(db, GOOD, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)


async def test_a_row_with_a_bad_email_and_an_unknown_manager_and_shift_reports_all_three_at_once(db: Database):
    await _shift(db)
    text = HEADER + "A1,Ann,ann-at-example,,Ops,ZZ,,1,,,Night\nA2,Bob,,,Ops,,,2,,Mars/Base,\n"
    report = await _run(db, text)
    assert not report.written
    line_2 = sorted(p.message.split(" ")[0] for p in report.problems if p.line == 2)
    assert line_2 == ["email", "manager_code", "shift"]
    assert [p.line for p in report.problems if p.message.startswith("timezone")] == [3]
    assert await _count(db, Employee) == 0


async def test_hire_and_leaving_dates_are_imported_and_a_bad_one_is_reported_with_the_rest(db: Database):
    header = "code,full_name,hire_date,leaving_date\n"
    bad = await _run(db, header + "A1,Ann,2026-02-30,2025-01-01\n")
    messages = [p.message for p in bad.problems]
    assert not bad.written and any("is not a date" in m for m in messages)
    report = await _run(db, header + "A1,Ann,2026-03-01,2026-12-31\n")
    assert report.written and report.created == 1
    async with db.session() as session:
        ann = await session.scalar(select(Employee).where(Employee.code == "A1"))
        assert str(ann.hire_date) == "2026-03-01" and str(ann.leaving_date) == "2026-12-31"
