"""Device faults through the whole sync (emulator, pyzk, database, Redis): nothing doubtful is stored, no punch is
lost or doubled, the device says what went wrong and HR hears of it once."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from sandbox.zk import EmulatedRecord, generate_records
from sandbox.zk import protocol as p
from scheduler.runner import Clients, JobRunner
from shared.domain.enums import DeviceStatus, JobStatus
from shared.model import Device, Employee, Punch
from shared.persistence import Database
from shared.services.devices.sync import DEADLINE_GRACE, DeviceIO
from shared.zk import read_device, to_utc
from tests.e2e.scheduler.conftest import USERS, StartEmulator, add_device, add_people, device_row, stored
from tests.factories import make_company
from tests.integration.scheduler.support import BERLIN, Clock, make_settings, outbox

pytestmark = pytest.mark.e2e
HR_CHAT = 9001


def _counts(run, device_id: int) -> dict:
    assert run is not None, "the run was not recorded"
    return run.counts["devices"][str(device_id)]


def _exactly_the_device_log(punches: list[Punch], device) -> bool:
    """Every record of the device stored once, nothing else."""
    expected = sorted((r.user_id, to_utc(r.timestamp, "Europe/Berlin")) for r in device.records)
    return sorted((x.device_user_id, x.instant) for x in punches) == expected


async def test_a_device_clock_set_to_2099_syncs_records_its_drift_and_hr_is_told_once(
    db: Database, clients: Clients, emulator: StartEmulator, db_url: str, redis_prefix: str, clock: Clock
):
    await make_company(db)
    clients.settings = make_settings(db_url, redis_prefix, device_clock_alert_seconds=300)
    runner = JobRunner(clients)
    berlin_now = clock.now.astimezone(BERLIN).replace(tzinfo=None)
    device = emulator("tcp", records=generate_records(40, USERS), clock_offset=datetime(2099, 6, 1, 9) - berlin_now)
    device_id = await add_device(db, device, name="Gate 2099")

    first = await runner.run("sync_devices", trigger="schedule")
    assert first is not None and first.status is JobStatus.SUCCESS, first.error
    assert _counts(first, device_id)["clock_alert"] is True and _counts(first, device_id)["new"] == 40
    row = await device_row(db, device_id)
    assert row.status is DeviceStatus.ONLINE and row.last_error is None
    assert row.clock_drift_seconds is not None and row.clock_drift_seconds > 2**31  # no 32-bit overflow
    assert row.drift_alerted_at == clock.now
    [alert] = await outbox(db, HR_CHAT)
    assert alert.ref == f"device:{device_id}:clock" and "Gate 2099" in alert.payload["text"]
    assert "ahead" in alert.payload["text"] and "2099" in alert.payload["text"]

    await runner.run("sync_devices", trigger="schedule")
    assert len(await outbox(db, HR_CHAT)) == 1  # still off: told once

    device.storage.set_time(berlin_now)
    await runner.run("sync_devices", trigger="schedule")
    assert (await device_row(db, device_id)).drift_alerted_at is None  # right again: the alert is re-armed
    assert len(await outbox(db, HR_CHAT)) == 1 and len(await stored(db)) == 40


async def test_a_failure_to_store_marks_the_device_and_hr_hears_of_it_once(
    db: Database, clients: Clients, emulator: StartEmulator, clock: Clock
):
    await make_company(db)
    device = emulator("tcp", records=generate_records(60, USERS))
    device_id = await add_device(db, device, name="Lobby")
    people = await add_people(db, [u.user_id for u in USERS[:4]])
    loop = asyncio.get_running_loop()
    leaving = list(people.values())

    async def remove(employee_id: int) -> None:
        async with db.transaction() as s:
            await s.execute(delete(Employee).where(Employee.id == employee_id))

    def read_while_someone_is_deleted(params, **kwargs):
        readout = read_device(params, **kwargs)
        # the employee map was loaded before the read: storing a punch for a deleted employee breaks the insert
        asyncio.run_coroutine_threadsafe(remove(leaving.pop(0)), loop).result(timeout=10)
        return readout

    clients.device_io = DeviceIO(read=read_while_someone_is_deleted)
    runner = JobRunner(clients)
    failed = await runner.run("sync_devices", trigger="schedule")
    assert failed is not None and failed.status is JobStatus.FAILED
    assert (_counts(failed, device_id)["read"], _counts(failed, device_id)["new"]) == (60, 0)
    row = await device_row(db, device_id)
    assert row.status is DeviceStatus.ERROR and "foreign key" in (row.last_error or "").lower()
    assert row.last_error in (failed.error or "")
    assert row.last_error and "INSERT" not in row.last_error  # the reason, not the statement and its rows
    assert await stored(db) == [] and await outbox(db, HR_CHAT) == []  # failing for minutes only: not yet

    for minutes in (31, 10):  # past DEVICE_OFFLINE_MINUTES: told once
        clock.advance(minutes=minutes)
        await runner.run("sync_devices", trigger="schedule")
    [alert] = await outbox(db, HR_CHAT)
    assert alert.ref == f"device:{device_id}:offline" and "Lobby" in alert.payload["text"]

    clients.device_io = DeviceIO()
    clock.advance(minutes=5)
    back = await JobRunner(clients).run("sync_devices", trigger="schedule")
    assert _counts(back, device_id)["alert"] == "back_online" and _counts(back, device_id)["new"] == 60
    assert len(await outbox(db, HR_CHAT)) == 2 and (await device_row(db, device_id)).status is DeviceStatus.ONLINE
    assert _exactly_the_device_log(await stored(db), device)


async def test_a_log_whose_oldest_punch_lies_in_the_skipped_dst_hour_gets_its_new_punches_every_time(
    db: Database, runner: JobRunner, emulator: StartEmulator
):
    device = emulator(
        "tcp",
        records=[
            EmulatedRecord("1001", datetime(2026, 3, 29, 2, 30)),  # does not exist in Berlin: read as 03:30 CEST
            EmulatedRecord("1002", datetime(2026, 3, 29, 3, 10)),  # 01:10 UTC: earlier than the "oldest" one
            EmulatedRecord("1003", datetime(2026, 3, 29, 3, 20)),
        ],
    )
    device_id = await add_device(db, device)
    first = await runner.run("sync_devices", trigger="schedule")
    assert _counts(first, device_id)["new"] == 3
    for minute in (1, 2):
        device.add_record("1004", datetime(2026, 3, 30, 8, minute))
        again = await runner.run("sync_devices", trigger="schedule")
        assert again is not None and again.status is JobStatus.SUCCESS, again.error
        counts = _counts(again, device_id)
        assert (counts["new"], counts["duplicate"], counts["skipped"]) == (1, 0, 2 + minute), "only the new tail read"
    assert _exactly_the_device_log(await stored(db), device)


@pytest.mark.parametrize("transport", ["tcp", "udp"])
async def test_a_byte_corrupted_in_transit_stores_nothing_and_the_next_sync_stores_the_log_once(
    db: Database, runner: JobRunner, emulator: StartEmulator, transport: str
):
    device = emulator(transport, record_size=8, records=generate_records(3000, USERS))
    device_id = await add_device(db, device)
    device.failures.corrupt_reply_to = p.CMD_READ_BUFFER
    rejected = await runner.run("sync_devices", trigger="schedule")
    assert rejected is not None and rejected.status is JobStatus.FAILED
    row = await device_row(db, device_id)
    assert row.status is DeviceStatus.ERROR and "wrong checksum" in (row.last_error or "")
    assert await stored(db) == [] and row.last_record_count is None
    ok = await runner.run("sync_devices", trigger="schedule")
    assert _counts(ok, device_id)["new"] == 3000 and _exactly_the_device_log(await stored(db), device)


async def test_a_duplicated_udp_reply_neither_shifts_the_answers_nor_resets_the_record_count(
    db: Database, runner: JobRunner, emulator: StartEmulator
):
    device = emulator("udp", records=generate_records(500, USERS))
    device_id = await add_device(db, device)
    await runner.run("sync_devices", trigger="schedule")
    device.add_record("1005", datetime(2026, 3, 2, 9, 0))
    device.failures.duplicate_reply_to = p.CMD_GET_FREE_SIZES
    run = await runner.run("sync_devices", trigger="schedule")
    counts = _counts(run, device_id)
    assert (counts["outcome"], counts["read"], counts["new"], counts["dropped_replies"]) == ("ok", 1, 1, 1)
    assert counts["skipped"] == 500
    assert (await device_row(db, device_id)).last_record_count == 501
    assert _exactly_the_device_log(await stored(db), device)


async def test_a_device_answering_just_within_its_timeout_is_cut_at_the_deadline_and_frees_its_lock(
    db: Database, clients: Clients, emulator: StartEmulator, db_url: str, redis_prefix: str
):
    clients.settings = make_settings(db_url, redis_prefix, device_timeout_seconds=1.0, device_sync_deadline_seconds=2.0)
    device = emulator("tcp", records=generate_records(2000, USERS))
    device.failures.reply_delay = 0.6  # every reply in time; 20+ requests take far longer than the deadline
    device_id = await add_device(db, device, name="Slow")
    started = time.monotonic()
    run = await JobRunner(clients).run("sync_devices", trigger="schedule")
    assert time.monotonic() - started < 2.0 + 2 + 2  # the deadline, the goodbye's grace, slack
    assert run is not None and run.status is JobStatus.FAILED and "deadline" in (run.error or "")
    row = await device_row(db, device_id)
    assert row.status is DeviceStatus.ERROR and "DeviceDeadlineExceeded" in (row.last_error or "")
    assert await clients.redis.get(f"{redis_prefix}:device:{device_id}:sync") is None
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Punch)) == 0
    device.failures.reply_delay = 0
    done = await JobRunner(clients).run("sync_devices", trigger="schedule")
    assert _counts(done, device_id)["new"] == 2000


async def test_one_failing_device_among_good_ones_makes_the_run_partial(
    db: Database, runner: JobRunner, emulator: StartEmulator
):
    good = emulator("tcp", records=generate_records(100, USERS))
    good_id = await add_device(db, good, name="Good")
    bad = emulator("udp", records=generate_records(100, USERS))
    bad.failures.corrupt_reply_to = p.CMD_GET_TIME
    bad.failures.corrupt_replies = 10**6
    await add_device(db, bad, name="Bad")
    run = await runner.run("sync_devices", trigger="cli")
    assert run is not None and run.status is JobStatus.PARTIAL
    assert (run.error or "").startswith("1 of 2 devices failed: Bad:") and run.counts["ok"] == 1
    assert _counts(run, good_id)["new"] == 100
    assert timedelta(0) <= run.finished_at - run.started_at  # finished, not left running


async def test_a_store_held_up_past_the_deadline_is_cut_and_recorded_on_the_device(
    pg: Database, pg_url: str, real_redis, redis_prefix: str, emulator: StartEmulator, clock: Clock
):
    """PostgreSQL: another transaction holds the device row, so the store waits; the sync is cut at its deadline."""
    settings = make_settings(pg_url, redis_prefix, device_sync_deadline_seconds=1.0)
    clients = Clients(db=pg, redis=real_redis, settings=settings, clock=clock)
    device = emulator("tcp", records=generate_records(100, USERS))
    device_id = await add_device(pg, device)
    other = Database.from_url(pg_url)
    try:
        async with other.transaction() as s:
            await s.get(Device, device_id, with_for_update=True)
            task = asyncio.create_task(JobRunner(clients).run("sync_devices", trigger="schedule"))
            await asyncio.sleep(1.0 + DEADLINE_GRACE + 1.0)
            assert not task.done()  # cut, and now waiting to write the failure on the row we hold
        run = await asyncio.wait_for(task, timeout=60)
    finally:
        await other.dispose()
    assert run is not None and run.status is JobStatus.FAILED and "did not finish within 1 s" in (run.error or "")
    row = await device_row(pg, device_id)
    assert row.status is DeviceStatus.ERROR and "DeviceDeadlineExceeded" in (row.last_error or "")
    assert await stored(pg) == []
