"""A crashed holder frees its lock within one short TTL; its RUNNING run is marked failed by whoever takes over."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from scheduler.runner import Clients, JobRunner
from shared.domain.enums import JobStatus
from shared.model import JobRun
from shared.persistence import Database
from shared.services.jobs import (
    JobContext,
    JobPartlyFailed,
    RedisLock,
    lock_key,
    reap_abandoned_runs,
    run_recorded,
)
from tests.integration.scheduler.support import Clock, job_runs, make_settings


async def _crashed_run(db: Database, redis, prefix: str, job: str = "demo", *, ttl: float = 1.0) -> JobRun:
    """What a SIGKILL leaves: a RUNNING row and a lock nobody renews (it expires after ``ttl``)."""
    dead = RedisLock(redis, lock_key(prefix, job), ttl=ttl, owner="dead-host:4242:cafe")
    assert await dead.acquire()
    async with db.transaction() as s:
        row = JobRun(
            job=job, trigger="schedule", status=JobStatus.RUNNING, counts={}, lock_key=dead.key, owner=dead.owner
        )
        s.add(row)
        await s.flush()
        return row


async def test_a_lock_whose_holder_stopped_renewing_is_free_within_its_ttl(real_redis, redis_prefix):
    key = f"{redis_prefix}:some-lock"
    assert await RedisLock(real_redis, key, ttl=1.0, owner="dead").acquire()  # never renewed, never released
    taker = RedisLock(real_redis, key, ttl=1.0)
    assert not await taker.acquire()
    started = time.monotonic()
    for _ in range(30):
        if await taker.acquire():
            break
        await asyncio.sleep(0.05)
    assert await taker.holder() == taker.owner and time.monotonic() - started < 1.5


async def test_a_renewed_lock_outlives_its_ttl_and_a_lost_one_is_noticed(real_redis, redis_prefix):
    lock = RedisLock(real_redis, f"{redis_prefix}:held", ttl=1.0)
    assert await lock.acquire()
    async with lock.kept_alive():
        await asyncio.sleep(1.5)
        assert await lock.holder() == lock.owner and not lock.lost
        await real_redis.set(lock.key, "someone-else")  # expired and taken over while we were stalled
        await asyncio.sleep(0.5)
        assert lock.lost


async def test_the_next_run_takes_over_and_marks_the_crashed_run_failed(db: Database, real_redis, redis_prefix):
    crashed = await _crashed_run(db, real_redis, redis_prefix)
    ran: list[int] = []

    async def body(ctx: JobContext) -> None:
        ran.append(ctx.run_id)

    busy = await run_recorded(db, real_redis, "demo", body, trigger="cli", prefix=redis_prefix)
    assert busy is not None and busy.status is JobStatus.SKIPPED and not ran  # the lock is still held
    await asyncio.sleep(1.1)
    taken = await run_recorded(db, real_redis, "demo", body, trigger="schedule", prefix=redis_prefix)
    assert taken is not None and taken.status is JobStatus.SUCCESS and ran == [taken.id]
    runs = {r.id: r for r in await job_runs(db, "demo")}
    assert runs[crashed.id].status is JobStatus.FAILED and "abandoned" in (runs[crashed.id].error or "")
    assert runs[crashed.id].finished_at is not None
    assert runs[taken.id].lock_key == lock_key(redis_prefix, "demo") and runs[taken.id].owner


async def test_reaping_leaves_runs_whose_holder_is_alive_alone(db: Database, real_redis, redis_prefix):
    alive = await _crashed_run(db, real_redis, redis_prefix, "alive", ttl=60)
    dead = await _crashed_run(db, real_redis, redis_prefix, "dead", ttl=60)
    await real_redis.delete(dead.lock_key)
    assert await reap_abandoned_runs(db, real_redis) == 1
    runs = {r.id: r.status for r in await job_runs(db)}
    assert runs == {alive.id: JobStatus.RUNNING, dead.id: JobStatus.FAILED}
    assert await reap_abandoned_runs(db, real_redis) == 0


async def test_a_job_that_partly_failed_is_recorded_as_partial(db: Database, real_redis, redis_prefix):
    async def body(ctx: JobContext) -> None:
        async with ctx.step("devices") as step:
            step.count(ok=2, errors=1)
        raise JobPartlyFailed("1 of 3 devices failed: Gate: DeviceUnreachable")

    run = await run_recorded(db, real_redis, "demo", body, trigger="cli", prefix=redis_prefix)
    assert run is not None and run.status is JobStatus.PARTIAL
    assert run.error == "1 of 3 devices failed: Gate: DeviceUnreachable" and run.counts == {"ok": 2, "errors": 1}


async def test_jobs_run_at_start_run_once_for_all_the_schedulers_that_start_together(
    db: Database, real_redis, db_url: str, redis_prefix: str, clock: Clock
):
    settings = make_settings(db_url, redis_prefix)
    replicas = [JobRunner(Clients(db=db, redis=real_redis, settings=settings, clock=clock)) for _ in range(3)]
    await asyncio.gather(*(r.at_start("expire_carry_over") for r in replicas))
    async with db.session() as s:
        triggers = list(await s.scalars(select(JobRun.trigger).where(JobRun.job == "expire_carry_over")))
    assert triggers == ["start"]


async def test_any_job_that_starts_marks_failed_the_runs_crashed_processes_left_behind(
    db: Database, real_redis, redis_prefix
):
    crashed = await _crashed_run(db, real_redis, redis_prefix, "sync_devices:7", ttl=60)  # an API sync of device 7
    await real_redis.delete(crashed.lock_key)  # its process died and the lease expired

    async def body(ctx: JobContext) -> None:
        return None

    await run_recorded(db, real_redis, "checkout_reminders", body, trigger="schedule", prefix=redis_prefix)
    runs = {r.id: r for r in await job_runs(db)}
    assert runs[crashed.id].status is JobStatus.FAILED and "abandoned" in (runs[crashed.id].error or "")
