"""Running a job once, recorded: a fire-slot claim and a lock in Redis, a JobRun row, named steps.

Every scheduled job, the CLI's "run it now" commands and the API's device sync go through
:func:`run_recorded` (or :func:`start_recorded`, which returns while the job runs in the background):

1. **Slot claim** (scheduled runs only): ``SET {prefix}:job:slot:{job}:{scheduled time} NX``. Two scheduler
   replicas fire the same schedule at the same instants; the first to claim the instant runs it, the other
   logs and returns ``None`` without writing a JobRun. The claim outlives the run, so a fast job that has
   already finished is not run a second time by a replica whose timer fired a little later.
2. **Lock** ``{prefix}:job:lock:{lock name}`` (the job name by default): a short lease (JOB_LOCK_TTL_SECONDS)
   renewed while the job runs and released with a compare-and-delete (:mod:`shared.services.locks`). A run that
   finds it taken (a manual run while the scheduled one is still going) is recorded as SKIPPED and does not run.
   A killed holder stops renewing, so its lock frees itself within one TTL.
3. **JobRun**: a RUNNING row naming its lock and owner is committed first (so the API can show it), then
   finished with SUCCESS, PARTIAL, SKIPPED or FAILED, the counts and the error. A job never raises out of here:
   its exception is logged and stored. Every run, before it starts, marks FAILED the RUNNING rows that dead
   processes left behind (:func:`reap_abandoned_runs`; the scheduler also does it when it starts).

A job body is ``async def body(ctx: JobContext) -> None`` written as named steps (NetBox style)::

    async with ctx.step("load devices") as step:
        devices = ...
        step.count(devices=len(devices))
        if not devices:
            step.stop("no active devices")  # skip this step and end the run (SUCCESS)

Each step logs its start, why it skipped, and what it counted; the counts go into ``JobRun.counts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn, Protocol

from redis.asyncio import Redis
from sqlalchemy import select, update

from shared.domain.enums import JobStatus
from shared.model import JobRun, utcnow
from shared.persistence import Database
from shared.services.audit import jsonable
from shared.services.locks import DEFAULT_LOCK_TTL, RedisLock, claim_once, owner_id

log = logging.getLogger(__name__)

SLOT_TTL_SECONDS = 2 * 24 * 3600
__all__ = [
    "DEFAULT_LOCK_TTL", "JobContext", "JobFailed", "JobPartlyFailed", "JobSkipped", "RedisLock", "claim_slot",
    "lock_key", "owner_id", "reap_abandoned_runs", "run_recorded", "start_recorded", "wait_background",
]  # fmt: skip

JobBody = Callable[["JobContext"], Awaitable[None]]
Clock = Callable[[], datetime]


class JobSkipped(Exception):
    """Raised by a job body: the run ends as SKIPPED with this reason (nothing was done)."""


class JobFailed(Exception):
    """Raised by a job body for an expected failure: the run ends as FAILED with this message, no traceback."""


class JobPartlyFailed(Exception):
    """Raised by a job body at its end when some parts failed and the others were done: the run ends as
    PARTIAL with this message (the CLI exits non-zero)."""


class _SkipStep(BaseException):
    """BaseException, so that a job's own ``except Exception`` cannot swallow a skip."""

    def __init__(self, reason: str, *, stop: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stop = stop


class _StopJob(BaseException):
    """Ends the job body early after a step called ``stop``; the run is a SUCCESS."""


class Progress(Protocol):
    """Where a job reports progress (the CLI draws a bar; the scheduler passes nothing)."""

    def start(self, total: int | None, description: str) -> None: ...

    def advance(self, amount: int = 1, description: str | None = None) -> None: ...


class _NoProgress:
    def start(self, total: int | None, description: str) -> None:
        return None

    def advance(self, amount: int = 1, description: str | None = None) -> None:
        return None


@dataclass
class Step:
    """One named step of a job; what it counts is added to the run's counts."""

    name: str
    context: JobContext
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, **values: int) -> None:
        for key, value in values.items():
            self.counts[key] = self.counts.get(key, 0) + value
            self.context.counts[key] = self.context.counts.get(key, 0) + value

    def skip(self, reason: str) -> NoReturn:
        """Leave this step here; the next steps still run."""
        raise _SkipStep(reason, stop=False)

    def stop(self, reason: str) -> NoReturn:
        """Leave this step and end the job (a SUCCESS: there is nothing more to do)."""
        raise _SkipStep(reason, stop=True)


