"""ZKTeco devices. The password (the device's numeric comm key) is write-only: reads say ``has_password``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, computed_field

from api.schemas.common import Out, Patch, Strict, Text, TimeZoneName
from shared.domain.enums import DeviceProtocol, DeviceStatus, DirectionMode
from shared.services.devices.admin import HOST_PATTERN, MAX_PASSWORD

Name = Text(120)
Host = Text(255, pattern=HOST_PATTERN)
Location = Text(200)
Port = Annotated[int, Field(ge=1, le=65535)]
Password = Annotated[int, Field(ge=0, le=MAX_PASSWORD, description="Comm key; write-only, 0 = none")]

_EXAMPLE = {
    "name": "Front door",
    "host": "192.168.1.201",
    "port": 4370,
    "protocol": "tcp",
    "password": 0,
    "timezone": "Europe/Berlin",
    "location": "Main entrance",
    "active": True,
    "clear_after_sync": False,
    "direction_mode": "code",
}


class DeviceCreate(Strict):
    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}

    name: Name
    host: Host
    port: Port = 4370
    protocol: DeviceProtocol = DeviceProtocol.TCP
    password: Password = 0
    timezone: TimeZoneName | None = Field(default=None, description="The device clock's zone; company zone if empty")
    location: Location | None = None
    active: bool = True
    clear_after_sync: bool = False
    direction_mode: DirectionMode = DirectionMode.BY_CODE


class DeviceUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"host": "192.168.1.202", "password": 1234}]}}

    name: Name = None
    host: Host = None
    port: Port = None
    protocol: DeviceProtocol = None
    password: Password | None = Field(default=None, description="Write-only; null or 0 clears it")
    timezone: TimeZoneName | None = None
    location: Location | None = None
    active: bool = None
    clear_after_sync: bool = None
    direction_mode: DirectionMode = None


class DeviceOut(Out):
    id: int
    name: str
    host: str
    port: int
    protocol: DeviceProtocol
    timezone: str | None
    location: str | None
    active: bool
    clear_after_sync: bool
    direction_mode: DirectionMode
    serial: str | None
    firmware: str | None
    status: DeviceStatus
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    last_record_count: int | None
    clock_drift_seconds: int | None
    offline_alerted_at: datetime | None
    drift_alerted_at: datetime | None
    created_at: datetime
    password: int = Field(default=0, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_password(self) -> bool:
        return bool(self.password)
