"""Corrections, overtime and lateness over HTTP: ask → approve (a punch, the day re-processed), a week of
overtime approved by the manager token and taken back by HR, a lateness notice waived; scopes and errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from shared.domain.enums import Accrual, Direction, LatenessPeriod, LedgerKind, PunchSource
from shared.domain.lateness import LatenessPolicy
from shared.model import DailyAttendance, LeaveLedgerEntry, LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.timekeeping.lateness import evaluate_lateness
from tests.factories import Company

API = "/api/v1"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


async def test_hr_asks_for_a_correction_the_manager_token_approves_and_the_day_is_present(client, staff, company, db):
    body = {"employee_id": company.alice_id, "date": "2026-11-20", "time": "18:05", "direction": "out",
            "reason": "Forgot to check out"}  # fmt: skip
    async with db.transaction() as s:
        await record_punch(
            s, actor=company.hr, employee_id=company.alice_id, direction=Direction.IN, source=PunchSource.MANUAL,
            instant=datetime(2026, 11, 20, 7, 58, tzinfo=UTC), now=NOW, company_timezone="UTC", note="badge",
        )  # fmt: skip
    created = await client.post(f"{API}/corrections", json=body, headers=staff["hr"] | {"Idempotency-Key": "c1"})
    assert created.status_code == 201, created.text
    again = await client.post(f"{API}/corrections", json=body, headers=staff["hr"] | {"Idempotency-Key": "c1"})
    assert again.json()["id"] == created.json()["id"]
    correction = created.json()
    assert correction["status"] == "pending" and correction["approver_id"] == company.manager_id
    listed = await client.get(f"{API}/corrections", headers=staff["manager"], params={"status": "pending"})
    assert [c["id"] for c in listed.json()["items"]] == [correction["id"]]
    approved = await client.post(f"{API}/corrections/{correction['id']}/approve", headers=staff["manager"])
    assert approved.status_code == 200 and approved.json()["punch_id"], approved.text
    twice = await client.post(f"{API}/corrections/{correction['id']}/approve", headers=staff["hr"])
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_decided"
    async with db.session() as s:
        row = await s.scalar(
            select(DailyAttendance).where(
                DailyAttendance.employee_id == company.alice_id, DailyAttendance.date == date(2026, 11, 20)
            )
        )
    assert row.status == "present" and row.worked_minutes == 547


async def test_a_bad_correction_is_a_422_naming_the_field(client, staff, company):
    body = {"employee_id": company.alice_id, "date": "2026-11-25", "time": "18:05", "direction": "out",
            "reason": "x"}  # fmt: skip
    response = await client.post(f"{API}/corrections", json=body, headers=staff["hr"])
    assert response.status_code == 422
    body |= {"date": "2026-11-20", "direction": "unknown"}
    assert (await client.post(f"{API}/corrections", json=body, headers=staff["hr"])).status_code == 422


async def _overtime_week(db: Database, company: Company) -> int:
    async with db.transaction() as s:
        toil = LeaveType(code="TOIL", name="Time off in lieu", yearly_allowance=Decimal(0), accrual=Accrual.NONE)
        s.add(toil)
        for offset in range(2):
            base = datetime(2026, 11, 16, tzinfo=UTC) + timedelta(days=offset)
            for hours, direction in ((7, Direction.IN), (19, Direction.OUT)):
                await record_punch(
                    s, actor=company.hr, employee_id=company.bob_id, direction=direction, source=PunchSource.MANUAL,
                    instant=base + timedelta(hours=hours), now=NOW, company_timezone="UTC", note="device down",
                )  # fmt: skip
        await process_days(s, date_from=date(2026, 11, 16), date_to=date(2026, 11, 22), now=NOW, company_timezone="UTC")
        await s.flush()
        return toil.id


async def test_the_manager_token_approves_a_week_of_overtime_and_hr_takes_a_day_back(client, staff, company, db):
    toil = await _overtime_week(db, company)
    week = {"date_from": "2026-11-16", "date_to": "2026-11-22"}
    listed = await client.get(f"{API}/overtime", params=week, headers=staff["readonly"])
    assert [(o["date"], o["minutes"], o["status"]) for o in listed.json()["items"]] == [
        ("2026-11-16", 180, "pending"),
        ("2026-11-17", 180, "pending"),
    ]
    approved = await client.post(f"{API}/overtime/{company.bob_id}/approve", json=week, headers=staff["manager"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["minutes"] == 360 and approved.json()["credit_days"] == 0.76
    nothing_left = await client.post(f"{API}/overtime/{company.bob_id}/approve", json=week, headers=staff["hr"])
    assert nothing_left.json()["decided"] == []
    refused = await client.post(
        f"{API}/overtime/{company.bob_id}/reverse", json={"date": "2026-11-16", "reason": "x"}, headers=staff["manager"]
    )
    assert refused.status_code == 403
    back = await client.post(
        f"{API}/overtime/{company.bob_id}/reverse", json={"date": "2026-11-16", "reason": "training"},
        headers=staff["hr"],
    )  # fmt: skip
    assert back.status_code == 200 and back.json()["status"] == "reversed"
    async with db.session() as s:
        deltas = [
            (e.kind, e.delta)
            for e in await s.scalars(
                select(LeaveLedgerEntry).where(LeaveLedgerEntry.leave_type_id == toil).order_by(LeaveLedgerEntry.id)
            )
        ]
    assert deltas == [
        (LedgerKind.TOIL, Decimal("0.38")),
        (LedgerKind.TOIL, Decimal("0.38")),
        (LedgerKind.REVERSAL, Decimal("-0.38")),
    ]


async def test_hr_waives_a_lateness_notice_and_the_balance_comes_back(client, staff, company, db):
    async with db.transaction() as s:
        for day in (16, 17, 18):
            base = datetime(2026, 11, day, tzinfo=UTC)
            for hours, direction in ((8.5, Direction.IN), (17, Direction.OUT)):
                await record_punch(
                    s, actor=company.hr, employee_id=company.alice_id, direction=direction, source=PunchSource.MANUAL,
                    instant=base + timedelta(hours=hours), now=NOW, company_timezone="UTC", note="device down",
                )  # fmt: skip
        await process_days(s, date_from=date(2026, 11, 16), date_to=date(2026, 11, 22), now=NOW, company_timezone="UTC")
        policy = LatenessPolicy(3, LatenessPeriod.MONTH, Decimal(1), company.annual_id)
        await evaluate_lateness(s, as_of=date(2026, 11, 22), now=NOW, actor=Actor.system("test"), policy=policy)
    before = (await client.get(f"{API}/balances/{company.alice_id}", headers=staff["hr"])).json()
    notices = (await client.get(f"{API}/lateness-notices", headers=staff["manager"])).json()["items"]
    assert len(notices) == 1 and notices[0]["late_days"] == ["2026-11-16", "2026-11-17", "2026-11-18"]
    refused = await client.post(
        f"{API}/lateness-notices/{notices[0]['id']}/waive", json={"reason": "x"}, headers=staff["manager"]
    )
    assert refused.status_code == 403
    waived = await client.post(
        f"{API}/lateness-notices/{notices[0]['id']}/waive", json={"reason": "train strike"}, headers=staff["hr"]
    )
    assert waived.status_code == 200 and waived.json()["status"] == "waived"
    after = (await client.get(f"{API}/balances/{company.alice_id}", headers=staff["hr"])).json()
    annual = [
        next(line for line in body["balances"] if line["leave_type_id"] == company.annual_id)
        for body in (before, after)
    ]
    assert Decimal(str(annual[1]["balance"])) == Decimal(str(annual[0]["balance"])) + 1
