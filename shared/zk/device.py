"""Read, clear and set the clock of a ZKTeco device (blocking; run it in a worker thread).

``read_device`` is what the sync job calls. Transport is pyzk 0.9; the attendance buffer is read
with pyzk's ``read_with_buffer`` and parsed by :mod:`shared.zk.records` (pyzk's own
``get_attendance`` is quadratic and does not validate the buffer).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from zk import ZK, const

from shared.zk.errors import DeviceDataMismatch
from shared.zk.records import RECORD_SIZES, SIZE_PREFIX, RawRecord, parse_attendance, parse_attendance_buffer
from shared.zk.session import DeviceParams, device_session, translate_errors
from shared.zk.timezones import records_to_utc, to_utc

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceUser:
    """A user enrolled on the device. ``uid`` is the device slot, ``user_id`` the badge/PIN."""

    uid: int
    user_id: str
    name: str
    privilege: int = 0
    group_id: str = ""
    card: int = 0


@dataclass(frozen=True, slots=True)
class LogMark:
    """Where the part of a device's attendance log already stored ends: the records it held, their size
    in bytes, and the raw bytes of the last one. Given to :func:`read_device`, only the records appended
    since are transferred and parsed, once the record at the mark is found unchanged."""

    count: int
    record_size: int
    last_record: bytes


@dataclass(frozen=True, slots=True)
class DeviceReadout:
    """Everything one read of a device produced; times are device-local and naive."""

    address: str
    timezone: str
    serial: str
    firmware: str
    device_time: datetime
    """The device clock when read (naive, device-local)."""
    reference_utc: datetime
    """The "now" the drift was measured against."""
    clock_drift: timedelta
    """Device clock (as UTC) minus ``reference_utc`` (to the second); positive = device ahead."""
    users: list[DeviceUser]
    records: list[RawRecord]
    """The records from ``first_index`` on (all of them after a full read)."""
    record_count: int
    """Attendance record count the device reported in its free sizes (``first_index + len(records)``)."""
    record_size: int | None
    """Attendance record format in bytes (8, 16 or 40); ``None`` when the log is empty."""
    user_count: int
    record_capacity: int
    attempts: int = 1
    """How many times the attendance buffer was read (2 after a count mismatch)."""
    dropped_replies: int = 0
    """Intact UDP replies to earlier requests (duplicates, late answers) that were dropped while reading."""
    duration_s: float = field(default=0.0, compare=False)
    first_index: int = 0
    """Position in the device log of ``records[0]``: the mark's count when only the tail was read."""
    mark: LogMark | None = None
    """The mark of this read's end, to give to the next read (``None`` for an empty log)."""
    full_read_reason: str | None = None
    """Why a mark given was not used (the log was cleared, rotated or rewritten), if it was not."""

    @property
    def users_by_uid(self) -> dict[int, DeviceUser]:
        return {user.uid: user for user in self.users}

    def records_utc(self) -> list[datetime]:
        """UTC instants of :attr:`records`, same order (DST rules in :mod:`.timezones`)."""
        return records_to_utc(self.records, self.timezone)


class DeviceReader(Protocol):
    """The shape of :func:`read_device`, for injecting it (or a fake) into the sync job."""

    def __call__(
        self,
        params: DeviceParams,
        *,
        timeout: float | None = None,
        now_utc: datetime | None = None,
        deadline: float | None = None,
        known: LogMark | None = None,
    ) -> DeviceReadout: ...


def _users(client: ZK, params: DeviceParams) -> list[DeviceUser]:
    users = [
        DeviceUser(
            uid=int(user.uid),
            user_id=str(user.user_id),
            name=str(user.name),
            privilege=int(user.privilege),
            group_id=str(user.group_id),
            card=int(user.card),
        )
        for user in client.get_users()
    ]
    if len(users) != int(client.users):
        raise DeviceDataMismatch(
            f"device {params.address} reported {client.users} users but sent {len(users)}; not storing anything"
        )
    return users


