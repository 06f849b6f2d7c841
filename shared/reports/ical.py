"""A calendar feed as iCalendar text (RFC 5545), written with the ``icalendar`` library.

Each entry keeps its UID across regenerations, so subscribed calendars (Google, Outlook, Apple) update an
event in place; a withdrawn absence is sent as ``STATUS:CANCELLED`` with a higher ``SEQUENCE`` so they
remove it. ``DTSTAMP`` is the generation instant, passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from shared.domain.absences import FeedEntry

PRODID = "-//Chronos HR//Absences//EN"
REFRESH = timedelta(hours=1)


def feed_ics(entries: Iterable[FeedEntry], *, name: str, now: datetime, timezone: str) -> bytes:
    """The VCALENDAR of ``entries`` (named ``name``); all-day events float, shifts are in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("summary", entry.summary)
        if entry.starts_at is not None and entry.ends_at is not None:
            event.add("dtstart", entry.starts_at.astimezone(UTC))  # UTC: no VTIMEZONE needed by any client
            event.add("dtend", entry.ends_at.astimezone(UTC))
        else:
            event.add("dtstart", entry.start)
            event.add("dtend", entry.end)
            event.add("transp", "TRANSPARENT")
        event.add("sequence", entry.sequence)
        status = "CANCELLED" if entry.cancelled else ("TENTATIVE" if entry.tentative else "CONFIRMED")
        event.add("status", status)
        calendar.add_component(event)
    return calendar.to_ical()
