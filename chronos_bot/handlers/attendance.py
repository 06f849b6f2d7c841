"""Check-in / check-out: straight away, or after a shared location when the employee's office has a geofence."""

from __future__ import annotations

import html

from chronos_bot import keyboards, state
from chronos_bot.handlers.common import with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.turn import Turn
from shared.domain.enums import Direction
from shared.notify.compliance_messages import rest_warning_text
from shared.services.attendance.punches import PunchOutcome, office_geofence
from shared.services.attendance.telegram_punch import record_telegram_punch
from shared.texts import distance_text


async def check_in(turn: Turn) -> None:
    """/checkin or the button: punch in, or ask for the location first."""
    await _punch_or_ask(turn, Direction.IN)


async def check_out(turn: Turn) -> None:
    """/checkout or the button: punch out, or ask for the location first."""
    await _punch_or_ask(turn, Direction.OUT)


async def _punch_or_ask(turn: Turn, direction: Direction) -> None:
    async with turn.deps.db.read() as session:  # the reference cache's, usually: no query
        office = await office_geofence(session, turn.me)
    if office is None:
        outcome = await _store(turn, direction, None, None)
        await with_menu(turn, punch_text(turn, direction, outcome))
        return
    assert office is not None
    state.begin(turn.session, Flow.CHECK, Step.LOCATION, direction=direction.value, remote_ok=office.remote_allowed)
    text = (
        turn.t("Please share your location to check in at {office}.", office=html.escape(office.name))
        if direction is Direction.IN
        else turn.t("Please share your location to check out at {office}.", office=html.escape(office.name))
    )
    if office.remote_allowed:
        text += "\n" + turn.t("Working elsewhere today? Tap “{button}”.", button=remote_label(turn))
    await turn.say(
        text, keyboards.location_request(turn.t, remote=remote_label(turn) if office.remote_allowed else None)
    )


async def on_location(turn: Turn) -> None:
    """A shared location: the punch the user asked for, with the distance to their office."""
    location = turn.message.location if turn.message else None
    if location is None or not state.in_step(turn.session, Flow.CHECK, Step.LOCATION):
        await with_menu(turn, turn.t("To check in or out, tap the button first, then share your location."))
        return
    direction = Direction(turn.session.data.get("direction", Direction.IN.value))
    state.clear(turn.session)
    await _record(turn, direction, location.latitude, location.longitude)


async def on_location_text(turn: Turn) -> None:
    """Text while a location is awaited: "working remotely" where the office allows it, else how to go on."""
    text = ((turn.message.text if turn.message else "") or "").strip()
    direction = Direction(turn.session.data.get("direction", Direction.IN.value))
    if text == remote_label(turn) and turn.session.data.get("remote_ok"):
        state.clear(turn.session)
        await _record(turn, direction, None, None, remote=True)
        return
    await turn.say(
        turn.t(
            "I need your location for this: tap “{button}” below, or /cancel.", button=turn.t("📍 Send my location")
        ),
        keyboards.location_request(turn.t, remote=remote_label(turn) if turn.session.data.get("remote_ok") else None),
    )


def remote_label(turn: Turn) -> str:
    return turn.t("🏠 Working remotely")


async def _record(
    turn: Turn, direction: Direction, latitude: float | None, longitude: float | None, *, remote: bool = False
) -> None:
    outcome = await _store(turn, direction, latitude, longitude, remote=remote)
    await with_menu(turn, punch_text(turn, direction, outcome, remote=remote))


async def _store(
    turn: Turn, direction: Direction, latitude: float | None, longitude: float | None, *, remote: bool = False
) -> PunchOutcome:
    return await record_telegram_punch(
        turn.deps.db,
        actor=turn.actor,
        employee=turn.me,
        direction=direction,
        now=turn.now,
        company_timezone=turn.deps.settings.company_timezone,
        latitude=latitude,
        longitude=longitude,
        remote=remote,
    )


def punch_text(turn: Turn, direction: Direction, outcome: PunchOutcome, *, remote: bool = False) -> str:
    """What the user is told after a punch: the time, today's worked time, the geofence verdict."""
    t = turn.t
    if not outcome.stored:
        assert outcome.duplicate_of is not None
        return t(
            "You already punched at {time}; a second punch within 2 minutes is not recorded.",
            time=t.format_time(outcome.duplicate_of, tz=turn.timezone),
        )
    when = t.format_time(turn.now, tz=turn.timezone)
    if direction is Direction.IN:
        lines = [t("✅ Checked in at {time}.", time=when)]
        if outcome.rest_warning is not None:
            lines.append(rest_warning_text(t, outcome.rest_warning))
    else:
        lines = [
            t("👋 Checked out at {time}.", time=when),
            t("Worked today: {duration}.", duration=t.format_duration_minutes(outcome.worked_minutes)),
        ]
    if outcome.inside_geofence is True:
        lines.append(t("📍 At the office ({distance} away).", distance=distance_text(t, outcome.distance_m or 0)))
    elif outcome.inside_geofence is False:
        lines.append(
            t("⚠️ Outside the office area: {distance} away. HR will see this in the daily digest.",
              distance=distance_text(t, outcome.distance_m or 0))
        )  # fmt: skip
    elif remote:
        lines.append(t("🏠 Working remotely: recorded without a location. HR will see this in the daily digest."))
    return "\n".join(lines)
