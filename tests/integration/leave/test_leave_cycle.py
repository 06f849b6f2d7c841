"""Request → approve → cancel through the services, with ledger, audit and outbox rows checked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shared.domain.enums import HalfDay, LeaveStatus, LedgerKind, OutboxStatus
from shared.domain.leave import RuleViolated
from shared.errors import Conflict, Forbidden, Invalid
from shared.model import AuditLog, LeaveLedgerEntry, LeaveRequest, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year, balances
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import cancel_leave, quote_leave, request_leave
from tests.factories import Company, make_company

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
async def company(db: Database) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
    return company


async def _request(db: Database, company: Company, **kw) -> LeaveRequest:
    args = dict(
        actor=company.alice,
        employee_id=company.alice_id,
        leave_type_id=company.annual_id,
        start=date(2026, 12, 21),
        end=date(2026, 12, 28),
        today=TODAY,
        now=NOW,
    )
    args.update(kw)
    async with db.transaction() as s:
        return await request_leave(s, **args)


async def _rows(db: Database, model, *where):
    async with db.session() as s:
        return list(await s.scalars(select(model).where(*where).order_by(model.id)))


async def _available(db: Database, company: Company, employee_id: int | None = None) -> Decimal:
    async with db.session() as s:
        lines = await balances(s, employee_id=employee_id or company.alice_id, as_of=TODAY)
    return next(line.available for line in lines if line.leave_type_id == company.annual_id)


async def test_a_request_counts_working_days_and_asks_the_manager_with_buttons(db: Database, company: Company):
    request = await _request(db, company)
    # Dec 21–28: 6 weekdays minus Christmas (25th) = 5
    assert request.working_days == Decimal(5) and request.status is LeaveStatus.PENDING
    assert request.approver_id == company.manager_id
    (message,) = await _rows(db, OutboxMessage)
    assert message.chat_id == 9002 and message.ref == f"leave:{request.id}:approver:{company.manager_id}"
    assert [b["callback_data"] for b in message.payload["buttons"][0]] == [f"lv:a:{request.id}", f"lv:r:{request.id}"]
    assert "Alice" in message.payload["text"]
    assert await _available(db, company) == Decimal(15)  # 20 allocated, 5 reserved


async def test_approve_then_cancel_returns_the_balance_exactly(db: Database, company: Company):
    request = await _request(db, company, start_half=HalfDay.AFTERNOON, start=date(2026, 12, 1), end=date(2026, 12, 3))
    assert request.working_days == Decimal("2.5")
    async with db.transaction() as s:
        outcome = await decide_leave(
            s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW
        )
    assert outcome.changed and outcome.decided_by == "Max Manager"
    assert await _available(db, company) == Decimal("17.5")
    taken = await _rows(db, LeaveLedgerEntry, LeaveLedgerEntry.kind == LedgerKind.TAKEN)
    assert [t.delta for t in taken] == [Decimal("-2.5")] and taken[0].key == f"taken:{request.id}"

    async with db.transaction() as s:
        cancelled = await cancel_leave(s, actor=company.alice, request_id=request.id, today=TODAY, now=NOW)
    assert cancelled.status is LeaveStatus.CANCELLED
    assert await _available(db, company) == Decimal(20)
    kinds = [e.kind for e in await _rows(db, LeaveLedgerEntry, LeaveLedgerEntry.employee_id == company.alice_id)]
    assert kinds.count(LedgerKind.REVERSAL) == 1 and kinds.count(LedgerKind.TAKEN) == 1

    actions = [a.action for a in await _rows(db, AuditLog, AuditLog.entity == "leave_request")]
    assert actions == ["create", "approve", "cancel"]
    outbox = await _rows(db, OutboxMessage)
    to_alice = [m for m in outbox if m.chat_id == 9003]
    assert len(to_alice) == 1 and "Max Manager" in to_alice[0].payload["text"]
    edits = [m for m in outbox if m.payload["kind"] == "edit"]
    assert edits and edits[0].chat_id == 9002 and not edits[0].payload["buttons"]
    assert any(m.chat_id == 9002 and "cancelled" in m.payload["text"] for m in outbox if m.payload["kind"] == "message")
    assert any(m.chat_id == 9001 for m in outbox)  # HR told of the decision


async def test_a_second_decision_writes_nothing_and_tells_who_decided(db: Database, company: Company):
    request = await _request(db, company)
    async with db.transaction() as s:
        await decide_leave(s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW)
    counts_before = [len(await _rows(db, m)) for m in (LeaveLedgerEntry, AuditLog, OutboxMessage)]
    async with db.transaction() as s:
        again = await decide_leave(
            s, actor=company.hr, request_id=request.id, approve=False, comment="no", today=TODAY, now=NOW
        )
    assert not again.changed and again.decided_by == "Max Manager" and again.request.status is LeaveStatus.APPROVED
    assert [len(await _rows(db, m)) for m in (LeaveLedgerEntry, AuditLog, OutboxMessage)] == counts_before


async def test_rejecting_needs_a_reason_and_is_told_to_the_employee(db: Database, company: Company):
    request = await _request(db, company)
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await decide_leave(s, actor=company.manager, request_id=request.id, approve=False, today=TODAY, now=NOW)
    async with db.transaction() as s:
        outcome = await decide_leave(
            s,
            actor=company.manager,
            request_id=request.id,
            approve=False,
            comment="Year-end rush",
            today=TODAY,
            now=NOW,
        )
    assert outcome.request.status is LeaveStatus.REJECTED and outcome.request.decision_comment == "Year-end rush"
    (to_alice,) = [m for m in await _rows(db, OutboxMessage) if m.chat_id == 9003]
    assert "Year-end rush" in to_alice.payload["text"]
    assert await _available(db, company) == Decimal(20)


async def test_a_colleague_cannot_decide_and_nobody_decides_their_own(db: Database, company: Company):
    request = await _request(db, company)
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await decide_leave(s, actor=company.bob, request_id=request.id, approve=True, today=TODAY, now=NOW)
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await decide_leave(s, actor=company.alice, request_id=request.id, approve=True, today=TODAY, now=NOW)


async def test_only_the_requester_or_hr_may_cancel(db: Database, company: Company):
    request = await _request(db, company)
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await cancel_leave(s, actor=company.bob, request_id=request.id, today=TODAY, now=NOW)
    async with db.transaction() as s:
        await cancel_leave(s, actor=company.hr, request_id=request.id, today=TODAY, now=NOW)
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await cancel_leave(s, actor=company.alice, request_id=request.id, today=TODAY, now=NOW)


async def test_a_type_without_approval_is_booked_at_once(db: Database, company: Company):
    request = await _request(
        db, company, leave_type_id=company.free_id, start=date(2026, 11, 27), end=date(2026, 11, 27)
    )
    assert request.status is LeaveStatus.APPROVED
    taken = await _rows(db, LeaveLedgerEntry, LeaveLedgerEntry.kind == LedgerKind.TAKEN)
    assert [t.delta for t in taken] == [Decimal(-1)]
    assert await _rows(db, OutboxMessage) == []  # she asked herself; the bot answers her directly


async def test_overlapping_requests_are_refused_but_halves_may_share_a_day(db: Database, company: Company):
    await _request(
        db,
        company,
        start=date(2026, 12, 1),
        end=date(2026, 12, 1),
        start_half=HalfDay.MORNING,
        end_half=HalfDay.MORNING,
    )
    second = await _request(
        db,
        company,
        start=date(2026, 12, 1),
        end=date(2026, 12, 1),
        start_half=HalfDay.AFTERNOON,
        end_half=HalfDay.AFTERNOON,
    )
    assert second.working_days == Decimal("0.5")
    with pytest.raises(RuleViolated) as info:
        await _request(db, company, start=date(2026, 11, 30), end=date(2026, 12, 2))
    assert info.value.code == "overlap"


async def test_a_failed_request_writes_nothing(db: Database, company: Company):
    with pytest.raises(RuleViolated):
        await _request(db, company, start=date(2026, 12, 26), end=date(2026, 12, 27))  # a weekend
    for model in (LeaveRequest, OutboxMessage):
        assert await _rows(db, model) == []
    assert [a.action for a in await _rows(db, AuditLog, AuditLog.entity == "leave_request")] == []


async def test_quote_shows_every_violation_without_writing(db: Database, company: Company):
    async with db.session() as s:
        quote = await quote_leave(
            s,
            employee_id=company.alice_id,
            leave_type_id=company.annual_id,
            start=date(2026, 1, 5),
            end=date(2027, 3, 1),
            today=TODAY,
        )
    codes = {v.code for v in quote.violations}
    assert "span_too_long" in codes or "backdated" in codes
    async with db.session() as s:
        fine = await quote_leave(
            s,
            employee_id=company.alice_id,
            leave_type_id=company.annual_id,
            start=date(2026, 12, 1),
            end=date(2026, 12, 2),
            today=TODAY,
        )
    assert fine.ok and fine.working_days == 2 and fine.balance_after == 18 and fine.approver_name == "Max Manager"


async def test_hr_may_request_on_behalf_and_the_employee_is_told(db: Database, company: Company):
    api = Actor.for_token("hr-portal", "hr")
    request = await _request(db, company, actor=api)
    assert request.created_by == "token:hr-portal"
    assert any(m.chat_id == 9003 for m in await _rows(db, OutboxMessage))


async def test_a_colleague_cannot_request_for_someone_else(db: Database, company: Company):
    with pytest.raises(Forbidden):
        await _request(db, company, actor=company.bob)


async def test_an_audit_row_and_outbox_rows_vanish_with_a_rollback(db: Database, company: Company):
    request = await _request(db, company)
    before = (len(await _rows(db, AuditLog)), len(await _rows(db, OutboxMessage)))
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await decide_leave(s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW)
            raise RuntimeError("crash after the decision")
    assert (len(await _rows(db, AuditLog)), len(await _rows(db, OutboxMessage))) == before
    (still,) = await _rows(db, LeaveRequest)
    assert still.status is LeaveStatus.PENDING


async def test_no_outbox_row_is_marked_anything_but_pending_by_the_services(db: Database, company: Company):
    await _request(db, company)
    async with db.session() as s:
        assert (
            await s.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status != OutboxStatus.PENDING))
            == 0
        )


async def test_cancelling_approved_leave_tells_the_approver_and_hr_in_the_same_transaction(
    db: Database, company: Company
):
    request = await _request(db, company, start=date(2026, 12, 1), end=date(2026, 12, 3))
    async with db.transaction() as s:
        await decide_leave(s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW)
    before = {m.id for m in await _rows(db, OutboxMessage)}
    async with db.transaction() as s:
        await cancel_leave(s, actor=company.alice, request_id=request.id, today=TODAY, now=NOW)
    new = [m for m in await _rows(db, OutboxMessage) if m.id not in before and m.payload["kind"] == "message"]
    told = sorted(m.chat_id for m in new if "was cancelled by Alice" in m.payload["text"])
    assert told == [9001, 9002]  # HR and the approver; Alice cancelled it herself


async def test_a_request_of_a_type_without_a_balance_shows_the_approver_no_balance_after(
    db: Database, company: Company
):
    from shared.model import LeaveType
    from shared.services.leave.requests import quote_leave

    async with db.transaction() as s:
        unpaid = LeaveType(code="UNPAID", name="Unpaid leave", paid=False, yearly_allowance=Decimal(0),
                           negative_allowed=True)  # fmt: skip
        s.add(unpaid)
    async with db.session() as s:
        quote = await quote_leave(s, employee_id=company.alice_id, leave_type_id=unpaid.id,
                                  start=date(2026, 12, 1), end=date(2026, 12, 2), today=TODAY)  # fmt: skip
    assert quote.unlimited and not quote.paid and quote.balance_after < 0
    await _request(db, company, leave_type_id=unpaid.id, start=date(2026, 12, 1), end=date(2026, 12, 2))
    to_manager = [m for m in await _rows(db, OutboxMessage) if m.chat_id == 9002]
    assert to_manager and "Balance after approval" not in to_manager[0].payload["text"]
    annual = await _request(db, company, start=date(2027, 1, 4), end=date(2027, 1, 5))
    assert annual
    texts = [m.payload["text"] for m in await _rows(db, OutboxMessage) if m.chat_id == 9002]
    assert any("Balance after approval" in text for text in texts), "a counted type still shows it"
