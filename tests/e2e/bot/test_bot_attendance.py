"""Check-in / check-out through the real bot: direct punches, duplicates, worked time, the office geofence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.domain.enums import Direction, PunchSource
from shared.model import Employee, Office, Punch
from tests.e2e.bot.harness import BOB, MANAGER, Harness, has

pytestmark = pytest.mark.e2e

OFFICE = (52.520008, 13.404954)  # Berlin, Alexanderplatz
NEARBY = (52.520500, 13.405500)  # ~65 m away
FAR = (52.530000, 13.404954)  # ~1.1 km north


async def _punches(h: Harness) -> list[Punch]:
    async with h.db.session() as session:
        return list(await session.scalars(select(Punch).order_by(Punch.id)))


async def _with_geofence(h: Harness, *, remote_allowed: bool = False) -> None:
    # an office id of its own: the bot process keeps a geofence for a minute (shared.services.reference_cache)
    office_id = 7001 if remote_allowed else None
    async with h.db.transaction() as session:
        office = Office(id=office_id, name="HQ", latitude=OFFICE[0], longitude=OFFICE[1], radius_m=200,
                        remote_allowed=remote_allowed)  # fmt: skip
        session.add(office)
        await session.flush()
        (await session.get(Employee, h.company.bob_id)).office_id = office.id


async def test_check_in_without_a_geofence_is_recorded_at_once(h: Harness) -> None:
    reply = await h.send(BOB, "/checkin", has("Checked in at"))

    assert reply["keyboard"]  # the main menu comes back with the answer
    (punch,) = await _punches(h)
    assert punch.employee_id == h.company.bob_id and punch.direction is Direction.IN
    assert punch.source is PunchSource.TELEGRAM and punch.inside_geofence is None


async def test_a_second_punch_within_two_minutes_is_reported_not_stored(h: Harness) -> None:
    await h.send(BOB, "📍 Check in", has("Checked in at"))
    again = await h.send(BOB, "/checkout", has("You already punched at"))

    assert "within 2 minutes is not recorded" in again["text"]
    assert len(await _punches(h)) == 1


async def test_check_out_shows_todays_worked_time(h: Harness) -> None:
    reply = await h.send(BOB, "🏁 Check out", has("Checked out at"))
    assert "Worked today: 0 h 00 min" in reply["text"]
    assert [p.direction for p in await _punches(h)] == [Direction.OUT]


async def test_with_a_geofence_the_location_is_asked_and_inside_is_recorded(h: Harness) -> None:
    await _with_geofence(h)

    ask = await h.send(BOB, "/checkin", has("share your location to check in at HQ"))
    assert ask["keyboard"][0][0] == {"text": "📍 Send my location", "request_location": True}
    assert await _punches(h) == []
    await h.control.share_location(BOB, *NEARBY)
    reply = await h.wait_for(BOB, has("Checked in at"), after=ask["message_id"])

    assert "At the office" in reply["text"]
    (punch,) = await _punches(h)
    assert punch.inside_geofence is True and 40 < punch.distance_m < 100
    assert (punch.latitude, punch.longitude) == NEARBY


async def test_outside_the_geofence_is_recorded_with_the_distance(h: Harness) -> None:
    await _with_geofence(h)

    ask = await h.send(BOB, "/checkout", has("share your location to check out"))
    await h.control.share_location(BOB, *FAR)
    reply = await h.wait_for(BOB, has("Checked out at"), after=ask["message_id"])

    assert "Outside the office area: 1.1 km away" in reply["text"] and "HR will see this" in reply["text"]
    (punch,) = await _punches(h)
    assert punch.inside_geofence is False and punch.direction is Direction.OUT and punch.distance_m > 1000


async def test_cancelling_the_location_question_records_nothing(h: Harness) -> None:
    await _with_geofence(h)
    await h.send(BOB, "/checkin", has("share your location"))

    await h.send(BOB, "✖️ Cancel", has("Cancelled"))
    await h.control.share_location(BOB, *NEARBY)
    hint = await h.wait_for(BOB, has("tap the button first"))

    assert hint and await _punches(h) == []


async def test_text_typed_at_the_location_step_says_what_to_do_and_records_nothing(h: Harness) -> None:
    await _with_geofence(h)
    ask = await h.send(BOB, "/checkin", has("share your location"))

    hint = await h.send(BOB, "I am at the office", has("I need your location"))

    assert "did not understand" not in hint["text"] and hint["keyboard"][0][0]["request_location"] is True
    assert await _punches(h) == []
    await h.control.share_location(BOB, *NEARBY)
    await h.wait_for(BOB, has("Checked in at"), after=ask["message_id"])


async def test_where_remote_work_is_allowed_a_check_in_without_location_is_recorded_and_flagged(h: Harness) -> None:
    await _with_geofence(h, remote_allowed=True)
    ask = await h.send(BOB, "/checkin", has("share your location"))
    assert [row[0]["text"] for row in ask["keyboard"]][:2] == ["📍 Send my location", "🏠 Working remotely"]

    reply = await h.send(BOB, "🏠 Working remotely", has("Checked in at"))

    assert "Working remotely" in reply["text"]
    (punch,) = await _punches(h)
    assert punch.latitude is None and punch.note == "remote" and punch.inside_geofence is None


async def test_without_remote_work_the_remote_label_is_not_a_check_in(h: Harness) -> None:
    await _with_geofence(h)
    ask = await h.send(BOB, "/checkin", has("share your location"))
    assert all("Working remotely" not in row[0]["text"] for row in ask["keyboard"])
    await h.send(BOB, "🏠 Working remotely", has("I need your location"))
    assert await _punches(h) == []


async def test_a_check_in_too_soon_after_the_last_check_out_warns_bob_and_his_manager(h: Harness) -> None:
    last_out = datetime.now(UTC) - timedelta(hours=9, minutes=40, seconds=20)
    async with h.db.transaction() as session:
        session.add(Punch(employee_id=h.company.bob_id, source=PunchSource.TELEGRAM, instant=last_out,
                          direction=Direction.OUT))  # fmt: skip

    reply = await h.send(BOB, "/checkin", has("Checked in at"))

    assert "9 h 40 min since your last check-out; 11 h 00 min are required" in reply["text"]
    notice = await h.wait_for(MANAGER, has("checked in 9 h 40 min after their last check-out"))
    assert "Bob" in notice["text"]


async def test_a_check_in_after_a_full_rest_carries_no_warning(h: Harness) -> None:
    async with h.db.transaction() as session:
        session.add(Punch(employee_id=h.company.bob_id, source=PunchSource.TELEGRAM,
                          instant=datetime.now(UTC) - timedelta(hours=11, minutes=1), direction=Direction.OUT))  # fmt: skip

    reply = await h.send(BOB, "/checkin", has("Checked in at"))

    assert "since your last check-out" not in reply["text"]
