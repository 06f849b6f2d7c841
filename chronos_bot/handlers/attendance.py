"""Check-in / check-out: straight away, or after a shared location when the employee's office has a geofence."""

from __future__ import annotations

import html

from sqlalchemy.ext.asyncio import AsyncSession

from chronos_bot import keyboards, state
from chronos_bot.handlers.common import with_menu
from chronos_bot.state import Flow, Step
from chronos_bot.turn import Turn
from shared.domain.enums import Direction, PunchSource
from shared.notify.compliance_messages import rest_warning_text
from shared.services.attendance.punches import PunchOutcome, office_geofence, record_punch


async def check_in(turn: Turn) -> None:
    """/checkin or the button: punch in, or ask for the location first."""
    await _punch_or_ask(turn, Direction.IN)


async def check_out(turn: Turn) -> None:
    """/checkout or the button: punch out, or ask for the location first."""
    await _punch_or_ask(turn, Direction.OUT)


async def _punch_or_ask(turn: Turn, direction: Direction) -> None:
    async with turn.deps.db.transaction() as session:  # one unit of work: the office, then the punch
        office = await office_geofence(session, turn.me)
        outcome = None if office is not None else await _store(session, turn, direction, None, None)
    if outcome is not None:
        await with_menu(turn, punch_text(turn, direction, outcome))
        return
    assert office is not None
    state.begin(turn.session, Flow.CHECK, Step.LOCATION, direction=direction.value)
    text = (
        turn.t("Please share your location to check in at {office}.", office=html.escape(office.name))
        if direction is Direction.IN
        else turn.t("Please share your location to check out at {office}.", office=html.escape(office.name))
    )
    await turn.say(text, keyboards.location_request(turn.t))


async def on_location(turn: Turn) -> None:
    """A shared location: the punch the user asked for, with the distance to their office."""
    location = turn.message.location if turn.message else None
    if location is None or not state.in_step(turn.session, Flow.CHECK, Step.LOCATION):
        await with_menu(turn, turn.t("To check in or out, tap the button first, then share your location."))
        return
    direction = Direction(turn.session.data.get("direction", Direction.IN.value))
    state.clear(turn.session)
    await _record(turn, direction, location.latitude, location.longitude)


async def _record(turn: Turn, direction: Direction, latitude: float | None, longitude: float | None) -> None:
    async with turn.deps.db.transaction() as session:
        outcome = await _store(session, turn, direction, latitude, longitude)
    await with_menu(turn, punch_text(turn, direction, outcome))


async def _store(
    session: AsyncSession, turn: Turn, direction: Direction, latitude: float | None, longitude: float | None
) -> PunchOutcome:
    return await record_punch(
        session,
        actor=turn.actor,
        employee_id=turn.me.id,
        direction=direction,
        instant=turn.now,
        source=PunchSource.TELEGRAM,
        now=turn.now,
        company_timezone=turn.deps.settings.company_timezone,
        latitude=latitude,
        longitude=longitude,
        employee=turn.me,
    )


def punch_text(turn: Turn, direction: Direction, outcome: PunchOutcome) -> str:
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
        lines.append(t("📍 At the office ({meters} m away).", meters=t.format_decimal(outcome.distance_m or 0)))
    elif outcome.inside_geofence is False:
        lines.append(
            t("⚠️ Outside the office area: {meters} m away. HR will see this.",
              meters=t.format_decimal(outcome.distance_m or 0))
        )  # fmt: skip
    return "\n".join(lines)