@dataclass(frozen=True, slots=True)
class _Attendance:
    count: int
    record_size: int | None
    records: list[RawRecord]
    attempts: int
    first_index: int = 0
    mark: LogMark | None = None
    full_read_reason: str | None = None


def _mark(count: int, size: int | None, tail: bytes | memoryview) -> LogMark | None:
    return LogMark(count, size, bytes(tail[-size:])) if count and size else None


def _read_attendance(
    client: ZK, params: DeviceParams, users: Mapping[int, str], known: LogMark | None = None
) -> _Attendance:
    """The attendance log: only its tail when ``known`` still matches the device, else all of it (re-read
    once on a count mismatch)."""
    reason = None
    for attempt in (1, 2):
        with translate_errors(params, "read the record count"):
            client.read_sizes()
        count = int(client.records)
        if count == 0:
            return _Attendance(0, None, [], attempt)
        if known is not None and attempt == 1:
            tail = _read_tail(client, params, users, known, count)
            if isinstance(tail, _Attendance):
                return tail
            reason = tail
            logger.info("device %s: reading the whole log: %s", params.address, reason)
        with translate_errors(params, "read the attendance buffer"):
            buffer, _size = client.read_with_buffer(const.CMD_ATTLOG_RRQ)
        _free_data(client, params)
        try:
            record_size, records = parse_attendance_buffer(buffer, count, users, expected_size=params.record_size)
        except DeviceDataMismatch as exc:
            if attempt == 2:
                raise DeviceDataMismatch(f"device {params.address}: {exc} (also after a re-read)") from exc
            logger.warning("device %s: %s; reading the attendance log once more", params.address, exc)
            continue
        return _Attendance(count, record_size, records, attempt, mark=_mark(count, record_size, buffer),
                           full_read_reason=reason)  # fmt: skip
    raise AssertionError("unreachable")  # pragma: no cover


def _read_tail(
    client: ZK, params: DeviceParams, users: Mapping[int, str], known: LogMark, count: int
) -> _Attendance | str:
    """The records appended since ``known`` (none when the count is unchanged), fetching only the record at
    the mark and what follows it; or why the whole log must be read instead."""
    size = known.record_size
    if count < known.count:
        return f"the device holds {count} records, fewer than the {known.count} stored (cleared or rotated)"
    if known.count <= 0 or size not in RECORD_SIZES or len(known.last_record) != size:
        return "no usable mark of the stored log"
    start = SIZE_PREFIX + (known.count - 1) * size
    with translate_errors(params, "read the end of the attendance buffer"):
        total, data, offset = client.read_buffer_range(const.CMD_ATTLOG_RRQ, start, (count - known.count + 1) * size)
    if total != SIZE_PREFIX + count * size:
        return f"the buffer holds {total} bytes, not {count} records of {size} bytes (the log changed)"
    view = memoryview(data)[start - offset :]  # the device may have sent the whole (small) buffer
    if bytes(view[:size]) != known.last_record:
        return f"record {known.count} differs from the one stored (the log was rewritten)"
    try:
        records = parse_attendance(view[size:], size, users)
    except DeviceDataMismatch as exc:
        return str(exc)
    return _Attendance(count, size, records, 1, first_index=known.count, mark=_mark(count, size, view))


def _free_data(client: ZK, params: DeviceParams) -> None:
    try:
        client.free_data()
    except Exception as exc:  # the data is already complete and validated independently
        logger.warning("device %s: FREE_DATA failed: %r", params.address, exc)


