"""Syncing ZKTeco devices: read in a worker thread, store every punch once, keep the device's state, tell HR.

One device (:func:`sync_device`), all of it within DEVICE_SYNC_DEADLINE_SECONDS:

1. Lock the device in Redis (``{prefix}:device:{id}:sync``, a short lease renewed while the sync runs): one
   reader per device; a second sync of the same device at the same time reports ``busy`` and reads nothing.
2. Read it with :mod:`shared.zk` in a worker thread (pyzk blocks); the adapter verifies every packet and returns
   the whole log or raises. With the mark of the last stored read (record count, size, raw last record on the
   device row) only the records appended since are fetched, once the device is seen to still hold the marked
   record at its place; a cleared, rotated or rewritten log is read whole. The UTC conversion and the rows
   are built in the thread too, a chunk ahead of the database write (:mod:`.sync_rows`).
3. One transaction: insert-or-ignore the punches on (device, device user id, instant) — a device user id that
   matches ``Employee.device_user_id`` gets that employee, the others are kept with no employee and counted —
   and update the device (status, serial, firmware, record count, clock drift, last success). A device that
   was reported failing is announced back, once; a clock off by more than DEVICE_CLOCK_ALERT_SECONDS is
   announced once (:mod:`.health`).
4. After the commit, with ``clear_after_sync``: check every record read is stored, then clear the device log
   (the adapter refuses when the device holds another count by then). 5. Correct a drifted clock if configured.

Any failure — the read, the store, the deadline — stores nothing of that read and marks the device OFFLINE or
ERROR with ``last_error``; after DEVICE_OFFLINE_MINUTES without a sync HR is alerted once. The job around it
(named steps, a JobRun, the API's entry point) is in :mod:`.sync_job`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from shared.config import Settings
from shared.domain.enums import DeviceStatus, DirectionMode
from shared.model import Device, utcnow
from shared.persistence import Database
from shared.services.attendance.punch_store import EMPLOYEE, USER, PunchRow, store_device_punches
from shared.services.devices.health import FailureNotice, describe, note_success, record_failure
from shared.services.devices.log_mark import forget_mark, remember_mark, stored_mark
from shared.services.devices.sync_reads import all_stored, employee_ids_by_badge
from shared.services.devices.sync_rows import PunchRows, in_thread
from shared.services.locks import DEFAULT_LOCK_TTL, RedisLock
from shared.zk import (
    DeviceDeadlineExceeded,
    DeviceError,
    DeviceParams,
    DeviceReader,
    DeviceReadout,
    DeviceUnreachable,
    LogMark,
)
from shared.zk import clear_attendance as zk_clear
from shared.zk import read_device as zk_read
from shared.zk import set_time as zk_set_time

log = logging.getLogger(__name__)
JOB = "sync_devices"
ACTOR = f"system:{JOB}"
DEADLINE_GRACE = 3.0
"""The device adapter stops at the deadline (plus ~2 s to say goodbye); the whole sync is cut this much later."""


@dataclass(frozen=True)
class DeviceIO:
    """The blocking device calls (shared.zk by default; tests may pass fakes)."""

    read: DeviceReader = zk_read
    clear: Callable[..., int] = zk_clear
    set_time: Callable[..., datetime] = zk_set_time


@dataclass(frozen=True)
class SyncOptions:
    company_timezone: str = "UTC"
    offline_after: timedelta = timedelta(minutes=30)
    max_drift_seconds: int = 0
    """Correct the device clock when it is off by more than this; 0 = never."""
    drift_alert_seconds: int = 300
    """Tell HR (once) when the device clock is off by more than this; 0 = never."""
    timeout: float = 10.0
    deadline_seconds: float = 120.0
    concurrency: int = 8
    prefix: str = "chronos"
    lock_ttl: float = DEFAULT_LOCK_TTL

    @classmethod
    def from_settings(cls, settings: Settings) -> SyncOptions:
        return cls(
            company_timezone=settings.company_timezone,
            offline_after=timedelta(minutes=settings.device_offline_minutes),
            max_drift_seconds=settings.device_clock_max_drift_seconds,
            drift_alert_seconds=settings.device_clock_alert_seconds,
            timeout=settings.device_timeout_seconds,
            deadline_seconds=settings.device_sync_deadline_seconds,
            concurrency=max(1, settings.device_sync_concurrency),
            prefix=settings.redis_prefix,
            lock_ttl=settings.job_lock_ttl_seconds,
        )


@dataclass
class DeviceSyncResult:
    """What one device's sync did; ``outcome`` is ``ok``, ``error`` or ``busy``."""

    device_id: int
    name: str
    outcome: str = "ok"
    read: int = 0
    """Records transferred and parsed: the new tail only when the stored mark still matched."""
    skipped: int = 0
    """Records before the stored mark, not transferred again (the device still holds them unchanged)."""
    new: int = 0
    duplicate: int = 0
    unmatched: int = 0
    unknown_users: list[str] = field(default_factory=list)
    record_size: int | None = None
    clock_drift_seconds: int | None = None
    cleared: int | None = None
    clock_corrected: bool = False
    alert: str | None = None
    """``offline`` (HR told the device fails) or ``back_online``."""
    clock_alert: bool = False
    dropped_replies: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = {
            "name": self.name, "outcome": self.outcome, "read": self.read, "new": self.new,
            "duplicate": self.duplicate, "unmatched": self.unmatched, "seconds": round(self.seconds, 3),
        }  # fmt: skip
        if self.skipped:
            counts["skipped"] = self.skipped
        optional = {
            "unknown_users": self.unknown_users[:20], "record_size": self.record_size,
            "clock_drift_seconds": self.clock_drift_seconds, "cleared": self.cleared,
            "clock_corrected": self.clock_corrected or None, "alert": self.alert,
            "clock_alert": self.clock_alert or None, "dropped_replies": self.dropped_replies or None,
            "error": self.error, "warnings": self.warnings,
        }  # fmt: skip
        counts.update({k: v for k, v in optional.items() if v not in (None, [])})
        return counts


