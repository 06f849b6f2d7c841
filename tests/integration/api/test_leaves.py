"""Leave over HTTP: ask on someone's behalf → approve → cancel with the ledger and balances checked; the rule
conflicts (409 with the rule's reason), decisions by manager tokens, lists and their scopes, the quote."""

from __future__ import annotations

from sqlalchemy import select

from shared.domain.enums import LeaveStatus, LedgerKind
from shared.model import AuditLog, LeaveLedgerEntry, LeaveRequest, OutboxMessage
from shared.persistence import Database
from tests.factories import Company

API = "/api/v1"


def _ask(company: Company, **changes) -> dict:
    body = {
        "employee_id": company.alice_id,
        "leave_type_id": company.annual_id,
        "start_date": "2026-12-21",
        "end_date": "2026-12-28",
        "reason": "Family visit",
    }
    return body | changes


async def _annual(client, headers, company: Company, employee_id: int | None = None) -> dict:
    response = await client.get(f"{API}/balances/{employee_id or company.alice_id}", headers=headers)
    assert response.status_code == 200, response.text
    return next(line for line in response.json()["balances"] if line["leave_type_id"] == company.annual_id)


async def _outsider(client, staff, company: Company) -> dict:
    """A sick-leave request of someone outside Max's line (no department, no manager: routed to HR)."""
    person = await client.post(
        f"{API}/employees", json={"code": "OUT", "full_name": "Olga Outside"}, headers=staff["hr"]
    )
    assert person.status_code == 201, person.text
    return await _create(
        client,
        staff,
        company,
        employee_id=person.json()["id"],
        leave_type_id=company.sick_id,
        attachment_file_id="note-1",
    )


