"""Fixtures for the scheduler against emulated ZK devices: real pyzk over TCP/UDP, real databases and Redis."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from sandbox.zk import DeviceConfig, EmulatedUser, ZKEmulator, make_users
from shared.model import Device, Employee, Punch, utcnow
from shared.persistence import Database
from tests.conftest import _wipe
from tests.integration.scheduler.conftest import clients, runner, settings  # noqa: F401 - shared fixtures
from tests.integration.scheduler.support import Clock

USERS: list[EmulatedUser] = make_users(12)
StartEmulator = Callable[..., ZKEmulator]


@pytest.fixture
def clock() -> Clock:
    """Real time, frozen for the test (the emulators' clocks run on real time)."""
    return Clock(utcnow().replace(microsecond=0))


@pytest.fixture
def emulator() -> Iterator[StartEmulator]:
    """Start emulated devices: ``emulator("udp", record_size=16, records=...)``; stopped at teardown."""
    running: list[ZKEmulator] = []

    def start(transport: str = "tcp", **config: Any) -> ZKEmulator:
        config.setdefault("users", USERS)
        config.setdefault("timezone", "Europe/Berlin")
        device = ZKEmulator(DeviceConfig(tcp=transport == "tcp", udp=transport == "udp", **config)).start()
        running.append(device)
        return device

    yield start
    for device in running:
        device.stop()


@pytest.fixture
async def pg(pg_url: str):
    """The run's PostgreSQL database, emptied, for tests that start real processes (one backend is enough)."""
    database = Database.from_url(pg_url)
    await _wipe(database)
    yield database
    await database.dispose()


def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def add_device(db: Database, device: ZKEmulator | None, name: str = "Front door", **fields: Any) -> int:
    """A Device row pointing at ``device`` (or at a closed port when None)."""
    values: dict[str, Any] = {"name": name, "host": "127.0.0.1", "timezone": "Europe/Berlin"}
    if device is not None:
        values.update(port=device.port, protocol="tcp" if device.config.tcp else "udp", password=device.config.password)
    else:
        values["port"] = closed_port()
    values.update(fields)
    async with db.transaction() as s:
        row = Device(**values)
        s.add(row)
        await s.flush()
        return row.id


async def add_people(db: Database, user_ids: list[str]) -> dict[str, int]:
    """Employees whose device user ids are ``user_ids``; returns {device user id: employee id}."""
    async with db.transaction() as s:
        people = [Employee(code=f"D{u}", full_name=f"Person {u}", device_user_id=u) for u in user_ids]
        s.add_all(people)
        await s.flush()
        return {p.device_user_id or "": p.id for p in people}


async def stored(db: Database, device_id: int | None = None) -> list[Punch]:
    async with db.session() as s:
        query = select(Punch).order_by(Punch.instant, Punch.device_user_id)
        if device_id is not None:
            query = query.where(Punch.device_id == device_id)
        return list(await s.scalars(query))


async def device_row(db: Database, device_id: int) -> Device:
    async with db.session() as s:
        row = await s.get(Device, device_id)
        assert row is not None
        return row
