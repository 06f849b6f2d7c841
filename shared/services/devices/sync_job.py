"""The ``sync_devices`` job as named steps, shared by the scheduler, the CLI and the API.

* Scheduler / CLI: ``run_recorded(db, redis, "sync_devices", body, ...)`` with ``body`` calling
  :func:`run_device_sync` (``scheduler/jobs/sync_devices.py``).
* API: ``run = await start_device_sync(db, redis, device_id=..., options=SyncOptions.from_settings(settings))``
  returns the RUNNING JobRun at once (answer 202 with ``run.id``); the sync goes on in a background task and
  finishes the row (``GET /job-runs/{id}``). It never imports ``scheduler``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from redis.asyncio import Redis
from sqlalchemy import select

from shared.model import Device, JobRun, utcnow
from shared.persistence import Database
from shared.services.devices.sync import DeviceIO, SyncOptions, sync_devices
from shared.services.jobs import JobContext, JobFailed, JobPartlyFailed, JobSkipped, start_recorded

log = logging.getLogger(__name__)
JOB = "sync_devices"


async def device_ids_to_sync(db: Database, device_ids: Sequence[int] | None = None) -> list[int]:
    """The active devices, or the given ones (active or not: an explicit request wins); unknown ids raise."""
    async with db.session() as session:
        if device_ids is None:
            return list(await session.scalars(select(Device.id).where(Device.active.is_(True)).order_by(Device.id)))
        found = set(await session.scalars(select(Device.id).where(Device.id.in_(list(device_ids)))))
    missing = [str(i) for i in device_ids if i not in found]
    if missing:
        raise JobFailed(f"no device with id {', '.join(missing)}")
    return list(dict.fromkeys(device_ids))


_TOTALS = ("read", "new", "duplicate", "unmatched")


async def run_device_sync(
    ctx: JobContext,
    *,
    db: Database,
    redis: Redis | None,
    options: SyncOptions,
    io: DeviceIO | None = None,
    clock: Callable[[], datetime] = utcnow,
    device_ids: Sequence[int] | None = None,
) -> None:
    """The ``sync_devices`` job: named steps, per-device counts in ``ctx.counts["devices"]``."""
    async with ctx.step("find devices") as step:
        ids = await device_ids_to_sync(db, device_ids)
        step.count(devices=len(ids))
        if not ids:
            step.stop("no active devices")
    async with ctx.step("read devices and store punches") as step:
        ctx.progress.start(len(ids), "devices")
        results = await sync_devices(
            db, device_ids=ids, options=options, io=io, redis=redis, clock=clock,
            on_result=lambda r: ctx.progress.advance(1, f"{r.name}: {r.outcome}"),
        )  # fmt: skip
        ctx.counts["devices"] = {str(r.device_id): r.as_counts() for r in results}
        step.count(**{name: sum(getattr(r, name) for r in results) for name in _TOTALS})
        step.count(ok=sum(r.outcome == "ok" for r in results), errors=sum(r.outcome == "error" for r in results))
        step.count(busy=sum(r.outcome == "busy" for r in results))
        step.count(alerts=sum((r.alert is not None) + r.clock_alert for r in results))
    async with ctx.step("check the outcome"):
        failed = [r for r in results if r.outcome == "error"]
        errors = "; ".join(f"{r.name}: {r.error}" for r in failed)
        if failed and len(failed) == len(results):
            raise JobFailed(errors)
        if all(r.outcome == "busy" for r in results):
            raise JobSkipped("every device is being synced by another run")
        if failed:
            raise JobPartlyFailed(f"{len(failed)} of {len(results)} devices failed: {errors}")


async def start_device_sync(
    db: Database,
    redis: Redis,
    *,
    device_id: int,
    options: SyncOptions,
    io: DeviceIO | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> JobRun:
    """For the API's ``POST /devices/{id}/sync``: start a recorded sync of one device and return its JobRun.

    The run is committed as RUNNING before this returns and finishes in a background task (answer 202 with
    ``run.id``; ``GET /job-runs/{id}`` tells the outcome). A SKIPPED run comes back when a sync of this device
    started from the API is still going. Raises nothing for device errors: they end up in the run.
    """

    async def body(ctx: JobContext) -> None:
        await run_device_sync(ctx, db=db, redis=redis, options=options, io=io, clock=clock, device_ids=[device_id])

    run, _task = await start_recorded(
        db, redis, JOB, body, trigger="api", prefix=options.prefix, lock_name=f"{JOB}:{device_id}", clock=clock
    )
    return run
