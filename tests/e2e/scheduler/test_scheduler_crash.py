"""Real `chronos scheduler` processes killed with SIGKILL in the middle of a device sync, and the CLI's exit code
when some devices fail. Bounded: every wait has a deadline; PostgreSQL and Redis are the shared state."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.zk import generate_records
from sandbox.zk import protocol as p
from scheduler.jobs import JOBS
from shared.domain.enums import JobStatus
from shared.model import JobRun
from shared.persistence import Database
from tests.e2e.scheduler.conftest import USERS, StartEmulator, add_device, stored
from tests.e2e.scheduler.test_processes import _env, chronos, log_text, start_scheduler, stop
from tests.integration.scheduler.support import job_runs

# Killed schedulers against deadlines of a few seconds: run with the fault tests, alone (a loaded machine made the
# survivor's device reads time out for over a minute in a full parallel run).
pytestmark = [pytest.mark.e2e, pytest.mark.faults]
LOCK_TTL = 3


def _intervals(**fast: str) -> str:
    return ",".join(f"{name}={fast.get(name, 'off')}" for name in JOBS)


async def _until(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():  # type: ignore[misc]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


def _pid(run: JobRun) -> int:
    return int((run.owner or "::").split(":")[1])


async def test_a_scheduler_killed_mid_sync_is_taken_over_quickly_and_its_run_marked_failed(
    pg: Database, pg_url: str, real_redis, redis_prefix: str, emulator: StartEmulator, tmp_path: Path
):
    device = emulator("tcp", records=generate_records(3000, USERS))
    device.failures.reply_delay = 0.25  # a sync takes a few seconds: long enough to be killed in the middle
    device_id = await add_device(pg, device)
    env = _env(
        pg_url, redis_prefix, SCHEDULER_INTERVALS=_intervals(sync_devices="1s"),
        JOB_LOCK_TTL_SECONDS=str(LOCK_TTL), DEVICE_TIMEOUT_SECONDS="2",
    )  # fmt: skip
    logs = [(tmp_path / f"s{i}.log").open("w+") for i in range(2)]
    processes = {proc.pid: proc for proc in (start_scheduler(env, tmp_path, log) for log in logs)}
    victim = None
    try:

        async def running() -> JobRun | None:
            return next((r for r in await job_runs(pg, "sync_devices") if r.status is JobStatus.RUNNING), None)

        await _until(running, timeout=60, what="a sync to start")
        doomed = await running()
        assert doomed is not None and _pid(doomed) in processes
        await asyncio.sleep(1.0)  # well into the read
        victim = processes.pop(_pid(doomed))
        os.kill(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait(timeout=10)

        async def taken_over() -> bool:
            runs = await job_runs(pg, "sync_devices")
            return any(r.status is JobStatus.SUCCESS and r.id > doomed.id for r in runs)

        try:
            await _until(taken_over, timeout=60, what="the survivor to sync the device")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {[log_text(log) for log in logs]}") from None
        took = time.monotonic() - killed_at
    finally:
        codes = [stop(proc) for proc in processes.values()]
    output = [log_text(log) for log in logs]
    assert codes == [0], output
    runs = {r.id: r for r in await job_runs(pg, "sync_devices")}
    assert runs[doomed.id].status is JobStatus.FAILED and "abandoned" in (runs[doomed.id].error or ""), output
    # the lease of the dead holder expired within its TTL; the sync itself takes a few seconds more
    assert took < LOCK_TTL + 1 + 20, (took, output)
    assert all(r.status is not JobStatus.RUNNING for r in runs.values())
    punches = await stored(pg, device_id)
    assert len(punches) == 3000 == len({(x.device_user_id, x.instant) for x in punches})  # none lost, none doubled


async def test_schedulers_started_together_run_the_jobs_at_start_once(
    pg: Database, pg_url: str, redis_prefix: str, tmp_path: Path
):
    env = _env(pg_url, redis_prefix, SCHEDULER_INTERVALS=_intervals(), SCHEDULER_RUN_AT_START="expire_carry_over")
    logs = [(tmp_path / f"s{i}.log").open("w+") for i in range(3)]
    processes = [start_scheduler(env, tmp_path, log) for log in logs]
    try:

        async def all_started() -> bool:
            return all("scheduler started" in log_text(log) for log in logs)

        await _until(all_started, timeout=60, what="the schedulers to start")
        await asyncio.sleep(2)
    finally:
        codes = [stop(proc) for proc in processes]
    output = [log_text(log) for log in logs]
    assert codes == [0, 0, 0], output
    assert [r.trigger for r in await job_runs(pg, "expire_carry_over")] == ["start"], output
    assert sum("already run at start by another scheduler" in text for text in output) == 2, output


async def test_chronos_devices_sync_exits_non_zero_when_some_devices_failed(
    pg: Database, pg_url: str, redis_prefix: str, emulator: StartEmulator, tmp_path: Path
):
    good = emulator("tcp", records=generate_records(200, USERS))
    await add_device(pg, good, name="Lobby")
    corrupt = emulator("tcp", records=generate_records(200, USERS))
    corrupt.failures.corrupt_reply_to, corrupt.failures.corrupt_replies = p.CMD_GET_TIME, 10**6
    await add_device(pg, corrupt, name="Garage")
    done = chronos("devices", "sync", env=_env(pg_url, redis_prefix), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "partial" in done.stdout and "Lobby" in done.stdout and "Garage" in done.stdout
    assert "1 of 2 devices failed" in done.stderr
    [run] = await job_runs(pg, "sync_devices")
    assert run.status is JobStatus.PARTIAL and run.counts["new"] == 200
