"""Recorded runs: JobRun rows, named steps and their counts, the Redis lock, the scheduled-instant claim."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from shared.domain.enums import JobStatus
from shared.persistence import Database
from shared.services.jobs import (
    JobContext,
    JobFailed,
    JobSkipped,
    RedisLock,
    lock_key,
    run_recorded,
    start_recorded,
    wait_background,
)
from tests.integration.scheduler.support import job_runs

SLOT = datetime(2026, 11, 20, 8, 5, tzinfo=UTC)


async def test_a_run_is_recorded_with_what_its_steps_counted(db: Database, real_redis, redis_prefix):
    async def body(ctx: JobContext) -> None:
        async with ctx.step("first") as step:
            step.count(rows=2)
        async with ctx.step("second") as step:
            step.count(rows=3, files=1)

    run = await run_recorded(db, real_redis, "demo", body, trigger="cli", prefix=redis_prefix)
    [stored] = await job_runs(db, "demo")
    assert run is not None and stored.id == run.id
    assert (stored.status, stored.trigger, stored.counts, stored.error) == (
        JobStatus.SUCCESS, "cli", {"rows": 5, "files": 1}, None,
    )  # fmt: skip
    assert stored.finished_at is not None and stored.finished_at >= stored.started_at
    assert await real_redis.get(lock_key(redis_prefix, "demo")) is None


async def test_a_skipped_step_lets_the_next_step_run_and_a_stopped_step_ends_the_job(
    db: Database, real_redis, redis_prefix
):
    reached: list[str] = []

    async def body(ctx: JobContext) -> None:
        async with ctx.step("optional") as step:
            step.skip("nothing to do")
        async with ctx.step("needed") as step:
            reached.append("needed")
            step.stop("no devices")
        reached.append("after the stop")

    run = await run_recorded(db, real_redis, "demo", body, trigger="cli", prefix=redis_prefix)
    assert run is not None and run.status is JobStatus.SUCCESS
    assert reached == ["needed"]
    assert run.counts == {"skipped": {"optional": "nothing to do", "needed": "no devices"}, "stopped": "no devices"}


async def test_a_failing_job_is_recorded_with_its_error_and_the_counts_so_far(db: Database, real_redis, redis_prefix):
    async def body(ctx: JobContext) -> None:
        async with ctx.step("counts") as step:
            step.count(done=4)
        async with ctx.step("breaks"):
            raise RuntimeError("disk full")

    run = await run_recorded(db, real_redis, "demo", body, trigger="schedule", prefix=redis_prefix)
    [stored] = await job_runs(db)
    assert run is not None and stored.status is JobStatus.FAILED
    assert stored.error == "RuntimeError: disk full" and stored.counts == {"done": 4}
    assert await real_redis.get(lock_key(redis_prefix, "demo")) is None


async def test_job_failed_and_job_skipped_end_the_run_with_their_message(db: Database, real_redis, redis_prefix):
    async def failed(ctx: JobContext) -> None:
        raise JobFailed("every device failed")

    async def skipped(ctx: JobContext) -> None:
        raise JobSkipped("every device is busy")

    first = await run_recorded(db, real_redis, "a", failed, trigger="cli", prefix=redis_prefix)
    second = await run_recorded(db, real_redis, "b", skipped, trigger="cli", prefix=redis_prefix)
    assert first is not None and (first.status, first.error) == (JobStatus.FAILED, "every device failed")
    assert second is not None and (second.status, second.error) == (JobStatus.SKIPPED, "every device is busy")


async def test_a_run_that_finds_the_lock_taken_does_nothing_and_is_recorded_as_skipped(
    db: Database, real_redis, redis_prefix
):
    held = RedisLock(real_redis, lock_key(redis_prefix, "demo"), owner="other-host:1")
    assert await held.acquire()
    ran: list[int] = []

    async def body(ctx: JobContext) -> None:
        ran.append(1)

    run = await run_recorded(db, real_redis, "demo", body, trigger="cli", prefix=redis_prefix)
    assert run is not None and run.status is JobStatus.SKIPPED and not ran
    assert "other-host:1" in (run.error or "")
    assert await held.holder() == "other-host:1"  # the skipped run did not release someone else's lock


async def test_a_scheduled_instant_runs_once_even_after_the_first_run_is_over(db: Database, real_redis, redis_prefix):
    ran: list[datetime | None] = []

    async def body(ctx: JobContext) -> None:
        ran.append(ctx.slot)

    first = await run_recorded(db, real_redis, "tick", body, trigger="schedule", prefix=redis_prefix, slot=SLOT)
    again = await run_recorded(db, real_redis, "tick", body, trigger="schedule", prefix=redis_prefix, slot=SLOT)
    later = SLOT.replace(minute=10)
    next_one = await run_recorded(db, real_redis, "tick", body, trigger="schedule", prefix=redis_prefix, slot=later)
    assert first is not None and again is None and next_one is not None
    assert ran == [SLOT, later]
    assert [r.counts["slot"] for r in await job_runs(db, "tick")] == [SLOT.isoformat(), later.isoformat()]


async def test_the_lock_is_renewed_while_a_long_job_runs(db: Database, real_redis, redis_prefix):
    async def slow(ctx: JobContext) -> None:
        await asyncio.sleep(1.6)

    async def quick(ctx: JobContext) -> None:
        return None

    task = asyncio.create_task(
        run_recorded(db, real_redis, "slow", slow, trigger="cli", prefix=redis_prefix, lock_ttl=1)
    )
    await asyncio.sleep(1.3)  # past the 1 s TTL: only the renewal keeps the lock
    meanwhile = await run_recorded(db, real_redis, "slow", quick, trigger="cli", prefix=redis_prefix)
    finished = await task
    assert meanwhile is not None and meanwhile.status is JobStatus.SKIPPED
    assert finished is not None and finished.status is JobStatus.SUCCESS
    assert await real_redis.get(lock_key(redis_prefix, "slow")) is None


async def test_start_recorded_commits_the_running_run_and_finishes_it_in_the_background(
    db: Database, real_redis, redis_prefix
):
    release = asyncio.Event()

    async def body(ctx: JobContext) -> None:
        await release.wait()
        ctx.counts["done"] = True

    run, task = await start_recorded(db, real_redis, "bg", body, trigger="api", prefix=redis_prefix)
    assert task is not None
    [row] = await job_runs(db, "bg")
    assert (row.id, row.status, row.trigger) == (run.id, JobStatus.RUNNING, "api")
    busy, no_task = await start_recorded(db, real_redis, "bg", body, trigger="api", prefix=redis_prefix)
    assert busy.status is JobStatus.SKIPPED and no_task is None
    release.set()
    await wait_background(timeout=5)
    rows = await job_runs(db, "bg")
    assert [(r.status, r.counts) for r in rows] == [(JobStatus.SUCCESS, {"done": True}), (JobStatus.SKIPPED, {})]


async def test_a_cancelled_run_is_finished_as_failed_and_unlocks(db: Database, real_redis, redis_prefix):
    started = asyncio.Event()

    async def body(ctx: JobContext) -> None:
        started.set()
        await asyncio.sleep(30)

    task = asyncio.create_task(run_recorded(db, real_redis, "long", body, trigger="schedule", prefix=redis_prefix))
    await started.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    [row] = await job_runs(db, "long")
    assert row.status is JobStatus.FAILED and "cancelled" in (row.error or "")
    assert await real_redis.get(lock_key(redis_prefix, "long")) is None
