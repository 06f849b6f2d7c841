"""Approval chains, delegations and hourly leave over HTTP: the same services as the bot, level by level."""

from __future__ import annotations

from tests.factories import Company

API = "/api/v1"


async def _ask(client, staff, company: Company, **changes) -> dict:
    body = {"employee_id": company.alice_id, "leave_type_id": company.annual_id, "start_date": "2026-12-01",
            "end_date": "2026-12-03"} | changes  # fmt: skip
    response = await client.post(f"{API}/leaves", json=body, headers=staff["hr"])
    assert response.status_code == 201, response.text
    return response.json()


async def test_hr_sets_a_two_level_chain_and_the_request_moves_level_by_level(client, staff, company: Company):
    chain = {"levels": [{"kind": "manager"}, {"kind": "hr", "min_days": 2}]}
    put = await client.put(f"{API}/leave-types/{company.annual_id}/approval-chain", json=chain, headers=staff["hr"])
    assert put.status_code == 200, put.text
    read = await client.get(f"{API}/leave-types/{company.annual_id}/approval-chain", headers=staff["readonly"])
    assert [level["kind"] for level in read.json()["levels"]] == ["manager", "hr"]

    created = await _ask(client, staff, company)
    assert (created["stage"], created["approver_id"], created["history"]) == (0, company.manager_id, [])
    first = await client.post(f"{API}/leaves/{created['id']}/approve", json={"level": 0}, headers=staff["manager"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["status"], body["stage"]) == ("pending", 1)
    assert [(h["level"], h["outcome"], h["decided_by"]) for h in body["history"]] == [(0, "approved", "Max Manager")]
    again = await client.post(f"{API}/leaves/{created['id']}/approve", json={"level": 0}, headers=staff["hr"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"
    assert "Max Manager" in again.json()["error"]["message"]
    final = await client.post(f"{API}/leaves/{created['id']}/approve", json={"level": 1}, headers=staff["hr"])
    assert final.status_code == 200 and final.json()["status"] == "approved"
    assert len(final.json()["history"]) == 2


async def test_a_person_level_without_a_person_is_refused(client, staff, company: Company):
    chain = {"levels": [{"kind": "person"}]}
    response = await client.put(
        f"{API}/leave-types/{company.annual_id}/approval-chain", json=chain, headers=staff["hr"]
    )
    assert response.status_code == 422


async def test_a_manager_token_delegates_its_own_approvals_and_no_one_elses(client, staff, company: Company):
    mine = {"delegator_id": company.manager_id, "delegate_id": company.bob_id, "start_date": "2026-11-23",
            "end_date": "2026-11-27", "reason": "Conference"}  # fmt: skip
    created = await client.post(f"{API}/delegations", json=mine, headers=staff["manager"])
    assert created.status_code == 201, created.text
    assert created.json()["delegate_name"] == "Bob"
    others = mine | {"delegator_id": company.hr_id, "delegate_id": company.manager_id}
    refused = await client.post(f"{API}/delegations", json=others, headers=staff["manager"])
    assert refused.status_code == 403
    listed = await client.get(f"{API}/delegations", params={"current": True}, headers=staff["manager"])
    assert [d["id"] for d in listed.json()] == [created.json()["id"]]

    request = await _ask(client, staff, company)
    assert request["approver_id"] == company.bob_id
    ended = await client.delete(f"{API}/delegations/{created.json()['id']}", headers=staff["manager"])
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    back = await client.get(f"{API}/leaves/{request['id']}", headers=staff["hr"])
    assert back.json()["approver_id"] == company.manager_id


async def test_an_hourly_type_is_booked_by_time_and_its_balance_is_in_hours(client, staff, company: Company):
    kind = {"code": "PERM", "name": "Permission", "unit": "hours", "yearly_allowance": 16, "min_minutes": 30,
            "step_minutes": 30}  # fmt: skip
    made = await client.post(f"{API}/leave-types", json=kind, headers=staff["hr"])
    assert made.status_code == 201, made.text
    type_id = made.json()["id"]
    await client.post(f"{API}/ledger/adjust", headers=staff["hr"], json={
        "employee_id": company.alice_id, "leave_type_id": type_id, "delta": 16, "note": "Yearly hours"})  # fmt: skip
    bad = await client.post(f"{API}/leaves/quote", headers=staff["hr"], json={
        "employee_id": company.alice_id, "leave_type_id": type_id, "start_date": "2026-12-01",
        "end_date": "2026-12-01", "start_time": "07:00", "end_time": "08:00"})  # fmt: skip
    assert bad.json()["ok"] is False and bad.json()["violations"][0]["code"] == "outside_shift"
    good = await client.post(f"{API}/leaves/quote", headers=staff["hr"], json={
        "employee_id": company.alice_id, "leave_type_id": type_id, "start_date": "2026-12-01",
        "end_date": "2026-12-01", "start_time": "09:30", "end_time": "11:00"})  # fmt: skip
    assert (good.json()["ok"], good.json()["minutes"], good.json()["working_days"]) == (True, 90, 1.5)
    booked = await _ask(client, staff, company, leave_type_id=type_id, start_date="2026-12-01",
                        end_date="2026-12-01", start_time="16:00", end_time="18:00")  # fmt: skip
    assert (booked["unit"], booked["minutes"], booked["working_days"]) == ("hours", 120, 2)
    balances = await client.get(f"{API}/balances/{company.alice_id}", headers=staff["hr"])
    line = next(b for b in balances.json()["balances"] if b["leave_type_id"] == type_id)
    assert (line["unit"], line["available"]) == ("hours", 14)


async def test_the_attached_document_is_downloaded_by_hr_and_the_approver_but_not_readonly(
    client, staff, company: Company
):
    created = await _ask(client, staff, company, leave_type_id=company.sick_id, attachment_file_id="note-7")
    for role in ("hr", "manager"):
        response = await client.get(f"{API}/leaves/{created['id']}/attachment", headers=staff[role])
        assert response.status_code == 200, response.text
        assert response.content.startswith(b"%PDF") and "attachment" in response.headers["content-disposition"]
    refused = await client.get(f"{API}/leaves/{created['id']}/attachment", headers=staff["readonly"])
    assert refused.status_code == 403
    plain = await _ask(client, staff, company, start_date="2026-12-14", end_date="2026-12-15")
    missing = await client.get(f"{API}/leaves/{plain['id']}/attachment", headers=staff["hr"])
    assert missing.status_code == 404
