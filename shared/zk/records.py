"""Fast, linear parser for ZKTeco attendance buffers.

pyzk 0.9 re-slices the whole remaining buffer for every record (quadratic: ~20 s for 100k records)
and scans the user list per record. This module decodes the same bytes in one pass with
``struct.iter_unpack`` over a ``memoryview`` and caches the calendar part of the timestamps per day.

Wire formats (little-endian), after the 4-byte ``u32`` size prefix of the buffer:

* 8 bytes  ``<HBIB``      uid, status, time, punch (user id comes from the uid → user_id map)
* 16 bytes ``<IIBB2xI``   user_id (number), time, status, punch, reserved, workcode
* 40 bytes ``<H24sBIB8x`` uid, user_id (NUL padded text), status, time, punch, padding

ZK time is a ``u32``: ``((year % 100) * 372 + (month - 1) * 31 + day - 1) * 86400 + seconds of day``,
a naive device-local wall time in 2000–2099.
"""

from __future__ import annotations

import gc
import logging
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from shared.zk.errors import DeviceDataMismatch, DeviceProtocolError

logger = logging.getLogger(__name__)

SIZE_PREFIX = 4
RECORD_STRUCTS: dict[int, struct.Struct] = {
    8: struct.Struct("<HBIB"),
    16: struct.Struct("<IIBB2xI"),
    40: struct.Struct("<H24sBIB8x"),
}
RECORD_SIZES: tuple[int, ...] = tuple(sorted(RECORD_STRUCTS))
_PREFIX = struct.Struct("<I")


class RawRecord(NamedTuple):
    """One punch exactly as the device stores it (time is naive, in the device's zone)."""

    device_user_id: str
    local_time: datetime
    status: int
    punch: int
    uid: int


# --- ZK time ------------------------------------------------------------------------------------


def encode_zk_time(when: datetime) -> int:
    """Encode a naive wall time the way the device does (``zkemsdk.c`` EncodeTime)."""
    if not 2000 <= when.year <= 2099:
        raise ValueError(f"ZK devices store years 2000-2099 only, got {when.year}")
    day_index = (when.year % 100) * 372 + (when.month - 1) * 31 + when.day - 1
    return day_index * 86400 + (when.hour * 60 + when.minute) * 60 + when.second


def _calendar_day(day_index: int) -> tuple[int, int, int]:
    years, rest = divmod(day_index, 372)
    month, day = divmod(rest, 31)
    return years + 2000, month + 1, day + 1


def decode_zk_time(value: int) -> datetime:
    """Decode a ZK ``u32`` time into a naive datetime; ``ValueError`` for impossible dates."""
    day_index, seconds = divmod(value, 86400)
    year, month, day = _calendar_day(day_index)
    hour, rest = divmod(seconds, 3600)
    minute, second = divmod(rest, 60)
    return datetime(year, month, day, hour, minute, second)


class _DayCache(dict[int, tuple[int, int, int]]):
    """day index → validated (year, month, day); a day is decoded and checked once."""

    def resolve(self, day_index: int, record_index: int, raw_time: int) -> tuple[int, int, int]:
        ymd = _calendar_day(day_index)
        try:
            datetime(*ymd)
        except ValueError as exc:
            raise DeviceProtocolError(
                f"attendance record #{record_index} has an impossible timestamp "
                f"(raw 0x{raw_time:08x} → {ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}): {exc}; "
                "the record format is probably not what the device reported"
            ) from exc
        self[day_index] = ymd
        return ymd


# --- record size detection ------------------------------------------------------------------------


def detect_record_size(data_length: int, record_count: int) -> int | None:
    """Record size from the buffer length (without the size prefix) and the reported count.

    Returns ``None`` for an empty log (0 records, 0 bytes). Raises :class:`DeviceDataMismatch`
    when the length is not ``record_count`` times one of the known sizes (8, 16, 40).
    """
    if record_count < 0 or data_length < 0:
        raise DeviceDataMismatch(f"negative sizes: {data_length} bytes, {record_count} records")
    if record_count == 0:
        if data_length == 0:
            return None
        raise DeviceDataMismatch(f"device reported 0 attendance records but sent {data_length} bytes of records")
    size, remainder = divmod(data_length, record_count)
    if remainder or size not in RECORD_STRUCTS:
        fits = [s for s in RECORD_SIZES if data_length % s == 0]
        hint = ", ".join(f"{data_length // s} records of {s} bytes" for s in fits) or "no known size"
        raise DeviceDataMismatch(
            f"device reported {record_count} attendance records but the buffer holds {data_length} "
            f"bytes ({hint}); the log probably changed while reading or the count is stale"
        )
    return size


