"""The demo shows the deeper workflows: a corrected missed punch and one waiting, an overtime week with its
summary to the manager, and a lateness notice with its deduction."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sandbox.demo.punches import Badge, device_records
from sandbox.demo.runner import PERSONAS
from sandbox.demo.seed import PEOPLE, seed_demo
from sandbox.demo.workflows import show_workflows
from shared.config import Settings
from shared.domain.enums import CorrectionStatus, Direction, LedgerKind, PunchSource
from shared.model import (
    DailyAttendance,
    Employee,
    LatenessNotice,
    LeaveLedgerEntry,
    OutboxMessage,
    Punch,
    PunchCorrection,
)
from shared.persistence import Database
from shared.services.attendance.processing import process_days

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 25)  # a Wednesday
NOW = datetime.combine(TODAY, time(10), BERLIN).astimezone(UTC)


async def test_the_demo_shows_a_correction_an_overtime_week_and_a_lateness_notice(db: Database):
    async with db.transaction() as s:
        await seed_demo(s, today=TODAY)
        people = {e.code: e for e in await s.scalars(select(Employee))}
        for code, (telegram_id, _title) in PERSONAS.items():
            people[code].telegram_user_id = telegram_id
        by_badge = {e.device_user_id: e.id for e in people.values()}
        badges = [Badge(str(i), name, night=shift == "Night") for i, (_c, name, *_r, shift) in enumerate(PEOPLE, 1)]
        for record in device_records(badges, zone="Europe/Berlin", today=TODAY, now=NOW):
            s.add(
                Punch(
                    employee_id=by_badge[record.user_id], device_user_id=record.user_id, source=PunchSource.DEVICE,
                    instant=record.timestamp.replace(tzinfo=BERLIN).astimezone(UTC),
                    direction=Direction.IN if record.punch == 0 else Direction.OUT,
                )
            )  # fmt: skip
        await s.flush()
        await process_days(
            s, date_from=TODAY - timedelta(days=14), date_to=TODAY, now=NOW, company_timezone="Europe/Berlin"
        )
    settings = Settings(
        _env_file=None, lateness_count=3, lateness_period="rolling30", lateness_deduct_days="0.5",
        lateness_leave_type="ANNUAL",
    )  # fmt: skip

    shown = await show_workflows(db, settings, today=TODAY, now=NOW)

    assert (shown.corrections, shown.approved, shown.lateness_notices) == (2, 1, 1)
    assert shown.overtime_summaries >= 1
    async with db.session() as s:
        statuses = sorted(c.status for c in await s.scalars(select(PunchCorrection)))
        corrected = await s.scalar(select(Punch).where(Punch.source == PunchSource.CORRECTION))
        notice = await s.scalar(select(LatenessNotice))
        deduction = await s.scalar(select(LeaveLedgerEntry).where(LeaveLedgerEntry.kind == LedgerKind.LATENESS))
        jonas_week = await s.scalars(
            select(DailyAttendance.overtime_minutes).where(
                DailyAttendance.employee_id == people["E006"].id,
                DailyAttendance.date.between(date(2026, 11, 16), date(2026, 11, 20)),
            )
        )
        to_manager = [
            m.payload["text"] for m in await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 700004))
        ]
    assert statuses == [CorrectionStatus.APPROVED, CorrectionStatus.PENDING]
    assert corrected is not None and corrected.employee_id == people["E014"].id
    assert notice.employee_id == people["E008"].id and deduction.delta < 0
    assert all(minutes > 120 for minutes in jonas_week)
    assert any("Overtime in the week" in t and "Jonas" in t for t in to_manager)
    assert any("Missed-punch correction from" in t and "Layla" in t for t in to_manager)
