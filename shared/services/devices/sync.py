"""Syncing ZKTeco devices: read in a worker thread, store every punch once, keep the device's state, tell HR.

One device (:func:`sync_device`):

1. Lock the device in Redis (``{prefix}:device:{id}:sync``): one reader per device; a second sync of the same
   device at the same time reports ``busy`` and reads nothing.
2. Read it with :mod:`shared.zk` in a worker thread (pyzk blocks); the adapter returns the whole log or raises.
   The UTC conversion and the rows are built in the thread too, a chunk ahead of the database write.
3. One transaction: insert-or-ignore the punches on (device, device user id, instant) — a device user id that
   matches ``Employee.device_user_id`` gets that employee, the others are kept with no employee and counted —
   and update the device (status, serial, firmware, record count, clock drift, last success). A device that
   was reported offline is announced back online, once.
4. After the commit, with ``clear_after_sync``: check every record read is stored, then clear the device log
   (the adapter refuses when the device holds another count by then). 5. Correct a drifted clock if configured.

A failed read stores nothing and marks the device OFFLINE or ERROR; after DEVICE_OFFLINE_MINUTES without a sync
HR is alerted once. The job around it (named steps, a JobRun, the API's entry point) is in device_sync_job.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings
from shared.domain.enums import DeviceStatus, DirectionMode
from shared.domain.punches import direction_from_code
from shared.model import Device, Employee, Punch, utcnow
from shared.notify.job_messages import device_back_online, device_offline_alert
from shared.notify.outbox import enqueue_message
from shared.persistence import Database
from shared.services.attendance.punch_store import EMPLOYEE, INSTANT, USER, PunchRow, Span, store_device_punches
from shared.services.jobs import RedisLock
from shared.services.lookups import hr_people
from shared.zk import DeviceError, DeviceParams, DeviceReader, DeviceReadout, DeviceUnreachable, records_to_utc, to_utc
from shared.zk import clear_attendance as zk_clear
from shared.zk import read_device as zk_read
from shared.zk import set_time as zk_set_time

log = logging.getLogger(__name__)
T = TypeVar("T")
BUILD_CHUNK = 20_000
SPAN_MARGIN = timedelta(hours=25)  # more than any zone's offset ever jumped (Samoa skipped a whole day)
JOB = "sync_devices"
ACTOR = f"system:{JOB}"


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
    timeout: float = 10.0
    concurrency: int = 8
    prefix: str = "chronos"
    lock_ttl: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SyncOptions:
        return cls(
            company_timezone=settings.company_timezone,
            offline_after=timedelta(minutes=settings.device_offline_minutes),
            max_drift_seconds=settings.device_clock_max_drift_seconds,
            timeout=settings.device_timeout_seconds,
            concurrency=max(1, settings.device_sync_concurrency),
            prefix=settings.redis_prefix,
        )


@dataclass
class DeviceSyncResult:
    """What one device's sync did; ``outcome`` is ``ok``, ``error`` or ``busy``."""

    device_id: int
    name: str
    outcome: str = "ok"
    read: int = 0
    new: int = 0
    duplicate: int = 0
    unmatched: int = 0
    unknown_users: list[str] = field(default_factory=list)
    record_size: int | None = None
    clock_drift_seconds: int | None = None
    cleared: int | None = None
    clock_corrected: bool = False
    alert: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = {
            "name": self.name, "outcome": self.outcome, "read": self.read, "new": self.new,
            "duplicate": self.duplicate, "unmatched": self.unmatched, "seconds": round(self.seconds, 3),
        }  # fmt: skip
        optional = {
            "unknown_users": self.unknown_users[:20], "record_size": self.record_size,
            "clock_drift_seconds": self.clock_drift_seconds, "cleared": self.cleared,
            "clock_corrected": self.clock_corrected or None, "alert": self.alert, "error": self.error,
            "warnings": self.warnings,
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


async def _in_thread(executor: Executor | None, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    if executor is None:
        return await asyncio.to_thread(fn, *args, **kwargs)
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


class _Rows:
    """The records read as punch rows, built chunk by chunk in the worker thread: the next chunk is converted
    (UTC, employee, direction) while the database stores the previous one. Every row built is kept."""

    def __init__(
        self, readout: DeviceReadout, plan: _Plan, employees: Mapping[str, int], executor: Executor | None
    ) -> None:
        self.records, self.tz = readout.records, plan.params.timezone
        self.employees, self.executor = employees, executor
        codes = {record.punch for record in readout.records}
        self.direction = {code: direction_from_code(code, plan.direction_mode).value for code in codes}
        self.all: list[PunchRow] = []

    def span(self) -> Span | None:
        """A range holding every instant. Local → UTC can reorder around a transition (a time in the skipped
        hour is shifted past later ones), so the local extremes are widened by :data:`SPAN_MARGIN`."""
        if not self.records:
            return None
        local = [record.local_time for record in self.records]
        return to_utc(min(local), self.tz) - SPAN_MARGIN, to_utc(max(local), self.tz) + SPAN_MARGIN

    def _build(self, start: int) -> list[PunchRow]:
        records = self.records[start : start + BUILD_CHUNK]
        employees, direction = self.employees, self.direction
        return [
            (user, instant, employees.get(user), direction[punch], status, punch)
            for (user, _, status, punch, _), instant in zip(records, records_to_utc(records, self.tz), strict=True)
        ]

    async def chunks(self) -> AsyncIterator[list[PunchRow]]:
        starts = list(range(0, len(self.records), BUILD_CHUNK))
        pending = asyncio.ensure_future(_in_thread(self.executor, self._build, starts[0])) if starts else None
        try:
            for index in range(len(starts)):
                assert pending is not None
                rows = await pending
                if index + 1 < len(starts):
                    pending = asyncio.ensure_future(_in_thread(self.executor, self._build, starts[index + 1]))
                self.all.extend(rows)
                yield rows
        finally:
            if pending is not None and not pending.done():
                pending.cancel()  # the store gave up: nobody wants the next chunk


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
        return _Plan(device.id, device.name, params, device.direction_mode, device.clear_after_sync)


async def _employee_ids(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(
            select(Employee.device_user_id, Employee.id).where(Employee.device_user_id.is_not(None))
        )
        return {str(user): employee for user, employee in rows.all()}


async def _tell_hr(session: AsyncSession, text_for: Callable[[str | None], str], ref: str) -> int:
    sent = 0
    for person in await hr_people(session):
        if person.telegram_user_id:
            enqueue_message(session, chat_id=person.telegram_user_id, text=text_for(person.locale), ref=ref)
            sent += 1
    return sent


async def _record_failure(
    db: Database, plan: _Plan, exc: Exception, now: datetime, options: SyncOptions, result: DeviceSyncResult
) -> None:
    result.outcome, result.error = "error", f"{type(exc).__name__}: {exc}"
    async with db.transaction() as session:
        device = await session.get(Device, plan.device_id, with_for_update=True)
        if device is None:
            return
        device.status = DeviceStatus.OFFLINE if isinstance(exc, DeviceUnreachable) else DeviceStatus.ERROR
        device.last_error_at, device.last_error = now, result.error
        since = device.last_success_at or device.created_at
        if device.offline_alerted_at is None and now - since >= options.offline_after:
            device.offline_alerted_at = now
            last, error, tz = device.last_success_at, result.error, options.company_timezone
            await _tell_hr(
                session,
                lambda locale: device_offline_alert(locale, device=plan.name, last_success=last, error=error, tz=tz),
                ref=f"device:{plan.device_id}:offline",
            )
            result.alert = "offline"
    log.warning("device %s (%s): %s", plan.name, plan.params.address, result.error)


async def _store(
    db: Database, plan: _Plan, readout: DeviceReadout, rows: _Rows, now: datetime, result: DeviceSyncResult
) -> None:
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
        device.last_record_count = readout.record_count
        device.clock_drift_seconds = result.clock_drift_seconds
        if device.offline_alerted_at is not None:
            device.offline_alerted_at = None
            new = stored.new
            await _tell_hr(
                session,
                lambda locale: device_back_online(locale, device=plan.name, new_punches=new),
                ref=f"device:{plan.device_id}:online",
            )
            result.alert = "back_online"


async def _all_stored(db: Database, device_id: int, rows: Sequence[PunchRow]) -> bool:
    if not rows:
        return True
    low, high = min(r[INSTANT] for r in rows), max(r[INSTANT] for r in rows)
    async with db.session() as session:
        found = await session.execute(
            select(Punch.device_user_id, Punch.instant).where(
                Punch.device_id == device_id, Punch.instant >= low, Punch.instant <= high
            )
        )
        stored = {(user, instant.astimezone(UTC)) for user, instant in found.all()}
    return all((r[USER], r[INSTANT]) in stored for r in rows)


async def _after_commit(
    db: Database, plan: _Plan, io: DeviceIO, readout: DeviceReadout, rows: list[PunchRow],
    options: SyncOptions, executor: Executor | None, clock: Callable[[], datetime], result: DeviceSyncResult,
) -> None:  # fmt: skip
    if plan.clear_after_sync and readout.record_count:
        if not await _all_stored(db, plan.device_id, rows):
            result.warnings.append("not cleared: the stored punches do not match the records read")
        else:
            try:
                result.cleared = await _in_thread(
                    executor, io.clear, plan.params, expected_count=readout.record_count, timeout=options.timeout
                )
            except DeviceError as exc:
                result.warnings.append(f"not cleared: {exc}")
    drift = result.clock_drift_seconds or 0
    if options.max_drift_seconds > 0 and abs(drift) > options.max_drift_seconds:
        try:
            await _in_thread(executor, io.set_time, plan.params, clock(), timeout=options.timeout)
            result.clock_corrected = True
            log.info("device %s: clock was %+d s off; set to the current time", plan.name, drift)
        except DeviceError as exc:
            result.warnings.append(f"clock not corrected: {exc}")


@contextlib.asynccontextmanager
async def _device_lock(redis: Redis | None, options: SyncOptions, device_id: int) -> AsyncIterator[bool]:
    if redis is None:
        yield True
        return
    lock = RedisLock(redis, f"{options.prefix}:device:{device_id}:sync", ttl=options.lock_ttl)
    if not await lock.acquire():
        yield False
        return
    try:
        async with lock.kept_alive():
            yield True
    finally:
        await lock.release()


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
    """Read one device and store its punches (see the module docstring). Never raises for device errors."""
    started = time.perf_counter()
    io = io or DeviceIO()
    plan = await _plan(db, device_id, options)
    if isinstance(plan, DeviceSyncResult):
        return plan
    result = DeviceSyncResult(plan.device_id, plan.name)
    async with _device_lock(redis, options, device_id) as locked:
        if not locked:
            result.outcome = "busy"
            log.info("device %s is being synced by another run; skipped", plan.name)
            return result
        employees = await _employee_ids(db)
        now = clock()
        # the drift is best measured right after the device clock is read, unless the caller pins the time
        reference = None if clock is utcnow else now
        try:
            readout = await _in_thread(executor, io.read, plan.params, timeout=plan.params.timeout, now_utc=reference)
        except DeviceError as exc:
            await _record_failure(db, plan, exc, now, options, result)
            result.seconds = time.perf_counter() - started
            return result
        result.read, result.record_size = len(readout.records), readout.record_size
        result.clock_drift_seconds = int(readout.clock_drift.total_seconds())
        rows = _Rows(readout, plan, employees, executor)
        await _store(db, plan, readout, rows, now, result)
        await _after_commit(db, plan, io, readout, rows.all, options, executor, clock, result)
    result.seconds = time.perf_counter() - started
    log.info(
        "device %s: %d read, %d new, %d duplicate, %d unmatched in %.2f s",
        plan.name, result.read, result.new, result.duplicate, result.unmatched, result.seconds,
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
            except Exception as exc:  # e.g. the database went away: the other devices carry on
                log.exception("device #%d: sync failed", device_id)
                error = f"{type(exc).__name__}: {exc}"
                result = DeviceSyncResult(device_id, f"#{device_id}", outcome="error", error=error)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="zk") as executor:
        return list(await asyncio.gather(*(one(i, executor) for i in device_ids)))
