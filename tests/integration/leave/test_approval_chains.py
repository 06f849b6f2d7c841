"""Approval chains and delegation through the services: level by level, history, delegates, both DBs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.domain.approval import ChainLevel, LevelKind
from shared.domain.enums import LeaveStatus, Role
from shared.errors import Conflict, Forbidden, Invalid
from shared.model import AuditLog, Employee, LeaveRequest, LeaveStep, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.chain_admin import get_chain, set_chain
from shared.services.leave.chains import history
from shared.services.leave.decisions import decide_leave
from shared.services.leave.delegations import end_delegation, list_delegations, set_delegation
from shared.services.leave.requests import request_leave
from tests.factories import Company, make_company

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
MANAGER_THEN_HR = [ChainLevel(LevelKind.MANAGER), ChainLevel(LevelKind.HR)]


@pytest.fixture
async def company(db: Database) -> Company:
    company = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
    return company


async def _chain(db: Database, company: Company, levels: list[ChainLevel], department_id: int | None = None) -> None:
    async with db.transaction() as s:
        await set_chain(s, actor=company.hr, leave_type_id=company.annual_id, department_id=department_id,
                        levels=levels)  # fmt: skip


async def _request(db: Database, company: Company, start=date(2026, 12, 1), end=date(2026, 12, 3)) -> LeaveRequest:
    async with db.transaction() as s:
        return await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=start, end=end, today=TODAY, now=NOW,
        )  # fmt: skip


async def _decide(db: Database, actor: Actor, request_id: int, approve: bool = True, level: int | None = None):
    async with db.transaction() as s:
        return await decide_leave(
            s, actor=actor, request_id=request_id, approve=approve, comment=None if approve else "Busy week",
            level=level, today=TODAY, now=NOW,
        )  # fmt: skip


async def _outbox(db: Database) -> list[OutboxMessage]:
    async with db.session() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_two_level_request_goes_to_the_manager_then_hr_and_only_then_is_approved(db, company):
    await _chain(db, company, MANAGER_THEN_HR)
    request = await _request(db, company)
    assert (request.stage, request.approver_id) == (0, company.manager_id)
    first = next(m for m in await _outbox(db) if m.chat_id == 9002)
    assert first.payload["buttons"][0][0]["callback_data"] == f"lv:a:{request.id}:0"
    assert "level 1 of 2" in first.payload["text"]

    outcome = await _decide(db, company.manager, request.id, level=0)
    assert outcome.changed and outcome.passed_to == "Hana HR"
    assert outcome.request.status is LeaveStatus.PENDING
    assert (outcome.request.stage, outcome.request.approver_id) == (1, company.hr_id)
    to_hr = [m for m in await _outbox(db) if m.chat_id == 9001 and m.payload.get("buttons")]
    assert to_hr[-1].payload["buttons"][0][0]["callback_data"] == f"lv:a:{request.id}:1"

    final = await _decide(db, company.hr, request.id, level=1)
    assert final.request.status is LeaveStatus.APPROVED
    async with db.session() as s:
        steps = await history(s, request.id)
    assert [(st.level, st.outcome, st.decided_by) for st in steps] == [
        (0, "approved", "Max Manager"),
        (1, "approved", "Hana HR"),
    ]


async def test_a_second_press_on_a_level_already_passed_changes_nothing_and_names_who_approved(db, company):
    await _chain(db, company, MANAGER_THEN_HR)
    request = await _request(db, company)
    await _decide(db, company.manager, request.id, level=0)
    again = await _decide(db, company.manager, request.id, level=0)
    assert not again.changed and again.decided_by == "Max Manager"
    hr_pressing_old_message = await _decide(db, company.hr, request.id, level=0)
    assert not hr_pressing_old_message.changed
    async with db.session() as s:
        assert (await s.get(LeaveRequest, request.id)).stage == 1


async def test_rejection_at_the_first_level_ends_the_request(db, company):
    await _chain(db, company, MANAGER_THEN_HR)
    request = await _request(db, company)
    outcome = await _decide(db, company.manager, request.id, approve=False, level=0)
    assert outcome.request.status is LeaveStatus.REJECTED
    later = await _decide(db, company.hr, request.id, level=1)
    assert not later.changed and later.request.status is LeaveStatus.REJECTED
    async with db.session() as s:
        assert [st.outcome for st in await history(s, request.id)] == ["rejected"]


async def test_a_level_above_a_number_of_days_applies_only_to_longer_requests(db, company):
    await _chain(db, company, [ChainLevel(LevelKind.MANAGER), ChainLevel(LevelKind.HR, min_days=Decimal(3))])
    short = await _request(db, company)  # 3 days: not above 3
    outcome = await _decide(db, company.manager, short.id, level=0)
    assert outcome.request.status is LeaveStatus.APPROVED
    long = await _request(db, company, start=date(2026, 12, 7), end=date(2026, 12, 11))  # 5 days
    outcome = await _decide(db, company.manager, long.id, level=0)
    assert outcome.request.status is LeaveStatus.PENDING and outcome.request.approver_id == company.hr_id


async def test_a_level_whose_approver_is_the_requester_is_skipped(db, company):
    await _chain(db, company, [ChainLevel(LevelKind.PERSON, person_id=company.alice_id), ChainLevel(LevelKind.HR)])
    request = await _request(db, company)
    assert (request.stage, request.approver_id) == (1, company.hr_id)


async def test_a_department_chain_wins_over_the_company_chain(db, company):
    await _chain(db, company, MANAGER_THEN_HR)
    await _chain(db, company, [ChainLevel(LevelKind.HR)], department_id=company.department_id)
    request = await _request(db, company)
    assert (request.stage, request.approver_id) == (0, company.hr_id)
    async with db.session() as s:
        assert await get_chain(s, leave_type_id=company.annual_id) == MANAGER_THEN_HR


async def test_only_hr_sets_chains_and_it_is_audited(db, company):
    with pytest.raises(Forbidden):
        await _chain_as(db, company, company.manager)
    await _chain(db, company, MANAGER_THEN_HR)
    async with db.session() as s:
        row = await s.scalar(select(AuditLog).where(AuditLog.action == "set_chain"))
    assert row is not None and len(row.new["levels"]) == 2


async def _chain_as(db: Database, company: Company, actor: Actor) -> None:
    async with db.transaction() as s:
        await set_chain(s, actor=actor, leave_type_id=company.annual_id, levels=MANAGER_THEN_HR)


async def test_while_a_delegation_holds_new_requests_go_to_the_delegate_and_both_are_told(db, company):
    async with db.transaction() as s:
        view = await set_delegation(
            s, actor=company.manager, delegator_id=company.manager_id, delegate_id=company.bob_id,
            start=TODAY, end=date(2026, 11, 30), reason="Holiday", today=TODAY, now=NOW,
        )  # fmt: skip
    assert view.delegate_name == "Bob"
    told = {m.chat_id for m in await _outbox(db)}
    assert {9002, 9004} <= told
    request = await _request(db, company)
    assert request.approver_id == company.bob_id
    outcome = await _decide(db, company.bob, request.id)
    assert outcome.request.status is LeaveStatus.APPROVED


async def test_setting_a_delegation_moves_waiting_requests_and_ending_it_moves_them_back(db, company):
    request = await _request(db, company)
    assert request.approver_id == company.manager_id
    async with db.transaction() as s:
        view = await set_delegation(
            s, actor=company.manager, delegator_id=company.manager_id, delegate_id=company.bob_id,
            start=TODAY, end=date(2026, 11, 30), today=TODAY, now=NOW,
        )  # fmt: skip
    async with db.session() as s:
        assert (await s.get(LeaveRequest, request.id)).approver_id == company.bob_id
    async with db.transaction() as s:
        await end_delegation(s, actor=company.manager, delegation_id=view.row.id, today=TODAY, now=NOW)
    async with db.session() as s:
        assert (await s.get(LeaveRequest, request.id)).approver_id == company.manager_id
        assert await list_delegations(s, employee_id=company.manager_id, current_on=TODAY) == []


async def test_a_chain_level_goes_to_the_delegate_of_its_approver(db, company):
    await _chain(db, company, MANAGER_THEN_HR)
    async with db.transaction() as s:
        await set_delegation(
            s, actor=company.hr, delegator_id=company.hr_id, delegate_id=company.bob_id,
            start=TODAY, end=TODAY, today=TODAY, now=NOW,
        )  # fmt: skip
    request = await _request(db, company)
    outcome = await _decide(db, company.manager, request.id, level=0)
    assert outcome.request.approver_id == company.bob_id and outcome.passed_to == "Bob"


@pytest.mark.parametrize(
    ("who", "delegate", "start", "end", "error"),
    [
        ("alice", "bob", TODAY, TODAY, Forbidden),  # not her own delegation
        ("manager", "manager", TODAY, TODAY, Invalid),  # to oneself
        ("manager", "bob", TODAY, date(2026, 11, 1), Invalid),  # end before start
        ("manager", "bob", date(2026, 11, 1), date(2026, 11, 2), Invalid),  # already over
    ],
)
async def test_bad_delegations_are_refused_and_nothing_is_written(db, company, who, delegate, start, end, error):
    actor = {"alice": company.alice, "manager": company.manager}[who]
    delegate_id = {"bob": company.bob_id, "manager": company.manager_id}[delegate]
    with pytest.raises(error):
        async with db.transaction() as s:
            await set_delegation(
                s, actor=actor, delegator_id=company.manager_id, delegate_id=delegate_id,
                start=start, end=end, today=TODAY, now=NOW,
            )  # fmt: skip
    async with db.session() as s:
        assert await list_delegations(s) == []


async def test_an_employee_who_approves_nothing_cannot_delegate(db, company):
    with pytest.raises(Invalid):
        async with db.transaction() as s:
            await set_delegation(
                s, actor=company.alice, delegator_id=company.alice_id, delegate_id=company.bob_id,
                start=TODAY, end=TODAY, today=TODAY, now=NOW,
            )  # fmt: skip


async def test_overlapping_delegations_of_one_person_are_refused(db, company):
    async def make(start: date, end: date) -> None:
        async with db.transaction() as s:
            await set_delegation(
                s, actor=company.manager, delegator_id=company.manager_id, delegate_id=company.bob_id,
                start=start, end=end, today=TODAY, now=NOW,
            )  # fmt: skip

    await make(TODAY, date(2026, 11, 30))
    with pytest.raises(Conflict):
        await make(date(2026, 11, 29), date(2026, 12, 5))
    await make(date(2026, 12, 1), date(2026, 12, 5))


async def test_the_history_of_a_single_level_request_records_the_decision(db, company):
    request = await _request(db, company)
    await _decide(db, company.manager, request.id)
    async with db.session() as s:
        steps = list(await s.scalars(select(LeaveStep).where(LeaveStep.request_id == request.id)))
        manager = await s.get(Employee, company.manager_id)
    assert [(st.level, st.outcome, st.decided_by_id) for st in steps] == [(None, "approved", manager.id)]
    assert Role.MANAGER is manager.role


async def test_the_attached_document_reaches_each_approver_with_the_request(db, company):
    async with db.transaction() as s:
        await set_chain(s, actor=company.hr, leave_type_id=company.sick_id, levels=MANAGER_THEN_HR)
        request = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.sick_id,
            start=date(2026, 11, 23), end=date(2026, 11, 24), attachment_file_id="tg-file-42", today=TODAY, now=NOW,
        )  # fmt: skip
    await _decide(db, company.manager, request.id, level=0)
    documents = [(m.chat_id, m.payload["file_id"]) for m in await _outbox(db) if m.payload["kind"] == "document"]
    assert documents == [(9002, "tg-file-42"), (9001, "tg-file-42")]


async def test_each_approver_reads_the_level_in_their_own_language(db, company):
    async with db.transaction() as s:
        (await s.get(Employee, company.manager_id)).locale = "ar"
    await _chain(db, company, MANAGER_THEN_HR)
    request = await _request(db, company)
    await _decide(db, company.manager, request.id, level=0)
    texts = {m.chat_id: m.payload.get("text") or "" for m in await _outbox(db) if m.payload.get("buttons")}
    assert "مستوى الموافقة 1 من 2" in texts[9002]
    assert "Approval level 2 of 2" in texts[9001]
    told = [m.payload["text"] for m in await _outbox(db) if m.chat_id == 9003]  # Alice reads Russian
    assert any("теперь заявка ждёт решения: Hana HR" in t for t in told)


async def test_an_overlapping_delegation_is_refused_with_its_dates_in_the_readers_style(db, company):
    from shared.i18n import translator

    async with db.transaction() as s:
        await set_delegation(
            s, actor=company.manager, delegator_id=company.manager_id, delegate_id=company.bob_id,
            start=TODAY, end=date(2026, 11, 30), reason="Holiday", today=TODAY, now=NOW,
        )  # fmt: skip
    with pytest.raises(Conflict) as refused:
        async with db.transaction() as s:
            await set_delegation(
                s, actor=company.manager, delegator_id=company.manager_id, delegate_id=company.bob_id,
                start=date(2026, 11, 25), end=date(2026, 11, 26), today=TODAY, now=NOW,
            )  # fmt: skip
    assert "from Nov 23, 2026 to Nov 30, 2026" in refused.value.render(translator("en"))
    assert "23 нояб. 2026\u202fг." in refused.value.render(translator("ru"))
    assert "2026-11-23" not in refused.value.render(translator("ar"))