async def _create(client, staff, company: Company, **changes) -> dict:
    response = await client.post(f"{API}/leaves", json=_ask(company, **changes), headers=staff["hr"])
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_request_is_approved_by_the_managers_token_and_cancelled_by_hr_with_the_ledger_following(
    client, staff, company: Company, db: Database
):
    created = await _create(client, staff, company)
    assert created["status"] == "pending" and created["working_days"] == 5  # Dec 25 is a holiday
    assert created["approver_id"] == company.manager_id and created["employee_name"] == "Alice"
    assert created["leave_type_code"] == "ANNUAL" and created["created_by"] == "token:staff-hr"
    before = await _annual(client, staff["hr"], company)
    assert (before["balance"], before["reserved"], before["available"]) == (20, 5, 15)

    approved = await client.post(
        f"{API}/leaves/{created['id']}/approve", json={"comment": "Enjoy"}, headers=staff["manager"]
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "Max Manager"
    after = await _annual(client, staff["readonly"], company)
    assert (after["balance"], after["reserved"], after["available"]) == (15, 0, 15)
    ledger = (await client.get(f"{API}/ledger/{company.alice_id}", headers=staff["readonly"])).json()
    assert [(e["kind"], e["delta"]) for e in ledger["items"]][:1] == [("taken", -5)]

    cancelled = await client.post(
        f"{API}/leaves/{created['id']}/cancel", json={"reason": "Plans changed"}, headers=staff["hr"]
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_by"] == "token:staff-hr"
    assert (await _annual(client, staff["hr"], company))["available"] == 20
    ledger = (
        await client.get(f"{API}/ledger/{company.alice_id}?leave_type_id={company.annual_id}", headers=staff["hr"])
    ).json()
    assert [e["kind"] for e in ledger["items"]] == ["reversal", "taken", "allocation"]  # newest first
    assert ledger["total"] == 3

    async with db.session() as s:
        request = await s.get(LeaveRequest, created["id"])
        assert request.decided_by_id == company.manager_id  # the manager token acted as Max
        actions = [
            (a.action, a.actor)
            for a in await s.scalars(select(AuditLog).where(AuditLog.entity == "leave_request").order_by(AuditLog.id))
        ]
        assert actions == [
            ("create", "token:staff-hr"),
            ("approve", "token:staff-manager"),
            ("cancel", "token:staff-hr"),
        ]
        chats = {m.chat_id for m in await s.scalars(select(OutboxMessage))}
        assert {9002, 9003} <= chats  # the approver was asked, Alice was told (same notifications as the bot)


async def test_an_overlapping_request_is_a_409_with_the_rules_reason(client, staff, company: Company, db: Database):
    await _create(client, staff, company)
    response = await client.post(
        f"{API}/leaves", json=_ask(company, start_date="2026-12-28", end_date="2026-12-30"), headers=staff["hr"]
    )
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "overlap" and "2026" in error["message"] and error["details"][0]["field"] == "dates"
    async with db.session() as s:
        assert len(list(await s.scalars(select(LeaveRequest)))) == 1


async def test_not_enough_balance_is_a_409_at_request_and_at_approval(client, staff, company: Company, db: Database):
    response = await client.post(
        f"{API}/leaves", json=_ask(company, start_date="2027-01-04", end_date="2027-03-31"), headers=staff["hr"]
    )  # 2027 holds this year's 20 (no carry-over cap) and 2027's 20: 63 working days are too many
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "insufficient_balance"
    assert "available" in response.json()["error"]["message"]

    created = await _create(client, staff, company)
    adjusted = await client.post(
        f"{API}/ledger/adjust",
        json={"employee_id": company.alice_id, "leave_type_id": company.annual_id, "delta": -18, "note": "Payout"},
        headers=staff["hr"],
    )
    assert adjusted.status_code == 201, adjusted.text
    assert adjusted.json()["kind"] == "adjustment" and adjusted.json()["effective_date"] == "2026-11-23"
    refused = await client.post(f"{API}/leaves/{created['id']}/approve", headers=staff["manager"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_balance"
    async with db.session() as s:
        assert (await s.get(LeaveRequest, created["id"])).status is LeaveStatus.PENDING


async def test_a_second_decision_is_a_409_naming_who_decided_first(client, staff, company: Company, db: Database):
    created = await _create(client, staff, company)
    first = await client.post(
        f"{API}/leaves/{created['id']}/reject", json={"reason": "Year-end"}, headers=staff["manager"]
    )
    assert first.status_code == 200 and first.json()["status"] == "rejected"
    assert first.json()["decision_comment"] == "Year-end"
    again = await client.post(f"{API}/leaves/{created['id']}/approve", headers={**staff["hr"], "Accept-Language": "en"})
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert error["code"] == "already_decided"
    assert error["message"] == "This request has already been rejected by Max Manager."
    facts = {d["field"]: d["message"] for d in error["details"]}
    assert (
        facts["status"] == "rejected"
        and facts["decided_by"] == "Max Manager"
        and facts["decided_at"].startswith("2026-11-23")
    )
    async with db.session() as s:
        assert {e.kind for e in await s.scalars(select(LeaveLedgerEntry))} == {LedgerKind.ALLOCATION}


async def test_a_rejection_needs_a_reason_and_fields_are_named_in_422s(client, staff, company: Company):
    created = await _create(client, staff, company)
    response = await client.post(f"{API}/leaves/{created['id']}/reject", json={}, headers=staff["hr"])
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["reason"]
    response = await client.post(
        f"{API}/leaves",
        json=_ask(company, start_date="21.12.2026", start_half="morning", colour="red"),
        headers=staff["hr"],
    )
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["error"]["details"]} == {"start_date", "start_half", "colour"}
    response = await client.post(f"{API}/leaves", json=_ask(company, end_date="2101-01-01"), headers=staff["hr"])
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "end_date"


async def test_manager_tokens_decide_only_in_their_reporting_line_or_when_routed_to_them(
    client, staff, company: Company
):
    mine = await _create(client, staff, company)
    routed = await _create(client, staff, company, employee_id=company.hr_id)  # HR's request goes to Max, the head
    own = await _create(client, staff, company, employee_id=company.manager_id)
    outside = await _outsider(client, staff, company)
    assert routed["approver_id"] == company.manager_id and own["approver_id"] == company.hr_id
    refused = await client.post(f"{API}/leaves/{outside['id']}/approve", headers=staff["manager"])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await client.get(f"{API}/leaves/{outside['id']}", headers=staff["manager"])).status_code == 403
    own_decision = await client.post(f"{API}/leaves/{own['id']}/approve", headers=staff["manager"])
    assert own_decision.status_code == 403 and own_decision.json()["error"]["code"] == "own_request"
    cancel = await client.post(f"{API}/leaves/{mine['id']}/cancel", headers=staff["manager"])
    assert cancel.status_code == 403 and cancel.json()["error"]["code"] == "forbidden", "a manager cancels only its own"
    assert (await client.post(f"{API}/leaves/{mine['id']}/approve", headers=staff["readonly"])).status_code == 403
    assert (await client.post(f"{API}/leaves/{mine['id']}/approve", headers=staff["manager"])).status_code == 200
    assert (await client.post(f"{API}/leaves/{routed['id']}/approve", headers=staff["manager"])).status_code == 200
    assert (await client.post(f"{API}/leaves/{outside['id']}/approve", headers=staff["hr"])).status_code == 200


async def test_a_manager_token_cannot_decide_for_its_report_when_the_request_was_routed_elsewhere(
    client, staff, company: Company, db: Database
):
    created = await _create(client, staff, company)
    async with db.transaction() as s:  # e.g. re-routed to HR while Max was away
        (await s.get(LeaveRequest, created["id"])).approver_id = company.hr_id
    response = await client.post(f"{API}/leaves/{created['id']}/approve", headers=staff["manager"])
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_approver"
    assert (await client.get(f"{API}/leaves/{created['id']}", headers=staff["manager"])).status_code == 200


async def test_lists_filter_by_employee_status_dates_and_approver_and_managers_see_their_line(
    client, staff, company: Company
):
    alice = await _create(client, staff, company)
    bob = await _create(
        client, staff, company, employee_id=company.bob_id, start_date="2027-01-11", end_date="2027-01-12"
    )
    hr = await _create(
        client, staff, company, employee_id=company.hr_id, start_date="2026-12-01", end_date="2026-12-01"
    )
    await client.post(f"{API}/leaves/{bob['id']}/approve", headers=staff["hr"])

    async def ids(query: str, role: str = "readonly") -> list[int]:
        response = await client.get(f"{API}/leaves{query}", headers=staff[role])
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == len(page["items"])
        return [item["id"] for item in page["items"]]

    assert await ids("") == [bob["id"], alice["id"], hr["id"]]  # latest start first
    assert await ids(f"?employee_id={company.alice_id}") == [alice["id"]]
    assert await ids("?status=approved") == [bob["id"]]
    assert await ids("?date_from=2026-12-28&date_to=2027-01-11") == [bob["id"], alice["id"]]  # overlapping
    assert await ids("?date_to=2026-12-20") == [hr["id"]]
    assert await ids(f"?approver_id={company.manager_id}") == [bob["id"], alice["id"], hr["id"]]
    outside = await _outsider(client, staff, company)
    assert await ids("?status=pending") == [outside["id"], alice["id"], hr["id"]]
    assert await ids("", role="manager") == [bob["id"], alice["id"], hr["id"]]  # his line, and HR's routed to him
    assert await ids(f"?employee_id={outside['employee_id']}", role="manager") == []
    bad = await client.get(f"{API}/leaves?date_from=2027-01-02&date_to=2027-01-01&status=gone", headers=staff["hr"])
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"status"}
    bad = await client.get(f"{API}/leaves?date_from=2027-01-02&date_to=2027-01-01", headers=staff["hr"])
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "date_to"
    assert (await client.get(f"{API}/leaves/999999", headers=staff["hr"])).status_code == 404


async def test_a_quote_lists_every_broken_rule_in_the_readers_language_and_writes_nothing(
    client, staff, company: Company, db: Database
):
    await _create(client, staff, company)
    response = await client.post(
        f"{API}/leaves/quote",
        json={
            "employee_id": company.alice_id,
            "leave_type_id": company.sick_id,
            "start_date": "2026-12-22",
            "end_date": "2026-12-23",
            "has_attachment": False,
        },
        headers={**staff["manager"], "Accept-Language": "ru"},
    )
    assert response.status_code == 200, response.text
    quote = response.json()
    assert not quote["ok"] and quote["working_days"] == 2 and quote["balance"] == 10
    codes = {v["code"]: v for v in quote["violations"]}
    assert {"overlap", "attachment_required"} <= set(codes)
    assert codes["overlap"]["step"] == "dates"
    assert codes["overlap"]["message"] == "У вас уже есть отпуск с 21 дек. 2026\u202fг. по 28 дек. 2026\u202fг."
    fine = await client.post(
        f"{API}/leaves/quote",
        json={
            "employee_id": company.bob_id,
            "leave_type_id": company.annual_id,
            "start_date": "2027-01-04",
            "end_date": "2027-01-08",
        },
        headers=staff["readonly"],
    )
    assert fine.json()["ok"] and fine.json()["approver_name"] == "Max Manager"
    assert fine.json()["year"] == 2027 and fine.json()["balance_after"] == 35  # 20 carried over + 2027's 20 - 5
    assert fine.json()["years"] == [
        {"year": 2027, "working_days": 5, "balance": 40, "reserved": 0, "balance_after": 35}
    ]
    outside = await client.post(
        f"{API}/leaves/quote",
        json={
            "employee_id": company.hr_id,
            "leave_type_id": company.annual_id,
            "start_date": "2027-01-04",
            "end_date": "2027-01-08",
        },
        headers=staff["manager"],
    )
    assert outside.status_code == 403
    async with db.session() as s:
        assert len(list(await s.scalars(select(LeaveRequest)))) == 1


async def test_a_type_without_approval_is_approved_at_once_and_balances_take_a_date(client, staff, company: Company):
    created = await _create(
        client, staff, company, leave_type_id=company.free_id, start_date="2026-11-27", end_date="2026-11-27"
    )
    assert created["status"] == "approved" and created["decided_by"] == "auto"
    again = await client.post(f"{API}/leaves/{created['id']}/approve", headers=staff["hr"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"
    response = await client.get(f"{API}/balances/{company.alice_id}?as_of=2026-01-01", headers=staff["manager"])
    free = next(b for b in response.json()["balances"] if b["leave_type_id"] == company.free_id)
    assert response.json()["as_of"] == "2026-01-01" and free["balance"] == 3  # taken on Nov 23: not yet on Jan 1
    assert (await client.get(f"{API}/balances/{company.hr_id}", headers=staff["manager"])).status_code == 403
    assert (await client.get(f"{API}/balances/999999", headers=staff["hr"])).status_code == 404
    assert (await client.get(f"{API}/ledger/999999", headers=staff["hr"])).status_code == 404


async def test_ledger_pages_are_bounded(client, staff, company: Company):
    for n in range(3):
        response = await client.post(
            f"{API}/ledger/adjust",
            json={
                "employee_id": company.bob_id,
                "leave_type_id": company.sick_id,
                "delta": 0.5,
                "note": f"n{n}",
                "effective_date": f"2026-0{n + 1}-15",
            },
            headers=staff["admin"],
        )
        assert response.status_code == 201, response.text
    page = (
        await client.get(
            f"{API}/ledger/{company.bob_id}?limit=2&offset=1&leave_type_id={company.sick_id}", headers=staff["hr"]
        )
    ).json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [e["note"] for e in page["items"]] == ["n1", "n0"]
    for query in ("limit=0", "limit=501", "offset=-1"):
        response = await client.get(f"{API}/ledger/{company.bob_id}?{query}", headers=staff["hr"])
        assert response.status_code == 422, query
    zero = await client.post(
        f"{API}/ledger/adjust",
        json={"employee_id": company.bob_id, "leave_type_id": company.sick_id, "delta": 0, "note": "nothing"},
        headers=staff["hr"],
    )
    assert zero.status_code == 422 and zero.json()["error"]["code"] == "adjustment_zero"
