"""Offices: where people check in; a geofence when latitude, longitude and radius are all set."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from api.schemas.common import Out, Patch, Strict, Text, TimeZoneName

Name = Text(120)
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Radius = Annotated[int, Field(ge=1, le=100_000, description="Geofence radius in metres")]


class OfficeCreate(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Berlin HQ",
                    "timezone": "Europe/Berlin",
                    "latitude": 52.52,
                    "longitude": 13.405,
                    "radius_m": 150,
                }
            ]
        }
    }

    name: Name
    timezone: TimeZoneName | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    radius_m: Radius | None = None
    remote_allowed: bool = Field(
        default=False, description="People of this office may check in without a location (working remotely)"
    )


class OfficeUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"radius_m": 200}]}}

    name: Name = None
    timezone: TimeZoneName | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    radius_m: Radius | None = None
    remote_allowed: bool = None


class OfficeOut(Out):
    id: int
    name: str
    timezone: str | None
    latitude: float | None
    longitude: float | None
    radius_m: int | None
    remote_allowed: bool