@dataclass
class JobContext:
    """What a job body gets: its run's identity, the counts it reports, steps and progress."""

    job: str
    trigger: str
    run_id: int
    started_at: datetime
    slot: datetime | None = None
    progress: Progress = field(default_factory=_NoProgress)
    counts: dict[str, Any] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def step(self, name: str) -> AsyncIterator[Step]:
        step = Step(name, self)
        started = time.perf_counter()
        log.info("%s #%d: step %r started", self.job, self.run_id, name)
        try:
            yield step
        except _SkipStep as skipped:
            self.counts.setdefault("skipped", {})[name] = skipped.reason
            log.info("%s #%d: step %r skipped: %s", self.job, self.run_id, name, skipped.reason)
            if skipped.stop:
                raise _StopJob(skipped.reason) from None
            return
        except Exception:
            log.warning("%s #%d: step %r failed after %.2f s", self.job, self.run_id, name, _since(started))
            raise
        log.info(
            "%s #%d: step %r done in %.2f s%s",
            self.job, self.run_id, name, _since(started), f": {_fmt(step.counts)}" if step.counts else "",
        )  # fmt: skip


def _since(started: float) -> float:
    return time.perf_counter() - started


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in counts.items())


def lock_key(prefix: str, name: str) -> str:
    return f"{prefix}:job:lock:{name}"


async def claim_slot(redis: Redis, *, prefix: str, job: str, slot: datetime, owner: str) -> bool:
    """True for the first caller that claims the scheduled instant ``slot`` of ``job``."""
    key = f"{prefix}:job:slot:{job}:{slot.isoformat()}"
    return await claim_once(redis, key, owner=owner, ttl_seconds=SLOT_TTL_SECONDS)


ABANDONED = "abandoned: the process running it stopped (its lock {key} expired or was taken over)"


async def reap_abandoned_runs(db: Database, redis: Redis, *, clock: Clock = utcnow, key: str | None = None) -> int:
    """Mark FAILED the RUNNING runs whose lock is no longer held by their owner (their process died).

    A RUNNING row is written only while its lock is held and finished before the lock is released, so a RUNNING
    row whose lock is free or held by someone else belongs to a process that stopped without finishing it.
    ``key`` limits the check to one lock (the one the caller just acquired). Rows written before runs recorded
    their lock are left alone. Returns how many rows were marked.
    """
    async with db.session() as session:
        query = select(JobRun.id, JobRun.lock_key, JobRun.owner).where(
            JobRun.status == JobStatus.RUNNING, JobRun.lock_key.is_not(None)
        )
        if key is not None:
            query = query.where(JobRun.lock_key == key)
        running = (await session.execute(query)).all()
    dead = [(run_id, lock) for run_id, lock, owner in running if lock and await redis.get(lock) != owner]
    for run_id, lock in dead:
        async with db.transaction() as session:
            await session.execute(
                update(JobRun)
                .where(JobRun.id == run_id, JobRun.status == JobStatus.RUNNING)
                .values(status=JobStatus.FAILED, error=ABANDONED.format(key=lock), finished_at=clock())
            )
        log.warning("job run #%d was left running by a process that stopped; marked failed", run_id)
    return len(dead)


async def _reap_quietly(db: Database, redis: Redis, clock: Clock) -> None:
    """Before a run starts: the runs crashed processes left RUNNING (any job) are marked failed. Housekeeping:
    a failure here is logged and the run goes on."""
    try:
        await reap_abandoned_runs(db, redis, clock=clock)
    except Exception:
        log.warning("could not check for runs left running by stopped processes", exc_info=True)


@dataclass
class _Begun:
    run: JobRun
    lock: RedisLock
    context: JobContext


async def _insert_run(
    db: Database, *, job: str, trigger: str, status: JobStatus, now: datetime, counts: dict[str, Any],
    error: str | None, lock: RedisLock | None = None,
) -> JobRun:  # fmt: skip
    async with db.transaction() as session:
        run = JobRun(job=job, trigger=trigger, status=status, started_at=now, counts=counts, error=error)
        if lock is not None:
            run.lock_key, run.owner = lock.key, lock.owner
        if status is not JobStatus.RUNNING:
            run.finished_at = now
        session.add(run)
        await session.flush()
        return run


async def _begin(
    db: Database,
    redis: Redis,
    job: str,
    *,
    trigger: str,
    prefix: str,
    slot: datetime | None,
    lock_name: str | None,
    lock_ttl: float,
    progress: Progress | None,
    clock: Clock,
) -> _Begun | JobRun | None:
    owner = owner_id()
    base: dict[str, Any] = {"slot": slot.isoformat()} if slot else {}
    if slot is not None and not await claim_slot(redis, prefix=prefix, job=job, slot=slot, owner=owner):
        log.info("%s: the run scheduled for %s was claimed by another scheduler; not running it", job, slot)
        return None
    lock = RedisLock(redis, lock_key(prefix, lock_name or job), ttl=lock_ttl, owner=owner)
    if not await lock.acquire():
        holder = await lock.holder()
        reason = f"already running (lock {lock.key} held by {holder})"
        log.info("%s: skipped, %s", job, reason)
        return await _insert_run(
            db, job=job, trigger=trigger, status=JobStatus.SKIPPED, now=clock(), counts=base, error=reason
        )
    try:
        await _reap_quietly(db, redis, clock)
        run = await _insert_run(
            db, job=job, trigger=trigger, status=JobStatus.RUNNING, now=clock(), counts=base, error=None, lock=lock
        )
    except BaseException:
        await lock.release()
        raise
    context = JobContext(job, trigger, run.id, run.started_at, slot, progress or _NoProgress(), dict(base))
    return _Begun(run, lock, context)


