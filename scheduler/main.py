"""Building and running the scheduler service: clients, the APScheduler instance, start and stop.

``chronos scheduler`` and ``python -m scheduler`` call :func:`run_forever`; ``chronos all`` (one process for
everything) can run :func:`serve` as a task with its own ``stop`` event and shared clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.runner import Clients, JobRunner, SlotExecutor
from scheduler.schedule import jobs_at_start, triggers
from shared.bootstrap import service_settings
from shared.config import Settings
from shared.persistence import Database
from shared.redis_client import redis_from_settings
from shared.services.jobs import reap_abandoned_runs

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 30.0


def build_clients(settings: Settings) -> Clients:
    """The database and Redis clients every job shares (one engine, one Redis connection pool)."""
    database = Database.from_settings(settings)
    return Clients(db=database, redis=redis_from_settings(settings), settings=settings)


def build_scheduler(runner: JobRunner, settings: Settings) -> AsyncIOScheduler:
    """An AsyncIOScheduler with every job of :func:`scheduler.schedule.triggers` (not started).

    Misfire grace: a run that is late (a busy loop, a suspended laptop) still runs within
    SCHEDULER_MISFIRE_GRACE_SECONDS; coalescing turns several missed runs into one; max_instances=1 keeps
    a slow run from overlapping the next one in this process (the Redis lock does it across processes).
    """
    scheduler = AsyncIOScheduler(
        executors={"default": SlotExecutor()},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.scheduler_misfire_grace_seconds,
        },
        timezone=settings.tz,
    )
    for name, trigger in triggers(settings).items():
        scheduler.add_job(runner.scheduled, trigger, args=[name], id=name, name=name, replace_existing=True)
    return scheduler


async def _reap(clients: Clients) -> None:
    """Runs left RUNNING by a killed scheduler (their lock is gone) are marked FAILED before anything runs."""
    try:
        reaped = await reap_abandoned_runs(clients.db, clients.redis, clock=clients.clock)
    except Exception:  # the database or Redis is not there yet: the next taker of each lock does it
        log.exception("could not check for runs left running by a stopped scheduler")
        return
    if reaped:
        log.warning("%d job runs were left running by a stopped scheduler; marked failed", reaped)


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread / Windows
            loop.add_signal_handler(sig, stop.set)


async def serve(settings: Settings, *, clients: Clients | None = None, stop: asyncio.Event | None = None) -> None:
    """Run the scheduler until ``stop`` is set (or SIGTERM/SIGINT); running jobs get a grace period."""
    own = clients is None
    clients = clients or build_clients(settings)
    runner = JobRunner(clients)
    try:
        scheduler = build_scheduler(runner, settings)
        at_start = jobs_at_start(settings)
        stop = stop or asyncio.Event()
        _on_signals(stop)
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("job %s: %s; next run %s", job.id, job.trigger, job.next_run_time)
        log.info("scheduler started: %d jobs, Redis prefix %r", len(scheduler.get_jobs()), settings.redis_prefix)
        await _reap(clients)
        started = [asyncio.create_task(runner.at_start(name), name=name) for name in at_start]
        await stop.wait()
        log.info("scheduler stopping")
        scheduler.pause()
        running = runner.active | {t for t in started if not t.done()}
        if running:
            log.info("waiting up to %.0f s for %d running jobs", SHUTDOWN_GRACE_SECONDS, len(running))
            await asyncio.wait(running, timeout=SHUTDOWN_GRACE_SECONDS)
        scheduler.shutdown(wait=False)  # cancels what still runs: its JobRun is finished as "cancelled"
        await asyncio.sleep(0)
        if runner.active:
            await asyncio.wait(set(runner.active), timeout=5)
        log.info("scheduler stopped")
    finally:
        if own:
            await clients.redis.aclose()
            await clients.db.dispose()


def run_forever(settings: Settings) -> None:
    """Blocking entry point (``chronos scheduler``): serve until SIGTERM or Ctrl-C."""
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)  # we log the job table ourselves
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings))


def main() -> None:
    """``python -m scheduler``: settings from the environment, logging, then :func:`run_forever`."""
    run_forever(service_settings("scheduler"))
