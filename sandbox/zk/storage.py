"""What the emulated device holds: users, the attendance log (kept pre-encoded), clock, state.

Records are encoded once when added and appended to one ``bytearray``; a buffered read takes an
immutable snapshot of it (cached until the log changes) and serves slices, so 100k records cost
one 4 MB copy per read, not 100k encodes.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sandbox.zk.config import DeviceConfig, EmulatedRecord, EmulatedUser
from sandbox.zk.protocol import encode_time

logger = logging.getLogger(__name__)

_RECORD_STRUCTS = {8: struct.Struct("<HBIB"), 16: struct.Struct("<IIBB2xI"), 40: struct.Struct("<H24sBIB8x")}
_USER_28 = struct.Struct("<HB5s8sIxBhI")
_USER_72 = struct.Struct("<HB8s24sIx7sx24s")
_PREFIX = struct.Struct("<I")


def _canonical_number(text: str, limit: int) -> int | None:
    """``int(text)`` when ``text`` is the canonical decimal form of a number below ``limit``."""
    if text.isdigit() and str(int(text)) == text and int(text) < limit:
        return int(text)
    return None


def _fixed(text: str, size: int, what: str) -> bytes:
    raw = text.encode()
    if len(raw) > size:
        raise ValueError(f"{what} {text!r} is longer than {size} bytes")
    return raw


class DeviceStorage:
    """Thread-safe device state. Punches added while the device is disabled wait until enable."""

    def __init__(self, config: DeviceConfig) -> None:
        self._lock = threading.RLock()
        self._config = config
        self.record_size = config.record_size
        self.user_size = config.user_size or 72
        self._zone = ZoneInfo(config.timezone)
        self._clock_offset = config.clock_offset
        self._users: list[EmulatedUser] = []
        self._uid_by_user_id: dict[str, int] = {}
        self._user_blob = b""
        self._records: list[EmulatedRecord] = []
        self._encoded = bytearray()
        self._blob: bytes | None = None
        self._pending: list[EmulatedRecord] = []
        self._disabled_by: set[object] = set()
        self.set_users(config.users)
        self.add_records(config.records)

    # --- users -----------------------------------------------------------------------------------

    def set_users(self, users: Iterable[EmulatedUser]) -> None:
        users = list(users)
        encoded = b"".join(self._encode_user(user) for user in users)
        with self._lock:
            self._users = users
            self._uid_by_user_id = {user.user_id: user.uid for user in users}
            self._user_blob = _PREFIX.pack(len(encoded)) + encoded

    @property
    def users(self) -> list[EmulatedUser]:
        with self._lock:
            return list(self._users)

    def user_blob(self) -> bytes:
        with self._lock:
            return self._user_blob

    def _encode_user(self, user: EmulatedUser) -> bytes:
        if not 0 < user.uid < 65536:
            raise ValueError(f"user uid {user.uid} must be 1..65535")
        if self.user_size == 28:
            user_id = _canonical_number(user.user_id, 1 << 32)
            group = int(user.group_id or 0)
            if user_id is None or not 0 <= group < 256:
                raise ValueError(f"28-byte users need a numeric user id and group 0-255: {user}")
            return _USER_28.pack(
                user.uid, user.privilege, _fixed(user.password, 5, "password"),
                _fixed(user.name, 8, "name"), user.card, group, 0, user_id,
            )  # fmt: skip
        return _USER_72.pack(
            user.uid, user.privilege, _fixed(user.password, 8, "password"), _fixed(user.name, 24, "name"),
            user.card, _fixed(user.group_id, 7, "group id"), _fixed(user.user_id, 24, "user id"),
        )  # fmt: skip

    # --- attendance --------------------------------------------------------------------------------

    def uid_of(self, user_id: str) -> int:
        """The uid the device would store for ``user_id`` (mapped, else numeric, else 0)."""
        uid = self._uid_by_user_id.get(user_id)
        if uid is not None:
            return uid
        return _canonical_number(user_id, 65536) or 0

    def _encode_record(self, record: EmulatedRecord) -> bytes:
        if not (0 <= record.status < 256 and 0 <= record.punch < 256):
            raise ValueError(f"status and punch must be 0..255: {record}")
        if not 2000 <= record.timestamp.year <= 2099 or record.timestamp.tzinfo is not None:
            raise ValueError(f"timestamps must be naive and in 2000-2099: {record}")
        when = encode_time(record.timestamp)
        if self.record_size == 8:
            uid = self._uid_by_user_id.get(record.user_id)
            if uid is None:
                uid = _canonical_number(record.user_id, 65536)
                if uid is None or uid in self._uid_by_user_id.values():
                    raise ValueError(f"8-byte records need a known or an unused numeric uid: {record}")
            return _RECORD_STRUCTS[8].pack(uid, record.status, when, record.punch)
        if self.record_size == 16:
            number = _canonical_number(record.user_id, 1 << 32)
            if number is None:
                raise ValueError(f"16-byte records need a numeric user id: {record}")
            return _RECORD_STRUCTS[16].pack(number, when, record.status, record.punch, 0)
        raw_id = _fixed(record.user_id, 24, "user id")
        return _RECORD_STRUCTS[40].pack(self.uid_of(record.user_id), raw_id, record.status, when, record.punch)

    def add_records(self, records: Iterable[EmulatedRecord]) -> int:
        """Append punches (to the pending queue while the device is disabled); returns how many."""
        fresh = [r if not r.timestamp.microsecond else _drop_micro(r) for r in records]
        encoded = b"".join(self._encode_record(record) for record in fresh)
        with self._lock:
            if self._disabled_by:
                self._pending.extend(fresh)
                return len(fresh)
            self._records.extend(fresh)
            self._encoded += encoded
            self._blob = None
        return len(fresh)

    def clear_records(self) -> int:
        with self._lock:
            count = len(self._records)
            self._records.clear()
            self._encoded.clear()
            self._blob = None
        logger.info("attendance log cleared (%d records)", count)
        return count

    @property
    def records(self) -> list[EmulatedRecord]:
        with self._lock:
            return list(self._records)

    @property
    def record_count(self) -> int:
        with self._lock:
            return len(self._records)

    def attendance_blob(self) -> bytes:
        """``u32`` size + all records, as one immutable snapshot (cached until the log changes)."""
        with self._lock:
            if self._blob is None:
                self._blob = _PREFIX.pack(len(self._encoded)) + bytes(self._encoded)
            return self._blob

    # --- device state ------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        with self._lock:
            return not self._disabled_by

    def disable(self, holder: object) -> None:
        with self._lock:
            self._disabled_by.add(holder)

    def enable(self, holder: object) -> None:
        with self._lock:
            self._disabled_by.discard(holder)
            if self._disabled_by or not self._pending:
                return
            pending, self._pending = self._pending, []
        self.add_records(pending)

    def free_sizes(self, record_skew: int = 0) -> bytes:
        config = self._config
        with self._lock:
            users, records = len(self._users), len(self._records) + record_skew
        fields = [0] * 20
        fields[4], fields[6], fields[8] = users, config.fingers, records
        fields[14], fields[15], fields[16] = config.finger_capacity, config.user_capacity, config.record_capacity
        fields[17] = config.finger_capacity - config.fingers
        fields[18] = config.user_capacity - users
        fields[19] = config.record_capacity - records
        return struct.pack("<20i", *fields) + struct.pack("<3i", 0, 0, 0)

    # --- clock ---------------------------------------------------------------------------------------

    def _real_local_now(self) -> datetime:
        now = self._config.clock() if self._config.clock else datetime.now(UTC)
        return now.astimezone(self._zone).replace(tzinfo=None, microsecond=0)

    def now(self) -> datetime:
        """The device clock: naive local wall time."""
        with self._lock:
            return self._real_local_now() + self._clock_offset

    def set_time(self, local: datetime) -> None:
        with self._lock:
            self._clock_offset = local - self._real_local_now()
        logger.info("device clock set to %s (offset %s)", local, self._clock_offset)


def _drop_micro(record: EmulatedRecord) -> EmulatedRecord:
    return EmulatedRecord(record.user_id, record.timestamp.replace(microsecond=0), record.status, record.punch)
