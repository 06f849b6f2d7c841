"""Emulated ZKTeco biometric device for tests, benchmarks and the demo.

In-process::

    from sandbox.zk import DeviceConfig, ZKEmulator, generate_records, make_users

    users = make_users(20)
    with ZKEmulator(DeviceConfig(users=users, records=generate_records(1000, users))) as dev:
        ...  # pyzk: ZK(dev.host, dev.port, ommit_ping=True)

CLI: ``python -m sandbox.zk --port 4370 --udp --records 1000 --format 40``.
"""

from sandbox.zk.config import (
    DeviceConfig,
    EmulatedRecord,
    EmulatedUser,
    FailureConfig,
    generate_records,
    make_users,
)
from sandbox.zk.protocol import commkey_matches, make_commkey
from sandbox.zk.server import ZKEmulator
from sandbox.zk.storage import DeviceStorage

__all__ = [
    "DeviceConfig",
    "DeviceStorage",
    "EmulatedRecord",
    "EmulatedUser",
    "FailureConfig",
    "ZKEmulator",
    "commkey_matches",
    "generate_records",
    "make_commkey",
    "make_users",
]
