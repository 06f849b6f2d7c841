"""Registering ZKTeco devices: create, change, list and delete; the device password is write-only.

The password (the device's numeric comm key) is stored because the sync needs it, but it never leaves
through a read: callers get ``has_password`` and the audit log records only that it changed.
Status fields (``status``, ``last_success_at``, ``last_error`` …) belong to the sync and are not set here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import DeviceProtocol, DeviceStatus, DirectionMode
from shared.errors import N_, NP_, Conflict, Invalid, NotFound
from shared.model import Device, Punch
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.crud import is_timezone
from shared.services.pagination import Page, paginate

DEVICE_FIELDS = frozenset(
    {
        "name",
        "host",
        "port",
        "protocol",
        "password",
        "timezone",
        "location",
        "active",
        "clear_after_sync",
        "direction_mode",
    }
)
HOST_PATTERN = r"^[A-Za-z0-9]([A-Za-z0-9\-.:]{0,253}[A-Za-z0-9])?$"
MAX_PASSWORD = 999_999_999
_SECRET = frozenset({"password"})
DEVICE_MISSING = N_("Device {id} does not exist.")


def _invalid(message: str, field: str, /, **params: Any) -> Invalid:
    return Invalid(message, details={"field": field}, **params)


def _public(device: Device) -> dict[str, Any]:
    """An audit snapshot without the password; whether one is set is enough to know."""
    data = snapshot(device, exclude=_SECRET)
    data["has_password"] = bool(device.password)
    return data


async def get_device(session: AsyncSession, *, device_id: int) -> Device:
    device = await session.get(Device, device_id)
    if device is None:
        raise NotFound(DEVICE_MISSING, id=device_id)
    return device


async def list_devices(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    active: bool | None = None,
    status: DeviceStatus | None = None,
) -> Page[Device]:
    statement = select(Device).order_by(Device.id)
    if active is not None:
        statement = statement.where(Device.active.is_(active))
    if status is not None:
        statement = statement.where(Device.status == DeviceStatus(status))
    return await paginate(session, statement, limit=limit, offset=offset)


async def _check(session: AsyncSession, device: Device) -> None:
    for field, length, required in (("name", 120, True), ("host", 255, True), ("location", 200, False)):
        value = getattr(device, field)
        value = value.strip() if isinstance(value, str) else value
        if not value:
            if required:
                raise _invalid(N_("{field} is required."), field, field=field)
            value = None
        elif len(value) > length or "\x00" in value:
            raise _invalid(N_("{field} must be at most {n} characters."), field, field=field, n=length)
        setattr(device, field, value)
    if not re.match(HOST_PATTERN, device.host):
        raise _invalid(N_("host must be a host name or an IP address, such as 192.168.1.201."), "host")
    if not 1 <= int(device.port) <= 65535:
        raise _invalid(N_("port must be between 1 and 65535."), "port")
    if not 0 <= int(device.password) <= MAX_PASSWORD:
        raise _invalid(N_("password is the device's numeric comm key, 0 to {n}."), "password", n=MAX_PASSWORD)
    if device.timezone is not None and not is_timezone(device.timezone):
        raise _invalid(
            N_("{value} is not an IANA time zone; use a name such as Europe/Berlin."),
            "timezone",
            value=str(device.timezone)[:64],
        )
    for field, kind in (("protocol", DeviceProtocol), ("direction_mode", DirectionMode)):
        try:
            setattr(device, field, kind(getattr(device, field)))
        except ValueError:
            raise _invalid(
                N_("{field} must be one of {allowed}."), field, field=field, allowed=", ".join(m.value for m in kind)
            ) from None
    taken = await session.scalar(
        select(Device.id).where(func.lower(Device.name) == device.name.lower(), Device.id != (device.id or 0))
    )
    if taken is not None:
        raise Conflict(N_("A device named {name} already exists."), details={"field": "name"}, name=device.name)


def _only(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - DEVICE_FIELDS)
    if unknown:
        raise _invalid(N_("Field {field} cannot be set here."), unknown[0], field=unknown[0])
    return dict(values)


async def create_device(session: AsyncSession, *, actor: Actor, values: Mapping[str, Any]) -> Device:
    defaults: dict[str, Any] = {
        "port": 4370,
        "protocol": DeviceProtocol.TCP,
        "password": 0,
        "active": True,
        "clear_after_sync": False,
        "direction_mode": DirectionMode.BY_CODE,
        "status": DeviceStatus.UNKNOWN,
    }
    given = _only(values)
    device = Device(**(defaults | {k: v for k, v in given.items() if v is not None or k not in defaults}))
    await _check(session, device)
    session.add(device)
    await session.flush()
    audit(session, actor, "create", "device", device.id, new=_public(device))
    return device


async def update_device(session: AsyncSession, *, actor: Actor, device_id: int, values: Mapping[str, Any]) -> Device:
    """Change a device; ``password: None`` clears the comm key (0)."""
    device = await get_device(session, device_id=device_id)
    before = _public(device)
    old_password = device.password
    for key, value in _only(values).items():
        if value is None and key in {"port", "protocol", "active", "clear_after_sync", "direction_mode"}:
            raise _invalid(N_("{field} cannot be empty."), key, field=key)
        setattr(device, key, 0 if key == "password" and value is None else value)
    await _check(session, device)
    after = _public(device)
    if device.password != old_password:
        before["password"], after["password"] = "<old>", "<changed>"
    if before != after:
        audit(session, actor, "update", "device", device.id, old=before, new=after)
    await session.flush()
    return device


async def delete_device(session: AsyncSession, *, actor: Actor, device_id: int) -> None:
    """Delete a device that never delivered punches; one that did is kept for history (deactivate it)."""
    device = await get_device(session, device_id=device_id)
    punches = await session.scalar(select(func.count()).where(Punch.device_id == device_id)) or 0
    if punches:
        raise Conflict(
            NP_(
                "Device {id} delivered {n} punch; it is kept for history. Deactivate it instead (active: false).",
                "Device {id} delivered {n} punches; it is kept for history. Deactivate it instead (active: false).",
            ),
            n=int(punches),
            id=device_id,
        )
    audit(session, actor, "delete", "device", device.id, old=_public(device))
    await session.delete(device)
    await session.flush()