async def _execute(db: Database, begun: _Begun, body: JobBody, clock: Clock) -> JobRun:
    run, context = begun.run, begun.context
    status, error = JobStatus.SUCCESS, None
    log.info("%s #%d started (%s)", run.job, run.id, run.trigger)
    try:
        async with begun.lock.kept_alive():
            try:
                await body(context)
            except _StopJob as stopped:
                context.counts["stopped"] = str(stopped)
    except JobSkipped as exc:
        status, error = JobStatus.SKIPPED, str(exc)
    except JobFailed as exc:
        status, error = JobStatus.FAILED, str(exc)
    except JobPartlyFailed as exc:
        status, error = JobStatus.PARTIAL, str(exc)
    except asyncio.CancelledError:
        await _finish(db, run, JobStatus.FAILED, context.counts, "cancelled (the service stopped)", clock)
        await begun.lock.release()
        raise
    except Exception as exc:
        log.exception("%s #%d failed", run.job, run.id)
        status, error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
    if begun.lock.lost:
        context.counts["lock_lost"] = True
    try:
        await _finish(db, run, status, context.counts, error, clock)
    finally:
        await begun.lock.release()
    log.info(
        "%s #%d finished: %s in %.2f s%s",
        run.job, run.id, status.value, (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0,
        f" ({error})" if error else "",
    )  # fmt: skip
    return run


async def _finish(
    db: Database, run: JobRun, status: JobStatus, counts: dict[str, Any], error: str | None, clock: Clock
) -> None:
    run.status, run.counts, run.error, run.finished_at = status, jsonable(counts), error, clock()
    async with db.transaction() as session:
        await session.execute(
            update(JobRun)
            .where(JobRun.id == run.id)
            .values(status=status, counts=run.counts, error=error, finished_at=run.finished_at)
        )


async def run_recorded(
    db: Database,
    redis: Redis,
    job: str,
    body: JobBody,
    *,
    trigger: str,
    prefix: str,
    slot: datetime | None = None,
    lock_name: str | None = None,
    lock_ttl: float = DEFAULT_LOCK_TTL,
    progress: Progress | None = None,
    clock: Clock = utcnow,
) -> JobRun | None:
    """Run ``body`` once under the job's lock and record it; returns the finished JobRun.

    ``trigger`` says who asked ("schedule", "cli", "api", "start"). ``slot`` is the scheduled fire time
    (scheduled runs): ``None`` is returned when another scheduler already claimed it. A busy lock gives a
    SKIPPED run; the body's exception gives a FAILED run (nothing is raised, except cancellation).
    """
    begun = await _begin(
        db, redis, job, trigger=trigger, prefix=prefix, slot=slot, lock_name=lock_name, lock_ttl=lock_ttl,
        progress=progress, clock=clock,
    )  # fmt: skip
    if not isinstance(begun, _Begun):
        return begun
    return await _execute(db, begun, body, clock)


_BACKGROUND: set[asyncio.Task[JobRun]] = set()


async def start_recorded(
    db: Database,
    redis: Redis,
    job: str,
    body: JobBody,
    *,
    trigger: str,
    prefix: str,
    lock_name: str | None = None,
    lock_ttl: float = DEFAULT_LOCK_TTL,
    clock: Clock = utcnow,
) -> tuple[JobRun, asyncio.Task[JobRun] | None]:
    """Take the lock and commit the RUNNING JobRun now; run ``body`` in a background task.

    Returns (the RUNNING run, its task) — or (a SKIPPED run, ``None``) when the lock is taken. For request
    handlers: answer 202 with the run id at once; the run's row tells how it ended.
    """
    begun = await _begin(
        db, redis, job, trigger=trigger, prefix=prefix, slot=None, lock_name=lock_name, lock_ttl=lock_ttl,
        progress=None, clock=clock,
    )  # fmt: skip
    if not isinstance(begun, _Begun):
        assert begun is not None  # no slot given, so the claim cannot fail
        return begun, None
    task = asyncio.create_task(_execute(db, begun, body, clock), name=f"{job} #{begun.run.id}")
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)
    return begun.run, task


async def wait_background(timeout: float | None = None) -> None:
    """Wait for the background runs of this process (on shutdown, and in tests)."""
    if _BACKGROUND:
        await asyncio.wait(set(_BACKGROUND), timeout=timeout)
