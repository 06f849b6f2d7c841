"""Running a job by name: the clients it gets, its Redis lock and JobRun, and the scheduled instant.

``JobRunner.run(name, trigger=...)`` is what the CLI calls ("run it now"); ``JobRunner.scheduled(name)`` is what
APScheduler calls. The instant a scheduled run was due at comes from :class:`SlotExecutor` through a context
variable, so two scheduler replicas firing the same schedule agree on which run it is.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.job import Job
from redis.asyncio import Redis

from scheduler.jobs import JOBS
from shared.config import Settings
from shared.model import JobRun, utcnow
from shared.persistence import Database
from shared.services.devices.sync import DeviceIO
from shared.services.jobs import JobContext, Progress, run_recorded
from shared.services.locks import claim_once, owner_id

log = logging.getLogger(__name__)

scheduled_for: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("scheduled_for", default=None)


@dataclass
class Clients:
    """What jobs use, built once in ``main`` (or by a test) and passed in; jobs never construct clients."""

    db: Database
    redis: Redis
    settings: Settings
    device_io: DeviceIO = field(default_factory=DeviceIO)
    clock: Callable[[], datetime] = utcnow


class SlotExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor that tells the job which scheduled instant it runs for.

    The task APScheduler creates copies the current context, so setting :data:`scheduled_for` around the
    submission hands the (coalesced: latest) run time to :meth:`JobRunner.scheduled`.
    """

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        token = scheduled_for.set(run_times[-1] if run_times else None)
        try:
            super()._do_submit_job(job, run_times)
        finally:
            scheduled_for.reset(token)


class JobRunner:
    def __init__(self, clients: Clients) -> None:
        self.clients = clients
        self.active: set[asyncio.Task[Any]] = set()

    async def run(
        self,
        name: str,
        *,
        trigger: str,
        slot: datetime | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> JobRun | None:
        """Run job ``name`` now (locked, recorded); ``options`` go to its ``run()``. ``None``: slot taken."""
        spec = JOBS[name]
        clients = self.clients

        async def body(ctx: JobContext) -> None:
            await spec.run(ctx, clients, **options)

        return await run_recorded(
            clients.db,
            clients.redis,
            name,
            body,
            trigger=trigger,
            prefix=clients.settings.redis_prefix,
            slot=slot,
            lock_ttl=spec.lock_ttl or clients.settings.job_lock_ttl_seconds,
            progress=progress,
            clock=clients.clock,
        )

    async def tracked(self, name: str, *, trigger: str, slot: datetime | None = None) -> None:
        """Run without raising, and let shutdown wait for it."""
        task = asyncio.current_task()
        if task is not None:
            self.active.add(task)
        try:
            await self.run(name, trigger=trigger, slot=slot)
        except Exception:  # the JobRun could not even be written (database or Redis down)
            log.exception("job %s could not be run", name)
        finally:
            if task is not None:
                self.active.discard(task)

    async def scheduled(self, name: str) -> None:
        """The function APScheduler runs for every job."""
        await self.tracked(name, trigger="schedule", slot=scheduled_for.get())

    async def at_start(self, name: str) -> None:
        """SCHEDULER_RUN_AT_START: run once per cluster. Replicas starting within SCHEDULER_MISFIRE_GRACE_SECONDS
        of each other share one run: the first to claim it runs it, the others log and return."""
        clients = self.clients
        key = f"{clients.settings.redis_prefix}:job:start:{name}"
        try:
            claimed = await claim_once(
                clients.redis, key, owner=owner_id(), ttl_seconds=clients.settings.scheduler_misfire_grace_seconds
            )
        except Exception:
            log.exception("job %s: could not claim the run at start", name)
            return
        if not claimed:
            log.info("job %s: already run at start by another scheduler; not running it", name)
            return
        await self.tracked(name, trigger="start")
