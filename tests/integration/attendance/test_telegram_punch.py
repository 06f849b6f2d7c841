"""The bot's own punch (``record_telegram_punch``): on PostgreSQL the punch and its audit row in one statement
without a transaction, elsewhere (and whenever more must be written) ``record_punch`` in one transaction;
the outcome and what is stored are the same either way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.domain.enums import Direction, PunchSource
from shared.errors import Forbidden
from shared.log import request_id_var
from shared.model import AuditLog, DailyAttendance, Employee, OutboxMessage, Punch
from shared.persistence import Database
from shared.services.attendance import telegram_punch
from shared.services.attendance.punches import record_punch
from shared.services.attendance.telegram_punch import record_telegram_punch
from shared.services.audit import snapshot
from tests.factories import Company, make_company

TZ = "Europe/Berlin"
IN_AT = datetime(2026, 11, 16, 8, 2, tzinfo=UTC)  # Monday 09:02 in Berlin


@pytest.fixture
async def company(db: Database) -> Company:
    return await make_company(db)


async def _employee(db: Database, employee_id: int) -> Employee:
    async with db.read() as s:
        found = await s.get(Employee, employee_id)
    assert found is not None
    return found


async def _punch(db: Database, company: Company, now: datetime, direction: Direction = Direction.IN, **kw):
    return await record_telegram_punch(
        db, actor=company.alice, employee=await _employee(db, company.alice_id), direction=direction, now=now,
        company_timezone=TZ, **kw,
    )  # fmt: skip


async def _stored(db: Database) -> tuple[list[Punch], list[AuditLog]]:
    async with db.session() as s:
        punches = list(await s.scalars(select(Punch).order_by(Punch.id)))
        audits = list(await s.scalars(select(AuditLog).where(AuditLog.entity == "punch").order_by(AuditLog.id)))
    return punches, audits


async def test_a_check_in_stores_the_punch_and_its_audit_row_together(db: Database, company: Company):
    token = request_id_var.set("tg-4711")
    try:
        outcome = await _punch(db, company, IN_AT)
    finally:
        request_id_var.reset(token)
    punches, audits = await _stored(db)
    assert outcome.stored and outcome.punch is not None and outcome.worked_minutes == 0
    assert [p.id for p in punches] == [outcome.punch.id]
    punch = punches[0]
    assert (punch.employee_id, punch.source, punch.direction, punch.instant) == (
        company.alice_id, PunchSource.TELEGRAM, Direction.IN, IN_AT
    )  # fmt: skip
    assert punch.created_by == company.alice.label and punch.note is None
    [row] = audits
    assert (row.actor, row.action, row.entity_id, row.request_id) == (
        company.alice.label, "create", str(punch.id), "tg-4711"
    )  # fmt: skip
    assert row.new == snapshot(punch)  # the audit row says what is stored, the id included


async def test_the_audit_row_is_the_same_as_record_punch_writes(db: Database, company: Company):
    """Bob through ``record_punch``, Alice through the bot's way: their audit rows differ only in who and when."""
    await _punch(db, company, IN_AT)
    async with db.transaction() as s:
        await record_punch(
            s, actor=company.bob, employee_id=company.bob_id, direction=Direction.IN, instant=IN_AT,
            source=PunchSource.TELEGRAM, now=IN_AT, company_timezone=TZ,
        )  # fmt: skip
    _, (alice, bob) = await _stored(db)
    assert set(alice.new) == set(bob.new)
    differing = {k for k in alice.new if alice.new[k] != bob.new[k]}
    assert differing <= {"id", "employee_id", "created_by", "created_at"}


async def test_check_in_then_out_reports_the_worked_time(db: Database, company: Company):
    assert (await _punch(db, company, IN_AT)).stored
    out = await _punch(db, company, IN_AT + timedelta(hours=8, minutes=30), Direction.OUT)
    assert out.stored and out.worked_minutes == 510 and out.first_in == IN_AT


async def test_a_second_punch_within_two_minutes_is_a_duplicate_and_stores_nothing(db: Database, company: Company):
    await _punch(db, company, IN_AT)
    again = await _punch(db, company, IN_AT + timedelta(seconds=90), Direction.OUT)
    assert not again.stored and again.duplicate_of == IN_AT
    punches, audits = await _stored(db)
    assert len(punches) == len(audits) == 1


async def test_a_punch_stored_while_the_rest_is_checked_makes_the_new_one_a_duplicate(
    db: Database, company: Company, monkeypatch: pytest.MonkeyPatch
):
    """After a check-out the read and the write are apart (the rest rules are read in between): HR (or a
    device) stores a punch meanwhile, and the write's own check sees it. (SQLite reads and writes in one
    ``BEGIN IMMEDIATE`` transaction: nobody writes in between.)"""
    if not telegram_punch.fast_punches(db):
        pytest.skip("the read and the write are apart only on PostgreSQL")
    await _punch(db, company, IN_AT - timedelta(hours=12), Direction.OUT)
    check = telegram_punch.rest_warning

    async def check_while_someone_punches(session, **kw):
        async with db.transaction() as s:
            await record_punch(
                s, actor=company.hr, employee_id=company.alice_id, direction=Direction.IN,
                instant=IN_AT - timedelta(seconds=30), source=PunchSource.MANUAL, now=IN_AT, company_timezone=TZ,
                note="badge reader down",
            )  # fmt: skip
        return await check(session, **kw)

    monkeypatch.setattr(telegram_punch, "rest_warning", check_while_someone_punches)
    outcome = await _punch(db, company, IN_AT)
    assert not outcome.stored and outcome.duplicate_of == IN_AT - timedelta(seconds=30)
    punches, audits = await _stored(db)
    assert [p.source for p in punches] == [PunchSource.TELEGRAM, PunchSource.MANUAL] and len(audits) == 2


