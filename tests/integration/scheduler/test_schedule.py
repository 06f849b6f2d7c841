"""Schedules from the settings, APScheduler's job options, and two schedulers sharing one Redis."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from redis.asyncio import Redis

from scheduler.jobs import JOBS
from scheduler.main import build_scheduler, serve
from scheduler.runner import Clients, JobRunner
from scheduler.schedule import jobs_at_start, triggers
from shared.config import ConfigError
from shared.domain.enums import JobStatus
from shared.persistence import Database
from tests.conftest import TEST_REDIS_URL
from tests.integration.scheduler.support import BERLIN, job_runs, make_settings

ONLY_FAST_JOBS = "sync_devices=1s,checkout_reminders=1s," + ",".join(
    f"{name}=off" for name in JOBS if name not in ("sync_devices", "checkout_reminders")
)


def test_every_job_has_a_schedule_from_the_settings():
    settings = make_settings("sqlite+aiosqlite:///x.db", "p", device_sync_minutes=7, digest_time="07:45")
    found = triggers(settings)
    assert set(found) == set(JOBS)
    sync = found["sync_devices"]
    assert isinstance(sync, IntervalTrigger) and sync.interval == timedelta(minutes=7)
    digest = found["hr_digest"]
    assert isinstance(digest, CronTrigger) and str(digest.timezone) == "Europe/Berlin"
    after = datetime(2026, 11, 20, 7, 50, tzinfo=BERLIN)
    assert digest.get_next_fire_time(None, after) == datetime(2026, 11, 21, 7, 45, tzinfo=BERLIN)
    accrual = found["accrual"].get_next_fire_time(None, after)
    assert accrual == datetime(2026, 12, 1, 0, 15, tzinfo=BERLIN)
    assert found["carry_over"].get_next_fire_time(None, after) == datetime(2027, 1, 1, 0, 15, tzinfo=BERLIN)


def test_interval_jobs_fire_at_the_same_instants_whenever_the_process_started():
    settings = make_settings("sqlite+aiosqlite:///x.db", "p")
    one = triggers(settings)["sync_devices"].get_next_fire_time(None, datetime(2026, 11, 20, 8, 1, 13, tzinfo=UTC))
    two = triggers(settings)["sync_devices"].get_next_fire_time(None, datetime(2026, 11, 20, 8, 3, 59, tzinfo=UTC))
    assert one == two == datetime(2026, 11, 20, 8, 5, tzinfo=UTC)


def test_scheduler_intervals_replace_a_schedule_or_turn_a_job_off():
    settings = make_settings("sqlite+aiosqlite:///x.db", "p", scheduler_intervals="hr_digest=30s, accrual=off")
    found = triggers(settings)
    assert "accrual" not in found
    assert isinstance(found["hr_digest"], IntervalTrigger) and found["hr_digest"].interval == timedelta(seconds=30)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scheduler_intervals": "sync=10s"}, "unknown job 'sync'"),
        ({"scheduler_run_at_start": "hr_digest,nope"}, "unknown jobs ['nope']"),
        ({"device_sync_minutes": 0}, "DEVICE_SYNC_MINUTES=0"),
    ],
)
def test_a_schedule_setting_the_scheduler_cannot_use_is_refused_with_its_name(overrides, message):
    settings = make_settings("sqlite+aiosqlite:///x.db", "p", **overrides)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        triggers(settings)
        jobs_at_start(settings)


def test_a_malformed_interval_is_refused_when_the_settings_load():
    with pytest.raises(ConfigError, match="SCHEDULER_INTERVALS item 'sync_devices=fast'"):
        make_settings("sqlite+aiosqlite:///x.db", "p", scheduler_intervals="sync_devices=fast")


async def test_jobs_coalesce_never_overlap_and_have_a_misfire_grace(clients: Clients):
    scheduler = build_scheduler(JobRunner(clients), clients.settings)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == set(JOBS)
        for job in jobs.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 300)
    finally:
        scheduler.shutdown(wait=False)


async def test_two_schedulers_on_two_redis_clients_run_each_scheduled_instant_once(
    db: Database, db_url: str, real_redis, redis_prefix: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="shared.services.jobs")
    settings = make_settings(db_url, redis_prefix, scheduler_intervals=ONLY_FAST_JOBS)
    other_db, other_redis = Database.from_url(db_url), Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    stop = asyncio.Event()
    try:
        both = [
            asyncio.create_task(serve(settings, clients=Clients(db, real_redis, settings), stop=stop)),
            asyncio.create_task(serve(settings, clients=Clients(other_db, other_redis, settings), stop=stop)),
        ]
        await asyncio.sleep(2.4)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*both), timeout=10)
    finally:
        await other_redis.aclose()
        await other_db.dispose()
    runs = await job_runs(db)
    per_slot = Counter((r.job, r.counts["slot"]) for r in runs)
    assert per_slot and max(per_slot.values()) == 1
    for job in ("sync_devices", "checkout_reminders"):
        slots = sorted(slot for name, slot in per_slot if name == job)
        assert len(slots) >= 2, runs
        gaps = {datetime.fromisoformat(b) - datetime.fromisoformat(a) for a, b in itertools.pairwise(slots)}
        assert gaps == {timedelta(seconds=1)}  # no instant was lost either
    assert {(r.status, r.trigger) for r in runs} == {(JobStatus.SUCCESS, "schedule")}
    declined = [r for r in caplog.records if "claimed by another scheduler" in r.getMessage()]
    assert len(declined) >= len(runs) - 2  # the other scheduler saw (almost) every instant and let it go


async def test_jobs_listed_to_run_at_start_run_once_when_the_scheduler_starts(
    db: Database, db_url: str, real_redis, redis_prefix: str
):
    off = ",".join(f"{name}=off" for name in JOBS)
    settings = make_settings(db_url, redis_prefix, scheduler_intervals=off, scheduler_run_at_start="expire_carry_over")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, clients=Clients(db, real_redis, settings), stop=stop))
    for _ in range(50):
        if [r for r in await job_runs(db) if r.status is not JobStatus.RUNNING]:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    [run] = await job_runs(db)
    assert (run.job, run.trigger, run.status) == ("expire_carry_over", "start", JobStatus.SUCCESS)


def test_the_run_it_now_commands_refuse_a_date_they_cannot_read():
    from typer.testing import CliRunner

    from chronos_cli.main import app

    result = CliRunner().invoke(app, ["attendance", "process", "--date", "16.11.2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    result = CliRunner().invoke(app, ["attendance", "process", "--date", "2026-11-16", "--to", "2026-11-01"])
    assert result.exit_code == 2 and "--to is before --date" in result.output