def read_device(
    params: DeviceParams,
    *,
    timeout: float | None = None,
    now_utc: datetime | None = None,
    deadline: float | None = None,
    known: LogMark | None = None,
) -> DeviceReadout:
    """Read identity, clock, users and the attendance log of one device: all of it, or with ``known`` (the
    mark of the last read stored) only the records appended since — after checking that the device still
    holds at least that many records and that the record at the mark is byte for byte the one stored;
    otherwise (cleared, rotated, rewritten) the whole log, and ``full_read_reason`` says why.

    Blocking: run it in a thread (``asyncio.to_thread``). The device is disabled while reading
    and re-enabled in every case. ``timeout`` (seconds per device reply) defaults to
    ``params.timeout``; ``deadline`` (a ``time.monotonic()`` instant) bounds the whole read. Every reply
    is verified (checksum, session and reply id, chunk sizes) and the users and records must number
    what the device announced. ``now_utc`` is the reference for the clock drift; by default the current
    time right after the device clock was read.

    Raises :class:`DeviceUnreachable`, :class:`DeviceAuthFailed`, :class:`DeviceDataMismatch`,
    :class:`DeviceProtocolError` (:class:`DeviceReplyRejected`) or :class:`DeviceDeadlineExceeded`;
    never returns a partial log.
    """
    if now_utc is not None and now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    started = time.monotonic()
    with device_session(params, timeout=timeout, deadline=deadline) as client:
        with translate_errors(params, "read the serial number"):
            serial = client.get_serialnumber()
        with translate_errors(params, "read the firmware version"):
            firmware = client.get_firmware_version()
        with translate_errors(params, "read the clock"):
            device_time = client.get_time()
        reference = now_utc if now_utc is not None else datetime.now(UTC)
        with translate_errors(params, "read the users"):
            users = _users(client, params)
        log = _read_attendance(client, params, {user.uid: user.user_id for user in users}, known)
        user_count, capacity = int(client.users), int(client.rec_cap)
        dropped = client.wire.dropped if client.wire is not None else 0
    # the device clock has whole seconds and truncates; compare like with like
    drift = to_utc(device_time, params.timezone) - reference.astimezone(UTC).replace(microsecond=0)
    readout = DeviceReadout(
        address=params.address,
        timezone=params.timezone,
        serial=serial,
        firmware=firmware,
        device_time=device_time,
        reference_utc=reference,
        clock_drift=drift,
        users=users,
        records=log.records,
        record_count=log.count,
        record_size=log.record_size,
        user_count=user_count,
        record_capacity=capacity,
        attempts=log.attempts,
        dropped_replies=dropped,
        duration_s=time.monotonic() - started,
        first_index=log.first_index,
        mark=log.mark,
        full_read_reason=log.full_read_reason,
    )
    logger.info(
        "device %s (serial %s): %d users, %d of %d records (from #%d) of %s bytes, drift %+.0f s, %.2f s",
        params.address, serial, len(users), len(log.records), log.count, log.first_index, log.record_size,
        drift.total_seconds(), readout.duration_s,
    )  # fmt: skip
    return readout


def clear_attendance(
    params: DeviceParams,
    *,
    expected_count: int | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
) -> int:
    """Delete the device's attendance log; returns how many records it held.

    Pass ``expected_count`` (the number of records you stored from the last read) to refuse to
    clear when the device holds a different number: the device is disabled between the check and
    the clear, so no punch can slip in and be lost.
    """
    with device_session(params, timeout=timeout, deadline=deadline) as client:
        with translate_errors(params, "read the record count"):
            client.read_sizes()
        count = int(client.records)
        if expected_count is not None and count != expected_count:
            raise DeviceDataMismatch(
                f"device {params.address} holds {count} attendance records, expected "
                f"{expected_count}; not clearing (read and store the new punches first)"
            )
        with translate_errors(params, "clear the attendance log"):
            client.clear_attendance()
            client.refresh_data()
    logger.info("device %s: cleared %d attendance records", params.address, count)
    return count


def set_time(
    params: DeviceParams, when: datetime, *, timeout: float | None = None, deadline: float | None = None
) -> datetime:
    """Set the device clock; returns the device time it had before (naive, device-local).

    ``when`` may be aware (converted to the device zone) or naive (taken as device-local).
    """
    local = when.astimezone(params.zone).replace(tzinfo=None) if when.tzinfo else when
    with device_session(params, timeout=timeout, deadline=deadline) as client:
        with translate_errors(params, "read the clock"):
            before = client.get_time()
        with translate_errors(params, "set the clock"):
            client.set_time(local.replace(microsecond=0))
    logger.info("device %s: clock %s → %s", params.address, before, local)
    return before
