"""Public holidays from the `holidays` package into a holiday calendar (idempotent per date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays as holidays_lib
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, Invalid, NotFound
from shared.model import Holiday, HolidayCalendar
from shared.services.actor import Actor
from shared.services.audit import audit


@dataclass(frozen=True)
class HolidayImport:
    calendar_id: int
    year: int
    added: int
    renamed: int
    unchanged: int
    added_dates: tuple[date, ...] = ()


def public_holidays(country: str, subdivision: str | None, year: int) -> dict:
    """The holidays of ``country`` (ISO code) for ``year``, English names where the package has them."""
    supported = holidays_lib.list_supported_countries()
    country = country.upper()
    if country not in supported:
        raise Invalid(N_("Country {country} is not known to the holidays calendar."), country=country)
    if subdivision and subdivision not in supported[country]:
        raise Invalid(
            N_("Subdivision {subdivision} is not known for {country}."), subdivision=subdivision, country=country
        )
    if not 1900 <= year <= 2200:
        raise Invalid(N_("Year {year} is out of range."), year=year)
    cls = holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year)
    language = "en_US" if "en_US" in getattr(cls, "supported_languages", ()) else None
    if language:
        cls = holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year, language=language)
    return dict(sorted(cls.items()))


async def import_holidays(
    session: AsyncSession,
    *,
    calendar_id: int,
    year: int,
    actor: Actor,
    country: str | None = None,
    subdivision: str | None = None,
) -> HolidayImport:
    """Add the year's public holidays to a calendar; existing dates keep their row (renamed if needed)."""
    calendar = await session.get(HolidayCalendar, calendar_id)
    if calendar is None:
        raise NotFound(N_("Holiday calendar {id} does not exist."), id=calendar_id)
    country = country or calendar.country
    if not country:
        raise Invalid(N_("Say which country's holidays to import."))
    subdivision = subdivision if subdivision is not None else calendar.subdivision
    found = public_holidays(country, subdivision, year)
    existing = {
        h.date: h
        for h in await session.scalars(
            select(Holiday).where(Holiday.calendar_id == calendar_id, Holiday.date.in_(list(found)))
        )
    }
    added = renamed = 0
    added_dates: list[date] = []
    for day, name in found.items():
        row = existing.get(day)
        if row is None:
            session.add(Holiday(calendar_id=calendar_id, date=day, name=str(name)[:200]))
            added += 1
            added_dates.append(day)
        elif row.name != str(name)[:200]:
            row.name = str(name)[:200]
            renamed += 1
    result = HolidayImport(calendar_id, year, added, renamed, len(found) - added - renamed, tuple(added_dates))
    audit(
        session,
        actor,
        "import",
        "holiday_calendar",
        calendar_id,
        new={"country": country, "subdivision": subdivision, "year": year, "added": added, "renamed": renamed},
    )
    await session.flush()
    return result
