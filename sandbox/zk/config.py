"""Configuration of an emulated ZK device: identity, data, clock, transport and failures."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

RECORD_SIZES = (8, 16, 40)
USER_SIZES = (28, 72)
TcpChunkMode = Literal["prepare", "data"]


@dataclass(frozen=True, slots=True)
class EmulatedUser:
    """A user enrolled on the device. ``uid`` is the device slot, ``user_id`` the badge/PIN."""

    uid: int
    user_id: str
    name: str = ""
    privilege: int = 0
    password: str = ""
    group_id: str = ""
    card: int = 0


@dataclass(frozen=True, slots=True)
class EmulatedRecord:
    """One punch; ``timestamp`` is the naive device-local wall time (second resolution)."""

    user_id: str
    timestamp: datetime
    status: int = 1
    punch: int = 0


@dataclass
class FailureConfig:
    """Failure injection. Mutable: tests may change it while the emulator runs."""

    reply_delay: float = 0.0
    """Seconds to wait before every reply (a slow device)."""
    drop_after_chunks: int | None = None
    """Close the connection (TCP) / stop answering (UDP) at the buffer chunk request after K
    chunks were served in this session."""
    drop_mid_chunk: bool = False
    """With ``drop_after_chunks``: send half of that chunk's reply before dropping."""
    refuse_auth: bool = False
    """Answer ACK_UNAUTH even to the right comm key."""
    record_count_skew: int = 0
    """Added to the record count reported in CMD_GET_FREE_SIZES (≠ the buffer)."""
    skew_replies: int | None = None
    """How many free-size replies get the skew (``None`` = all of them)."""
    corrupt_reply_to: int | None = None
    """Command (e.g. ``CMD_READ_BUFFER`` 1504) whose next reply has one bit flipped in transit (after the
    checksum was computed): in the middle of the data of its largest packet."""
    corrupt_replies: int = 1
    """How many replies to ``corrupt_reply_to`` get a flipped bit (then it stops)."""
    duplicate_reply_to: int | None = None
    """Command whose next reply is sent twice (UDP: the copy is read as the answer to the next request)."""
    duplicate_replies: int = 1
    """How many replies to ``duplicate_reply_to`` are duplicated (then it stops)."""


@dataclass
class DeviceConfig:
    """Everything that defines an emulated device; see :class:`sandbox.zk.ZKEmulator`."""

    serial: str = "CHR7000000001"
    firmware: str = "Ver 6.60 Apr 28 2017"
    platform: str = "ZMM220_TFT"
    device_name: str = "Chronos Emulator"
    mac: str = "00:17:61:c9:00:01"
    password: int = 0
    """Comm key; 0 = no authentication."""
    record_size: int = 40
    """Attendance record format: 8, 16 or 40 bytes."""
    user_size: int | None = None
    """User record format: 28 or 72 bytes (default 28 for 8/16-byte records, else 72)."""
    users: Sequence[EmulatedUser] = ()
    records: Iterable[EmulatedRecord] = ()
    timezone: str = "UTC"
    clock_offset: timedelta = timedelta(0)
    """Device clock = real time in ``timezone`` (naive) + this offset."""
    clock: Callable[[], datetime] | None = None
    """Source of the aware "real" now (tests pin it); default ``datetime.now(UTC)``."""
    host: str = "127.0.0.1"
    port: int = 0
    tcp: bool = True
    udp: bool = False
    tcp_chunk_mode: TcpChunkMode = "prepare"
    """How TCP buffer chunks are answered: PREPARE_DATA+DATA+ACK_OK, or one CMD_DATA."""
    direct_data_max: int = 1016
    """Buffers/chunks up to this many bytes are answered directly as one CMD_DATA."""
    fingers: int = 0
    user_capacity: int = 3000
    finger_capacity: int = 3000
    record_capacity: int = 200_000
    options: Mapping[str, str] = field(default_factory=dict)
    """Extra/overriding CMD_OPTIONS_RRQ values (key without the ``~``)."""
    failures: FailureConfig = field(default_factory=FailureConfig)

    def __post_init__(self) -> None:
        if self.record_size not in RECORD_SIZES:
            raise ValueError(f"record_size must be one of {RECORD_SIZES}, got {self.record_size}")
        if self.user_size is None:
            self.user_size = 28 if self.record_size in (8, 16) else 72
        if self.user_size not in USER_SIZES:
            raise ValueError(f"user_size must be one of {USER_SIZES}, got {self.user_size}")
        if not (self.tcp or self.udp):
            raise ValueError("enable at least one of tcp/udp")
        if self.tcp_chunk_mode not in ("prepare", "data"):
            raise ValueError("tcp_chunk_mode must be 'prepare' or 'data'")
        if not 0 <= self.direct_data_max <= 1016:
            raise ValueError("direct_data_max must be 0..1016 (pyzk reads single replies with recv(1024))")


def make_users(count: int, *, numeric_names: bool = False) -> list[EmulatedUser]:
    """``count`` users with uid 1..N and user ids "1001"... (names fit the 28-byte format)."""
    return [
        EmulatedUser(
            uid=i,
            user_id=str(1000 + i),
            name=f"U{i}" if numeric_names else f"User {i}"[:8],
            privilege=14 if i == 1 else 0,
        )
        for i in range(1, count + 1)
    ]


def generate_records(
    count: int,
    users: Sequence[EmulatedUser] | None = None,
    *,
    start: datetime = datetime(2026, 1, 5),
    seed: int = 7,
) -> Iterator[EmulatedRecord]:
    """Deterministic synthetic punches: each user checks in ~08:00-09:30 and out ~16:30-18:30
    on weekdays, in chronological order, until ``count`` records were produced."""
    people = [user.user_id for user in (users or make_users(50))]
    rng = random.Random(seed)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    produced = 0
    windows = ((0, 8 * 3600, 90 * 60), (1, 16 * 3600 + 1800, 120 * 60))  # punch, earliest, spread
    while produced < count:
        if day.weekday() < 5:
            batches = []
            for punch, earliest, spread in windows:
                seconds = sorted((earliest + int(rng.random() * spread), p) for p in people)
                batches.append((punch, [(day + timedelta(seconds=s), p) for s, p in seconds]))
            for punch, batch in batches:
                for when, user_id in batch:
                    if produced == count:
                        return
                    yield EmulatedRecord(user_id, when, status=1, punch=punch)
                    produced += 1
        day += timedelta(days=1)
        if day.year > 2099:
            raise ValueError("too many records for the user count: timestamps would pass 2099")