@dataclass(frozen=True)
class _Plan:
    device_id: int
    name: str
    params: DeviceParams
    direction_mode: DirectionMode
    clear_after_sync: bool
    known: LogMark | None = None


@dataclass
class _Lease:
    """The device lock while held (``lock`` is None without Redis: one process, nobody to race)."""

    lock: RedisLock | None

    @property
    def lost(self) -> bool:
        return self.lock is not None and self.lock.lost


async def _plan(db: Database, device_id: int, options: SyncOptions) -> _Plan | DeviceSyncResult:
    async with db.session() as session:
        device = await session.get(Device, device_id)
        if device is None:
            return DeviceSyncResult(device_id, f"#{device_id}", outcome="error", error="no such device")
        try:
            params = DeviceParams(
                device.host, device.port, protocol=device.protocol.value, password=device.password,
                timezone=device.timezone or options.company_timezone, timeout=options.timeout,
            )  # fmt: skip
        except ValueError as exc:
            return DeviceSyncResult(device_id, device.name, outcome="error", error=f"configuration: {exc}")
        return _Plan(
            device.id, device.name, params, device.direction_mode, device.clear_after_sync, stored_mark(device)
        )


async def _fail(
    db: Database, device_id: int, name: str, exc: Exception, now: datetime, options: SyncOptions,
    result: DeviceSyncResult,
) -> None:  # fmt: skip
    """Mark the device with the failure and tell HR once; a failure to do even that is logged, not raised."""
    result.outcome, result.error = "error", result.error or describe(exc)
    # whatever a failed store counted or announced was rolled back with it
    result.new = result.duplicate = result.unmatched = 0
    result.unknown_users, result.alert, result.clock_alert = [], None, False
    notice = FailureNotice(device_id, name, result.error, unreachable=isinstance(exc, DeviceUnreachable))
    try:
        if await record_failure(
            db, notice, now=now, offline_after=options.offline_after, company_timezone=options.company_timezone
        ):
            result.alert = "offline"
    except Exception as inner:  # the database itself is failing: the run's counts still say what happened
        log.exception("device %s: the failure could not be recorded on the device", name)
        result.warnings.append(f"the failure could not be recorded on the device: {describe(inner)}")
    log.warning("device %s: %s", name, result.error)


