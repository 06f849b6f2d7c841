"""Calendar feeds over HTTP: created through the API (token and URL shown once), fetched by calendar apps at
/ical/<token>.ics without any header, refused once revoked; a manager reaches only their line."""

from __future__ import annotations

from icalendar import Calendar
from sqlalchemy import select

from shared.model import CalendarFeed, Employee

URL = "/api/v1/calendar-feeds"


async def test_a_feed_made_through_the_api_is_served_as_icalendar_and_dies_when_revoked(client, staff, company):
    created = await client.post(URL, json={"owner_id": company.alice_id, "scope": "team"}, headers=staff["hr"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["path"] == f"/ical/{body['token']}.ics" and body["department_id"] == company.department_id

    served = await client.get(body["path"])
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(served.content)
    assert calendar["X-WR-CALNAME"] == "Ops"

    listed = await client.get(URL, headers=staff["hr"])
    assert body["token"] not in listed.text and listed.json()["total"] == 1
    revoked = await client.post(f"{URL}/{body['id']}/revoke", headers=staff["hr"])
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    gone = await client.get(body["path"])
    assert gone.status_code == 404 and "revoked" in gone.json()["error"]["message"]


async def test_an_unknown_token_is_a_404_that_tells_nothing(client):
    for path in ("/ical/cal_nothing-here.ics", "/ical/chr_an-api-token.ics"):
        response = await client.get(path)
        assert response.status_code == 404


async def test_a_manager_token_makes_feeds_for_its_line_only(client, staff, company, db):
    async with db.transaction() as s:
        outsider = Employee(code="OUT", full_name="Olga Outside", work_week="12345")
        s.add(outsider)
        await s.flush()
        outsider_id = outsider.id
    mine = await client.post(URL, json={"owner_id": company.bob_id, "scope": "person"}, headers=staff["manager"])
    assert mine.status_code == 201, mine.text
    theirs = await client.post(URL, json={"owner_id": outsider_id, "scope": "person"}, headers=staff["manager"])
    assert theirs.status_code == 403
    async with db.session() as s:
        assert [f.owner_id for f in await s.scalars(select(CalendarFeed))] == [company.bob_id]


async def test_bad_feed_requests_are_explained(client, staff, company):
    company_feed = await client.post(URL, json={"owner_id": company.alice_id, "scope": "company"}, headers=staff["hr"])
    assert company_feed.status_code == 403 and "HR" in company_feed.json()["error"]["message"]
    shifts = await client.post(
        URL, json={"owner_id": company.alice_id, "scope": "team", "include_shifts": True}, headers=staff["hr"]
    )
    assert shifts.status_code == 422
    unknown = await client.post(URL, json={"owner_id": company.alice_id, "scope": "planet"}, headers=staff["hr"])
    assert unknown.status_code == 422
