"""Fixtures for the ZK end-to-end tests: emulated devices on loopback and real pyzk clients."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from zk import ZK

from sandbox.zk import DeviceConfig, EmulatedUser, ZKEmulator, make_users
from shared.zk import DeviceParams

USERS: list[EmulatedUser] = make_users(12)
"""Enrolled users (uid 1..12, user ids "1001"..."1012"); names fit the 28-byte user format."""

StartEmulator = Callable[..., ZKEmulator]
ConnectPyzk = Callable[..., ZK]


@pytest.fixture
def emulator() -> Iterator[StartEmulator]:
    """Start emulated devices: ``emulator(transport="udp", record_size=16, records=...)``."""
    running: list[ZKEmulator] = []

    def start(transport: str = "tcp", **config: Any) -> ZKEmulator:
        config.setdefault("users", USERS)
        device = ZKEmulator(DeviceConfig(tcp=transport == "tcp", udp=transport == "udp", **config)).start()
        running.append(device)
        return device

    yield start
    for device in running:
        device.stop()


@pytest.fixture
def pyzk() -> Iterator[ConnectPyzk]:
    """Connect the real, unmodified pyzk client to an emulator; disconnected at teardown."""
    clients: list[ZK] = []

    def connect(device: ZKEmulator, *, password: int = 0, timeout: float = 5) -> ZK:
        client = ZK(
            device.host,
            port=device.port,
            timeout=timeout,
            password=password,
            force_udp=not device.config.tcp,
            ommit_ping=True,
        )
        client._ZK__sock.close()  # pyzk opens a UDP socket in __init__ that connect() replaces and leaks
        clients.append(client)
        return client.connect()

    yield connect
    for client in clients:
        if client.is_connect:
            with contextlib.suppress(Exception):
                client.disconnect()
        client._ZK__sock.close()  # also after a refused connect, which leaves it open


def params_for(device: ZKEmulator, **overrides: Any) -> DeviceParams:
    """DeviceParams pointing at an emulator (protocol, zone and password taken from it)."""
    values: dict[str, Any] = {
        "protocol": "tcp" if device.config.tcp else "udp",
        "password": device.config.password,
        "timezone": device.config.timezone,
        "timeout": 5.0,
    }
    values.update(overrides)
    return DeviceParams(device.host, device.port, **values)