async def _store(
    db: Database, plan: _Plan, readout: DeviceReadout, rows: PunchRows, now: datetime, options: SyncOptions,
    result: DeviceSyncResult,
) -> None:  # fmt: skip
    async with db.transaction() as session:
        device = await session.get(Device, plan.device_id, with_for_update=True)
        if device is None:
            raise DeviceError("the device was deleted during the sync")
        stored = await store_device_punches(
            session, device_id=plan.device_id, rows=rows.chunks(), span=rows.span(), created_at=now, created_by=ACTOR
        )
        result.new, result.unmatched = stored.new, stored.new_unmatched
        result.duplicate = result.read - stored.new
        if stored.new_unmatched:
            result.unknown_users = sorted({r[USER] for r in rows.all if r[EMPLOYEE] is None})
        device.status, device.last_success_at = DeviceStatus.ONLINE, now
        device.serial, device.firmware = readout.serial[:64] or device.serial, readout.firmware[:64] or device.firmware
        remember_mark(device, readout.record_count, readout.mark)
        device.clock_drift_seconds = result.clock_drift_seconds
        sent = await note_success(
            session, device, name=plan.name, new_punches=stored.new, drift_seconds=result.clock_drift_seconds or 0,
            device_time=readout.device_time, drift_threshold=options.drift_alert_seconds, now=now,
        )  # fmt: skip
        result.alert = "back_online" if "back_online" in sent else None
        result.clock_alert = "clock" in sent


async def _clear_log(
    db: Database, plan: _Plan, io: DeviceIO, readout: DeviceReadout, rows: list[PunchRow], deadline: float,
    executor: Executor | None, result: DeviceSyncResult,
) -> None:  # fmt: skip
    """With ``clear_after_sync``: clear the device log once every record read is known to be stored."""
    if not (plan.clear_after_sync and readout.record_count):
        return
    if not await all_stored(db, plan.device_id, rows):
        result.warnings.append("not cleared: the stored punches do not match the records read")
        return
    try:
        result.cleared = await in_thread(
            executor, io.clear, plan.params, expected_count=readout.record_count, timeout=plan.params.timeout,
            deadline=deadline,
        )  # fmt: skip
    except DeviceError as exc:
        result.warnings.append(f"not cleared: {exc}")
        return
    await forget_mark(db, plan.device_id)  # the log starts afresh: the next sync reads it from its start


async def _correct_clock(
    plan: _Plan, io: DeviceIO, max_drift: int, deadline: float, executor: Executor | None,
    clock: Callable[[], datetime], result: DeviceSyncResult,
) -> None:  # fmt: skip
    drift = result.clock_drift_seconds or 0
    if max_drift <= 0 or abs(drift) <= max_drift:
        return
    try:
        await in_thread(executor, io.set_time, plan.params, clock(), timeout=plan.params.timeout, deadline=deadline)
        result.clock_corrected = True
        log.info("device %s: clock was %+d s off; set to the current time", plan.name, drift)
    except DeviceError as exc:
        result.warnings.append(f"clock not corrected: {exc}")


@contextlib.asynccontextmanager
async def _device_lock(redis: Redis | None, options: SyncOptions, device_id: int) -> AsyncIterator[_Lease | None]:
    """The device's lease, renewed while the sync runs; ``None`` when another sync holds it."""
    if redis is None:
        yield _Lease(None)
        return
    lock = RedisLock(redis, f"{options.prefix}:device:{device_id}:sync", ttl=options.lock_ttl)
    if not await lock.acquire():
        yield None
        return
    try:
        async with lock.kept_alive():
            yield _Lease(lock)
    finally:
        await lock.release()


