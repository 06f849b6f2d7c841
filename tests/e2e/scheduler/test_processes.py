"""The real commands: two `chronos scheduler` processes sharing Redis and PostgreSQL, and the "run it now" commands."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from sandbox.zk import generate_records
from scheduler.jobs import JOBS
from shared.domain.enums import JobStatus
from shared.persistence import Database
from tests.conftest import TEST_REDIS_URL, _wipe
from tests.e2e.scheduler.conftest import USERS, StartEmulator, add_device, stored
from tests.factories import make_company
from tests.integration.scheduler.support import job_runs, outbox

pytestmark = pytest.mark.e2e
CHRONOS = str(Path(sys.executable).with_name("chronos"))


def _env(database_url: str, prefix: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": database_url, "REDIS_URL": TEST_REDIS_URL, "REDIS_PREFIX": prefix,
        "COMPANY_TIMEZONE": "Europe/Berlin", "COLUMNS": "200", "LOG_LEVEL": "INFO", **extra,
    }  # fmt: skip


def chronos(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHRONOS, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def log_text(log: IO[str]) -> str:
    log.seek(0)
    return log.read()


async def _until(condition: Callable[[], bool], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the schedulers"
        await asyncio.sleep(0.2)


def start_scheduler(env: dict[str, str], cwd: Path, log: IO[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([CHRONOS, "scheduler"], env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


async def test_two_scheduler_processes_run_each_scheduled_instant_once(
    pg: Database, pg_url: str, real_redis, redis_prefix: str, emulator: StartEmulator, tmp_path: Path
):
    device = emulator("tcp", records=generate_records(2000, USERS))
    await add_device(pg, device)
    fast = {"sync_devices": "1s", "checkout_reminders": "1s"}
    intervals = ",".join(f"{name}={fast.get(name, 'off')}" for name in JOBS)
    env = _env(pg_url, redis_prefix, SCHEDULER_INTERVALS=intervals)
    logs = [(tmp_path / f"s{i}.log").open("w+") for i in range(2)]
    processes = [start_scheduler(env, tmp_path, log) for log in logs]
    try:  # both started (a busy machine takes a few seconds to import), then at least 4 more instants
        await _until(lambda: all("scheduler started" in log_text(log) for log in logs), timeout=40)
        await _until(lambda: all(log_text(log).count("claimed by another") > 0 for log in logs), timeout=20)
        await asyncio.sleep(2.5)
    finally:
        codes = [stop(process) for process in processes]
    output = [log_text(log) for log in logs]
    assert codes == [0, 0], output
    runs = await job_runs(pg)
    per_slot = Counter((r.job, r.counts.get("slot")) for r in runs)
    assert max(per_slot.values()) == 1, per_slot
    for job in fast:
        assert sum(1 for name, _ in per_slot if name == job) >= 3, output
    # On a loaded machine a 1 s instant can come while the previous one still runs: that instant is recorded
    # as skipped because the job's lock is held, which is the rule; nothing else may fail or skip.
    unfinished = [r for r in runs if r.status is not JobStatus.SUCCESS]
    assert all(r.status is JobStatus.SKIPPED and (r.error or "").startswith("already running") for r in unfinished), [
        (r.job, r.status, r.error) for r in unfinished
    ]
    assert any(r.status is JobStatus.SUCCESS for r in runs if r.job == "sync_devices")
    by_process = [text.count("was claimed by another scheduler") for text in output]
    assert all(n > 0 for n in by_process), output  # both took part: each let the other run some instants
    assert sum(r.counts.get("new", 0) for r in runs if r.job == "sync_devices") == 2000
    assert len(await stored(pg)) == 2000


async def test_chronos_devices_sync_prints_a_summary_and_fails_for_a_dead_device(
    pg: Database, pg_url: str, redis_prefix: str, emulator: StartEmulator, tmp_path: Path
):
    db, db_url = pg, pg_url  # one backend is enough here: the job itself is tested on both
    device = emulator("tcp", records=generate_records(600, USERS))
    good = await add_device(db, device, name="Lobby")
    dead = await add_device(db, None, name="Basement")
    ok = chronos("devices", "sync", "--device", str(good), env=_env(db_url, redis_prefix), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "Lobby" in ok.stdout and "600" in ok.stdout and "Basement" not in ok.stdout
    failed = chronos("devices", "sync", "-d", str(dead), env=_env(db_url, redis_prefix), cwd=tmp_path)
    assert failed.returncode == 1
    assert "Basement" in failed.stdout and "DeviceUnreachable" in failed.stderr
    assert [r.trigger for r in await job_runs(db)] == ["cli", "cli"]


async def test_chronos_attendance_process_and_digest_send_run_the_jobs_now(
    sqlite_url: str, redis_prefix: str, tmp_path: Path
):
    db, db_url = Database.from_url(sqlite_url), sqlite_url
    await _wipe(db)
    await make_company(db)
    env = _env(db_url, redis_prefix)
    processed = chronos("attendance", "process", "--date", "2026-11-16", "--to", "2026-11-20", env=env, cwd=tmp_path)
    assert processed.returncode == 0, processed.stderr
    assert "rows_written" in processed.stdout and "20" in processed.stdout
    sent = chronos("digest", "send", "--date", "2026-11-19", env=env, cwd=tmp_path)
    assert sent.returncode == 0, sent.stderr
    assert "sent" in sent.stdout
    refs = [m.ref or "" for m in await outbox(db, 9001)]
    await db.dispose()
    assert len(refs) == 2 and refs[0].startswith("digest:2026-11-19:") and refs[1] == f"{refs[0]}:xlsx"