async def test_one_statement_reads_and_stores_unless_a_check_in_follows_a_check_out(db: Database, company: Company):
    if not telegram_punch.fast_punches(db):
        pytest.skip("the combined statement is PostgreSQL's")
    alice = await _employee(db, company.alice_id)

    async def attempt(at: datetime, direction: Direction):
        async with db.read() as s:
            plan = await telegram_punch.plan_punch(
                s, actor=company.alice, employee_id=alice.id, instant=at, source=PunchSource.TELEGRAM, now=at,
                company_timezone=TZ, employee=alice,
            )  # fmt: skip
        punch = telegram_punch.new_punch(plan, actor=company.alice, direction=direction,
                                         source=PunchSource.TELEGRAM, latitude=None, longitude=None)  # fmt: skip
        punch.created_at = at
        params = telegram_punch.store_params(plan, punch, company.alice)
        params["check_in"] = direction is Direction.IN
        async with db.reads() as statements:
            return await statements.all(telegram_punch.READ_AND_STORE, params)

    first = await attempt(IN_AT, Direction.IN)  # nothing before it: stored at once
    assert [row["punch_id"] is not None for row in first] == [True]
    out = await attempt(IN_AT + timedelta(hours=8), Direction.OUT)  # a check-out needs no rest check
    assert [(row["direction"], row["punch_id"] is not None) for row in out] == [("in", False), (None, True)]
    after_out = await attempt(IN_AT + timedelta(hours=20), Direction.IN)  # the rest is checked first
    assert all(row["punch_id"] is None for row in after_out) and "out" in {row["direction"] for row in after_out}
    punches, audits = await _stored(db)
    assert len(punches) == len(audits) == 2 and [a.entity_id for a in audits] == [str(p.id) for p in punches]


async def test_the_combined_statement_stores_nothing_next_to_a_punch_within_two_minutes(db: Database, company: Company):
    if not telegram_punch.fast_punches(db):
        pytest.skip("the combined statement is PostgreSQL's (SQLite stores the punch and its audit row apart)")
    await _punch(db, company, IN_AT)
    alice = await _employee(db, company.alice_id)
    async with db.read() as s:
        plan = await telegram_punch.plan_punch(
            s, actor=company.alice, employee_id=alice.id, instant=IN_AT + timedelta(minutes=1),
            source=PunchSource.TELEGRAM, now=IN_AT, company_timezone=TZ, employee=alice,
        )  # fmt: skip
    punch = telegram_punch.new_punch(plan, actor=company.alice, direction=Direction.OUT,
                                     source=PunchSource.TELEGRAM, latitude=None, longitude=None)  # fmt: skip
    punch.created_at = IN_AT
    async with db.reads() as statement:
        assert (
            await statement.scalar(telegram_punch.STORE, telegram_punch.store_params(plan, punch, company.alice))
            is None
        )
    punches, audits = await _stored(db)
    assert len(punches) == len(audits) == 1


async def test_a_check_in_too_soon_after_a_check_out_warns_the_manager_with_the_punch(db: Database, company: Company):
    async with db.transaction() as s:
        (await s.get(Employee, company.manager_id)).telegram_user_id = 9002
    out_at = IN_AT - timedelta(hours=9, minutes=40)
    await _punch(db, company, out_at, Direction.OUT)
    outcome = await _punch(db, company, IN_AT)
    assert outcome.stored and outcome.rest_warning is not None
    assert outcome.rest_warning.rest_minutes == 580
    async with db.session() as s:
        assert [m.chat_id for m in await s.scalars(select(OutboxMessage))] == [9002]
    punches, audits = await _stored(db)
    assert len(punches) == len(audits) == 2


async def test_a_check_in_after_a_full_rest_warns_nobody(db: Database, company: Company):
    await _punch(db, company, IN_AT - timedelta(hours=11), Direction.OUT)
    outcome = await _punch(db, company, IN_AT)
    assert outcome.stored and outcome.rest_warning is None
    async with db.session() as s:
        assert await s.scalar(select(func.count(OutboxMessage.id))) == 0


async def test_a_night_shift_check_out_after_midnight_refreshes_the_day_it_started(db: Database, company: Company):
    async with db.transaction() as s:
        (await s.get(Employee, company.alice_id)).shift_id = company.night_shift_id
    started = datetime(2026, 11, 16, 21, 0, tzinfo=UTC)  # 22:00 in Berlin
    await _punch(db, company, started)
    out = await _punch(db, company, started + timedelta(hours=8), Direction.OUT)  # 06:00 the next morning
    assert out.stored and out.shift_day.isoformat() == "2026-11-16"
    async with db.session() as s:
        row = await s.scalar(select(DailyAttendance).where(DailyAttendance.employee_id == company.alice_id))
    assert row is not None and row.date == out.shift_day and row.worked_minutes == out.worked_minutes


async def test_a_deactivated_employee_cannot_punch(db: Database, company: Company):
    async with db.transaction() as s:
        (await s.get(Employee, company.alice_id)).active = False
    with pytest.raises(Forbidden):
        await _punch(db, company, IN_AT)
    punches, _ = await _stored(db)
    assert punches == []