def split_attendance_buffer(
    buffer: bytes | bytearray | memoryview, record_count: int, *, expected_size: int | None = None
) -> tuple[int | None, memoryview]:
    """Validate a raw ``CMD_ATTLOG_RRQ`` buffer and return (record size, records view).

    Checks the ``u32`` size prefix against the bytes actually received (pyzk does not notice a
    truncated read), then the record count; ``expected_size`` pins the format when it is known.
    """
    view = memoryview(buffer).cast("B")
    if len(view) < SIZE_PREFIX:
        if record_count == 0:
            return None, view[0:0]
        raise DeviceDataMismatch(
            f"device reported {record_count} attendance records but sent a {len(view)}-byte buffer"
        )
    (declared,) = _PREFIX.unpack_from(view)
    data = view[SIZE_PREFIX:]
    if declared != len(data):
        raise DeviceDataMismatch(
            f"attendance buffer declares {declared} bytes of records but {len(data)} arrived "
            "(truncated or corrupted transfer)"
        )
    size = detect_record_size(len(data), record_count)
    if expected_size is not None and size is not None and size != expected_size:
        raise DeviceDataMismatch(
            f"attendance records look {size} bytes long but this device is configured for "
            f"{expected_size}-byte records ({record_count} records, {len(data)} bytes)"
        )
    return size, data


# --- parsing --------------------------------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while allocating 100k acyclic tuples (it would rescan them ~1000 times)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_attendance(
    blob: bytes | bytearray | memoryview,
    record_size: int,
    users: Mapping[int, str] | None = None,
) -> list[RawRecord]:
    """Decode attendance records (the bytes after the size prefix) in one linear pass.

    ``users`` maps device uid → user id (from the user list). The 8-byte format stores only the
    uid, so the user id comes from this map (``str(uid)`` when unmapped). The 16-byte format stores
    only the user id; its ``uid`` is looked up in reverse (the numeric user id when unmapped).
    """
    if record_size not in RECORD_STRUCTS:
        raise ValueError(f"unknown attendance record size {record_size}; known: {RECORD_SIZES}")
    view = memoryview(blob).cast("B")
    if len(view) % record_size:
        raise DeviceDataMismatch(f"{len(view)} bytes is not a whole number of {record_size}-byte attendance records")
    users = users or {}
    records = RECORD_STRUCTS[record_size].iter_unpack(view)
    with _gc_paused():
        if record_size == 8:
            return _parse_8(records, users)
        if record_size == 16:
            return _parse_16(records, users)
        return _parse_40(records)


def _parse_8(records: Iterator[tuple[Any, ...]], users: Mapping[int, str]) -> list[RawRecord]:
    out: list[RawRecord] = []
    append = out.append
    new = tuple.__new__  # RawRecord(...) goes through a Python-level __new__; this does not
    days = _DayCache()
    names: dict[int, str] = {}
    for uid, status, raw, punch in records:
        day_index, seconds = divmod(raw, 86400)
        ymd = days.get(day_index) or days.resolve(day_index, len(out), raw)
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        user_id = names.get(uid)
        if user_id is None:
            user_id = names[uid] = users.get(uid) or str(uid)
        append(new(RawRecord, (user_id, datetime(*ymd, hour, minute, second), status, punch, uid)))
    return out


def _parse_16(records: Iterator[tuple[Any, ...]], users: Mapping[int, str]) -> list[RawRecord]:
    out: list[RawRecord] = []
    append = out.append
    new = tuple.__new__  # RawRecord(...) goes through a Python-level __new__; this does not
    days = _DayCache()
    by_user_id = {user_id: uid for uid, user_id in users.items()}
    ids: dict[int, tuple[str, int]] = {}
    for number, raw, status, punch, _workcode in records:
        day_index, seconds = divmod(raw, 86400)
        ymd = days.get(day_index) or days.resolve(day_index, len(out), raw)
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        ident = ids.get(number)
        if ident is None:
            user_id = str(number)
            ident = ids[number] = (user_id, by_user_id.get(user_id, number))
        append(new(RawRecord, (ident[0], datetime(*ymd, hour, minute, second), status, punch, ident[1])))
    return out


def _parse_40(records: Iterator[tuple[Any, ...]]) -> list[RawRecord]:
    out: list[RawRecord] = []
    append = out.append
    new = tuple.__new__  # RawRecord(...) goes through a Python-level __new__; this does not
    days = _DayCache()
    texts: dict[bytes, str] = {}
    for uid, raw_user_id, status, raw, punch in records:
        day_index, seconds = divmod(raw, 86400)
        ymd = days.get(day_index) or days.resolve(day_index, len(out), raw)
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        user_id = texts.get(raw_user_id)
        if user_id is None:
            user_id = texts[raw_user_id] = raw_user_id.split(b"\x00", 1)[0].decode(errors="ignore")
        append(new(RawRecord, (user_id, datetime(*ymd, hour, minute, second), status, punch, uid)))
    return out


def parse_attendance_buffer(
    buffer: bytes | bytearray | memoryview,
    record_count: int,
    users: Mapping[int, str] | None = None,
    *,
    expected_size: int | None = None,
) -> tuple[int | None, list[RawRecord]]:
    """Validate a whole ``CMD_ATTLOG_RRQ`` buffer (with prefix) and parse it: (record size, records)."""
    size, data = split_attendance_buffer(buffer, record_count, expected_size=expected_size)
    if size is None:
        return None, []
    records = parse_attendance(data, size, users)
    logger.debug("parsed %d attendance records of %d bytes", len(records), size)
    return size, records
