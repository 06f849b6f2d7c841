"""Holiday calendars, their holidays, and importing a year of public holidays."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from api.schemas.common import FIRST_DAY, LAST_DAY, Day, Out, Patch, Strict, Text

Name = Text(120)
Country = Text(3, min_length=2, pattern=r"^[A-Za-z]{2,3}$")
Subdivision = Text(16)
HolidayName = Text(200)
Year = Annotated[int, Field(ge=FIRST_DAY.year, le=LAST_DAY.year)]


class CalendarCreate(Strict):
    model_config = {
        "json_schema_extra": {"examples": [{"name": "Germany (Berlin)", "country": "DE", "subdivision": "BE"}]}
    }

    name: Name
    country: Country | None = Field(default=None, description="ISO 3166 code used by the holiday import")
    subdivision: Subdivision | None = None


class CalendarUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"subdivision": "BY"}]}}

    name: Name = None
    country: Country | None = None
    subdivision: Subdivision | None = None


class CalendarOut(Out):
    id: int
    name: str
    country: str | None
    subdivision: str | None


class HolidayImportRequest(Strict):
    model_config = {"json_schema_extra": {"examples": [{"year": 2026, "country": "DE", "subdivision": "BE"}]}}

    year: Year
    country: Country | None = Field(default=None, description="Defaults to the calendar's country")
    subdivision: Subdivision | None = Field(default=None, description="Defaults to the calendar's subdivision")


class HolidayImportOut(Out):
    calendar_id: int
    year: int
    added: int
    renamed: int
    unchanged: int


class HolidayCreate(Strict):
    model_config = {
        "json_schema_extra": {"examples": [{"date": "2026-12-24", "name": "Christmas Eve (company day off)"}]}
    }

    date: Day
    name: HolidayName


class HolidayUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"name": "Company day off"}]}}

    date: Day = None
    name: HolidayName = None


class HolidayOut(Out):
    id: int
    calendar_id: int
    date: dt.date
    name: str
