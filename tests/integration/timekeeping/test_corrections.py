"""Missed-punch corrections against the database: asked, routed, approved into a punch, the day re-processed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from shared.domain.enums import AttendanceStatus, CorrectionStatus, Direction, PunchSource
from shared.errors import Conflict, Forbidden, Invalid
from shared.model import AuditLog, DailyAttendance, OutboxMessage, Punch, PunchCorrection
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.notify.digest import load_digest
from shared.services.timekeeping.corrections import decide_correction, request_correction
from tests.factories import Company, make_company

MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def _checked_in_monday(db: Database, company: Company) -> None:
    async with db.transaction() as s:
        await record_punch(
            s, actor=company.hr, employee_id=company.alice_id, direction=Direction.IN, source=PunchSource.MANUAL,
            instant=datetime(2026, 11, 23, 7, 55, tzinfo=UTC), now=NOW, company_timezone="UTC", note="badge broken",
        )  # fmt: skip
        await process_days(s, date_from=MONDAY, date_to=MONDAY, now=NOW, company_timezone="UTC")


async def _ask(db: Database, company: Company, **overrides) -> PunchCorrection:
    values = {"day": MONDAY, "at": time(18, 10), "direction": Direction.OUT, "reason": "forgot to check out"}
    async with db.transaction() as s:
        return await request_correction(
            s, actor=company.alice, employee_id=company.alice_id, now=NOW, **(values | overrides)
        )


async def _row(db: Database, company: Company) -> DailyAttendance:
    async with db.session() as s:
        return await s.scalar(
            select(DailyAttendance).where(
                DailyAttendance.employee_id == company.alice_id, DailyAttendance.date == MONDAY
            )
        )


async def test_an_approved_correction_becomes_a_correction_punch_and_the_day_is_re_processed(db: Database):
    company = await make_company(db)
    await _checked_in_monday(db, company)
    assert (await _row(db, company)).status is AttendanceStatus.INCOMPLETE
    correction = await _ask(db, company)
    assert correction.status is CorrectionStatus.PENDING and correction.approver_id == company.manager_id
    assert correction.instant == datetime(2026, 11, 23, 17, 10, tzinfo=UTC)  # 18:10 in Berlin
    async with db.transaction() as s:
        outcome = await decide_correction(s, actor=company.manager, correction_id=correction.id, approve=True, now=NOW)
    assert outcome.changed and outcome.correction.decided_by == "Max Manager"
    async with db.session() as s:
        punch = await s.get(Punch, outcome.correction.punch_id)
        assert punch.source is PunchSource.CORRECTION and punch.created_by == company.manager.label
        actions = set((await s.execute(select(AuditLog.action, AuditLog.entity))).all())
        texts = [m.payload.get("text", "") for m in await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    row = await _row(db, company)
    assert row.status is AttendanceStatus.PRESENT and row.last_out == correction.instant
    assert {("create", "punch_correction"), ("approve", "punch_correction"), ("create", "punch")} <= actions
    assert ("reprocess", "daily_attendance") in actions
    assert any("Max Manager" in t for t in texts), "Alice is told who approved"


async def test_a_second_approval_changes_nothing_and_writes_no_second_punch(db: Database):
    company = await make_company(db)
    correction = await _ask(db, company)
    for _ in range(2):
        async with db.transaction() as s:
            outcome = await decide_correction(s, actor=company.hr, correction_id=correction.id, approve=True, now=NOW)
    assert not outcome.changed
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Punch).where(Punch.source == "correction")) == 1


async def test_a_rejection_needs_a_reason_and_writes_no_punch(db: Database):
    company = await make_company(db)
    correction = await _ask(db, company)
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await decide_correction(s, actor=company.manager, correction_id=correction.id, approve=False, now=NOW)
    async with db.transaction() as s:
        outcome = await decide_correction(
            s, actor=company.manager, correction_id=correction.id, approve=False, comment="You left at 17:00", now=NOW
        )
    assert outcome.correction.status is CorrectionStatus.REJECTED and outcome.correction.punch_id is None


async def test_only_the_approver_or_hr_decide_and_never_the_person_themselves(db: Database):
    company = await make_company(db)
    correction = await _ask(db, company)
    for actor in (company.alice, company.bob):
        with pytest.raises(Forbidden):
            async with db.transaction() as s:
                await decide_correction(s, actor=actor, correction_id=correction.id, approve=True, now=NOW)


async def test_nobody_asks_for_someone_else_and_a_second_request_for_the_same_punch_waits(db: Database):
    company = await make_company(db)
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await request_correction(
                s, actor=company.bob, employee_id=company.alice_id, day=MONDAY, at=time(18), direction=Direction.OUT,
                reason="x", now=NOW,
            )  # fmt: skip
    await _ask(db, company)
    with pytest.raises(Conflict):
        await _ask(db, company)


@pytest.mark.parametrize(
    "overrides",
    [
        {"day": date(2026, 11, 25)},
        {"day": date(2026, 10, 1)},
        {"reason": "  "},
        {"day": date(2026, 11, 24), "at": time(18)},
    ],
)
async def test_bad_requests_are_refused_and_nothing_is_written(db: Database, overrides):
    company = await make_company(db)
    with pytest.raises(Invalid):
        await _ask(db, company, **overrides)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(PunchCorrection)) == 0


async def test_a_retried_request_with_the_same_key_returns_the_first(db: Database):
    company = await make_company(db)
    first = await _ask(db, company, idempotency_key="k1")
    again = await _ask(db, company, idempotency_key="k1")
    assert first.id == again.id


async def test_hr_can_ask_on_someones_behalf_through_the_api(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        correction = await request_correction(
            s, actor=Actor.cli(), employee_id=company.bob_id, day=MONDAY, at=time(8, 50), direction=Direction.IN,
            reason="badge left at home", now=NOW,
        )  # fmt: skip
    assert correction.created_by == "cli" and correction.approver_id == company.manager_id


async def test_hr_sees_the_approved_correction_in_the_digest_of_its_day(db: Database):
    company = await make_company(db)
    correction = await _ask(db, company)
    async with db.transaction() as s:
        await decide_correction(s, actor=company.manager, correction_id=correction.id, approve=True, now=NOW)
    async with db.session() as s:
        digest = await load_digest(s, day=MONDAY, today=NOW.date(), company_timezone="Europe/Berlin", now=NOW)
    (row,) = digest.corrections
    assert (row.full_name, row.status, row.decided_by) == ("Alice", CorrectionStatus.APPROVED, "Max Manager")
