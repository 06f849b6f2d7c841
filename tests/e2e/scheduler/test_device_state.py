"""What a sync does around the punches: time zones, offline alerts, clearing the log, the clock, concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from sandbox.zk import EmulatedRecord, generate_records
from scheduler.runner import Clients, JobRunner
from shared.domain.enums import DeviceStatus, JobStatus
from shared.model import DailyAttendance, Device, Employee
from shared.persistence import Database
from shared.services.devices.sync import DeviceIO, SyncOptions
from shared.services.devices.sync_job import start_device_sync
from shared.services.jobs import wait_background
from shared.zk import clear_attendance
from tests.e2e.scheduler.conftest import USERS, StartEmulator, add_device, closed_port, device_row, stored
from tests.factories import make_company
from tests.integration.scheduler.support import BERLIN, Clock, job_runs, make_settings, outbox

pytestmark = pytest.mark.e2e
HR_CHAT = 9001


async def test_device_local_times_become_utc_across_dst_nights_and_a_night_shift_stays_on_its_start_day(
    db: Database, runner: JobRunner, emulator: StartEmulator
):
    company = await make_company(db)
    async with db.transaction() as s:
        await s.execute(
            update(Employee)
            .where(Employee.id == company.bob_id)
            .values(device_user_id="1002", shift_id=company.night_shift_id)
        )
    device = emulator(
        "tcp",
        records=[
            EmulatedRecord("1001", datetime(2026, 3, 29, 2, 30)),  # spring forward: 02:30 does not exist
            EmulatedRecord("1001", datetime(2026, 10, 25, 2, 30)),  # fall back: 02:30 happens twice
            EmulatedRecord("1002", datetime(2026, 11, 19, 21, 58), punch=0),
            EmulatedRecord("1002", datetime(2026, 11, 20, 6, 3), punch=1),
        ],
    )
    await add_device(db, device)
    await runner.run("sync_devices", trigger="cli")
    instants = [p.instant for p in await stored(db)]
    assert instants == [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # shifted forward: 03:30 CEST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the first 02:30 (CEST)
        datetime(2026, 11, 19, 20, 58, tzinfo=UTC),
        datetime(2026, 11, 20, 5, 3, tzinfo=UTC),
    ]
    run = await runner.run(
        "process_attendance", trigger="cli", date_from=date(2026, 11, 19), date_to=date(2026, 11, 20)
    )
    assert run is not None and run.status is JobStatus.SUCCESS
    async with db.session() as s:
        days = {
            r.date: r
            for r in await s.scalars(select(DailyAttendance).where(DailyAttendance.employee_id == company.bob_id))
        }
    night = days[date(2026, 11, 19)]
    assert (night.first_in, night.last_out) == (instants[2], instants[3])
    assert night.worked_minutes == 8 * 60 + 5 and night.punch_count == 2
    assert days[date(2026, 11, 20)].punch_count == 0


async def test_an_offline_device_alerts_hr_once_and_once_more_when_it_is_back(
    db: Database, runner: JobRunner, emulator: StartEmulator, clock: Clock
):
    await make_company(db)
    device_id = await add_device(db, None, name="Warehouse")
    first = await runner.run("sync_devices", trigger="schedule")
    assert first is not None and first.status is JobStatus.FAILED and "DeviceUnreachable" in (first.error or "")
    assert (await device_row(db, device_id)).status is DeviceStatus.OFFLINE and await outbox(db) == []
    for minutes in (31, 10, 10):  # only the first run past the 30 minutes alerts
        clock.advance(minutes=minutes)
        await runner.run("sync_devices", trigger="schedule")
    [alert] = await outbox(db, HR_CHAT)
    assert "Warehouse" in alert.payload["text"] and alert.ref == f"device:{device_id}:offline"
    row = await device_row(db, device_id)
    assert row.offline_alerted_at == clock.now - timedelta(minutes=20)

    live = emulator("tcp", records=generate_records(30, USERS))
    async with db.transaction() as s:
        await s.execute(update(Device).where(Device.id == device_id).values(port=live.port))
    clock.advance(minutes=5)
    back = await runner.run("sync_devices", trigger="schedule")
    assert back is not None and back.counts["devices"][str(device_id)]["alert"] == "back_online"
    alert, online = await outbox(db, HR_CHAT)
    assert "Warehouse" in online.payload["text"] and "30" in online.payload["text"]
    row = await device_row(db, device_id)
    assert (row.status, row.offline_alerted_at) == (DeviceStatus.ONLINE, None)
    async with db.transaction() as s:
        await s.execute(update(Device).where(Device.id == device_id).values(port=closed_port()))
    clock.advance(minutes=10)
    await runner.run("sync_devices", trigger="schedule")
    assert len(await outbox(db, HR_CHAT)) == 2  # down for 10 minutes only: no new alert yet


async def test_the_device_log_is_cleared_only_after_every_record_read_is_stored(
    db: Database, clients: Clients, emulator: StartEmulator
):
    device = emulator("tcp", records=generate_records(300, USERS))
    device_id = await add_device(db, device, clear_after_sync=True)

    def punch_then_clear(params, **kwargs):
        device.add_record("1004", datetime(2026, 2, 3, 9, 0))  # someone punches between our read and the clear
        return clear_attendance(params, **kwargs)

    clients.device_io = DeviceIO(clear=punch_then_clear)
    refused = await JobRunner(clients).run("sync_devices", trigger="schedule")
    counts = refused.counts["devices"][str(device_id)] if refused else {}
    assert counts["new"] == 300 and "cleared" not in counts and "not cleared" in counts["warnings"][0]
    assert len(device.records) == 301  # nothing lost on the device

    clients.device_io = DeviceIO()
    cleared = await JobRunner(clients).run("sync_devices", trigger="schedule")
    counts = cleared.counts["devices"][str(device_id)] if cleared else {}
    assert (counts["read"], counts["skipped"], counts["new"], counts["cleared"]) == (1, 300, 1, 301)
    assert device.records == [] and len(await stored(db)) == 301
    assert (await device_row(db, device_id)).last_record_count == 0, "the next sync reads the new log from its start"
    empty = await JobRunner(clients).run("sync_devices", trigger="schedule")
    assert empty is not None and empty.counts["devices"][str(device_id)]["read"] == 0


async def test_a_drifting_device_clock_is_set_when_it_is_off_by_more_than_the_limit(
    db: Database, clients: Clients, emulator: StartEmulator, db_url: str, redis_prefix: str, clock: Clock
):
    clients.settings = make_settings(db_url, redis_prefix, device_clock_max_drift_seconds=60)
    slow = emulator("tcp", clock_offset=timedelta(seconds=-300))
    fine = emulator("tcp", clock_offset=timedelta(seconds=-20))
    slow_id, fine_id = await add_device(db, slow, name="Slow"), await add_device(db, fine, name="Fine")
    run = await JobRunner(clients).run("sync_devices", trigger="schedule")
    assert run is not None
    assert run.counts["devices"][str(slow_id)]["clock_corrected"] is True
    assert "clock_corrected" not in run.counts["devices"][str(fine_id)]
    assert abs((await device_row(db, slow_id)).clock_drift_seconds + 300) <= 2
    berlin_now = datetime.now(BERLIN).replace(tzinfo=None)
    assert abs((slow.device_time() - berlin_now).total_seconds()) <= 3
    assert abs((fine.device_time() - berlin_now).total_seconds() + 20) <= 3


async def test_two_syncs_of_one_device_at_once_read_it_once(
    db: Database, clients: Clients, runner: JobRunner, emulator: StartEmulator
):
    device = emulator("tcp", records=generate_records(400, USERS))
    device.failures.reply_delay = 0.03  # a slow device: the first sync is still reading when the second starts
    device_id = await add_device(db, device)
    options = SyncOptions.from_settings(clients.settings)
    scheduled = asyncio.create_task(runner.run("sync_devices", trigger="schedule"))
    await asyncio.sleep(0.1)
    from_api = await start_device_sync(db, clients.redis, device_id=device_id, options=options)
    await scheduled
    await wait_background(timeout=30)
    runs = {r.trigger: r for r in await job_runs(db, "sync_devices")}
    assert runs["schedule"].status is JobStatus.SUCCESS and runs["schedule"].counts["new"] == 400
    assert runs["api"].id == from_api.id and runs["api"].status is JobStatus.SKIPPED
    assert runs["api"].counts["devices"][str(device_id)]["outcome"] == "busy"
    assert len(await stored(db)) == 400


async def test_the_api_starts_a_recorded_sync_that_finishes_in_the_background(
    db: Database, clients: Clients, emulator: StartEmulator
):
    device = emulator("udp", records=generate_records(120, USERS))
    device_id = await add_device(db, device)
    run = await start_device_sync(
        db, clients.redis, device_id=device_id, options=SyncOptions.from_settings(clients.settings)
    )
    assert run.status is JobStatus.RUNNING and run.trigger == "api"
    await wait_background(timeout=30)
    [finished] = await job_runs(db, "sync_devices")
    assert finished.status is JobStatus.SUCCESS and finished.counts["devices"][str(device_id)]["new"] == 120
    missing = await start_device_sync(
        db, clients.redis, device_id=9999, options=SyncOptions.from_settings(clients.settings)
    )
    await wait_background(timeout=10)
    [_, failed] = await job_runs(db, "sync_devices")
    assert (
        failed.id == missing.id
        and failed.status is JobStatus.FAILED
        and "no device with id 9999" in (failed.error or "")
    )