async def _read_and_store(
    db: Database, plan: _Plan, io: DeviceIO, deadline: float, now: datetime, reference: datetime | None,
    options: SyncOptions, executor: Executor | None, result: DeviceSyncResult,
) -> tuple[DeviceReadout, PunchRows]:  # fmt: skip
    employees = await employee_ids_by_badge(db)
    readout = await in_thread(
        executor, io.read, plan.params, timeout=plan.params.timeout, now_utc=reference, deadline=deadline,
        known=plan.known,
    )  # fmt: skip
    result.read, result.record_size = len(readout.records), readout.record_size
    result.skipped = readout.first_index
    if readout.full_read_reason:
        result.warnings.append(f"read the whole log: {readout.full_read_reason}")
    result.clock_drift_seconds = int(readout.clock_drift.total_seconds())
    result.dropped_replies = readout.dropped_replies
    rows = PunchRows(
        readout.records, timezone=plan.params.timezone, direction_mode=plan.direction_mode, employees=employees,
        executor=executor,
    )  # fmt: skip
    await _store(db, plan, readout, rows, now, options, result)
    return readout, rows


async def sync_device(
    db: Database,
    *,
    device_id: int,
    options: SyncOptions,
    io: DeviceIO | None = None,
    redis: Redis | None = None,
    clock: Callable[[], datetime] = utcnow,
    executor: Executor | None = None,
) -> DeviceSyncResult:
    """Read one device and store its punches (see the module docstring). Never raises for a failed sync: the
    failure is in the result and on the device."""
    started = time.perf_counter()
    io = io or DeviceIO()
    plan = await _plan(db, device_id, options)
    if isinstance(plan, DeviceSyncResult):
        if plan.error and plan.error.startswith("configuration:"):
            await _fail(db, device_id, plan.name, ValueError(plan.error), clock(), options, plan)
        return plan
    result = DeviceSyncResult(plan.device_id, plan.name)
    async with _device_lock(redis, options, device_id) as lease:
        if lease is None:
            result.outcome = "busy"
            log.info("device %s is being synced by another run; skipped", plan.name)
            return result
        now = clock()
        # the drift is best measured right after the device clock is read, unless the caller pins the time
        reference = None if clock is utcnow else now
        deadline = time.monotonic() + options.deadline_seconds
        cut = asyncio.timeout(options.deadline_seconds + DEADLINE_GRACE)
        try:
            async with cut:
                readout, rows = await _read_and_store(db, plan, io, deadline, now, reference, options, executor, result)
        except Exception as exc:  # the device, the data, the database, the deadline: all of them mark the device
            if isinstance(exc, TimeoutError) and cut.expired():
                exc = DeviceDeadlineExceeded(f"the sync did not finish within {options.deadline_seconds:g} s")
            await _fail(db, plan.device_id, plan.name, exc, now, options, result)
        else:  # device writes that must not run twice: only while the lock is still ours
            if lease.lost:
                result.warnings.append("log not cleared, clock not set: the device lock was lost meanwhile")
            else:
                await _clear_log(db, plan, io, readout, rows.all, deadline, executor, result)
                await _correct_clock(plan, io, options.max_drift_seconds, deadline, executor, clock, result)
    result.seconds = time.perf_counter() - started
    log.info(
        "device %s: %s, %d read, %d new, %d duplicate, %d unmatched in %.2f s",
        plan.name, result.outcome, result.read, result.new, result.duplicate, result.unmatched, result.seconds,
    )  # fmt: skip
    return result


async def sync_devices(
    db: Database,
    *,
    device_ids: Sequence[int],
    options: SyncOptions,
    io: DeviceIO | None = None,
    redis: Redis | None = None,
    clock: Callable[[], datetime] = utcnow,
    on_result: Callable[[DeviceSyncResult], None] | None = None,
) -> list[DeviceSyncResult]:
    """Sync the devices concurrently, at most ``options.concurrency`` at a time; results in input order."""
    limit = asyncio.Semaphore(options.concurrency)

    async def one(device_id: int, executor: Executor) -> DeviceSyncResult:
        async with limit:
            try:
                result = await sync_device(
                    db, device_id=device_id, options=options, io=io, redis=redis, clock=clock, executor=executor
                )
            except Exception as exc:  # e.g. the database or Redis went away: the other devices carry on
                log.exception("device #%d: sync failed", device_id)
                result = DeviceSyncResult(device_id, f"#{device_id}", outcome="error", error=describe(exc))
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="zk") as executor:
        return list(await asyncio.gather(*(one(i, executor) for i in device_ids)))
