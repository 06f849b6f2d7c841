"""sync_devices against emulated devices: real pyzk over TCP and UDP, every format, failures, the device state."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import update

from sandbox.zk import generate_records
from scheduler.runner import Clients, JobRunner
from shared.domain.enums import DeviceStatus, Direction, DirectionMode, JobStatus
from shared.model import Device
from shared.persistence import Database
from shared.services.devices.sync import DeviceIO
from shared.zk import read_device, to_utc
from tests.e2e.scheduler.conftest import USERS, StartEmulator, add_device, add_people, device_row, stored
from tests.integration.scheduler.support import make_settings

pytestmark = pytest.mark.e2e
MAPPED = [u.user_id for u in USERS[:6]]


def _device_counts(run, device_id: int) -> dict:
    assert run is not None, "the run was not recorded"
    return run.counts["devices"][str(device_id)]


@pytest.mark.parametrize("record_size", [8, 16, 40])
@pytest.mark.parametrize("transport", ["tcp", "udp"])
async def test_every_record_format_is_stored_once_over_tcp_and_udp(
    db: Database, runner: JobRunner, emulator: StartEmulator, transport: str, record_size: int, clock
):
    device = emulator(transport, record_size=record_size, records=generate_records(600, USERS), serial="SN-42")
    device_id = await add_device(db, device)
    people = await add_people(db, MAPPED)

    run = await runner.run("sync_devices", trigger="cli")

    assert run is not None and run.status is JobStatus.SUCCESS, run.error
    counts = _device_counts(run, device_id)
    unmatched = sum(r.user_id not in people for r in device.records)
    assert (counts["read"], counts["new"], counts["duplicate"], counts["unmatched"]) == (600, 600, 0, unmatched)
    assert counts["record_size"] == record_size and counts["outcome"] == "ok"
    assert sorted(counts["unknown_users"]) == sorted(u.user_id for u in USERS[6:])
    punches = await stored(db, device_id)
    expected = {(r.user_id, to_utc(r.timestamp, "Europe/Berlin"), r.punch) for r in device.records}
    assert {(p.device_user_id, p.instant, p.raw_punch) for p in punches} == expected
    assert all(p.employee_id == people.get(p.device_user_id or "") for p in punches)
    assert {p.direction for p in punches if p.raw_punch == 0} == {Direction.IN}
    assert {p.direction for p in punches if p.raw_punch == 1} == {Direction.OUT}
    row = await device_row(db, device_id)
    assert (row.status, row.serial, row.firmware, row.last_record_count) == (
        DeviceStatus.ONLINE, "SN-42", device.config.firmware, 600,
    )  # fmt: skip
    assert row.last_success_at == clock.now and row.clock_drift_seconds is not None
    assert abs(row.clock_drift_seconds) <= 2


async def test_a_second_sync_reads_nothing_again_and_a_new_punch_is_stored_once(
    db: Database, runner: JobRunner, emulator: StartEmulator
):
    device = emulator("tcp", records=generate_records(300, USERS))
    device_id = await add_device(db, device)
    await runner.run("sync_devices", trigger="schedule")
    second = _device_counts(await runner.run("sync_devices", trigger="schedule"), device_id)
    assert (second["read"], second["new"], second["duplicate"], second["skipped"]) == (0, 0, 0, 300)
    device.add_record("1003", datetime(2026, 2, 2, 8, 1), punch=0)
    third = _device_counts(await runner.run("sync_devices", trigger="schedule"), device_id)
    assert (third["read"], third["new"], third["duplicate"], third["skipped"]) == (1, 1, 0, 300)
    assert len(await stored(db)) == 301


@pytest.mark.parametrize("transport", ["tcp", "udp"])
async def test_a_password_device_syncs_with_the_right_password_and_is_marked_with_a_wrong_one(
    db: Database, runner: JobRunner, emulator: StartEmulator, transport: str
):
    device = emulator(transport, password=4321, records=generate_records(50, USERS))
    device_id = await add_device(db, device)
    ok = await runner.run("sync_devices", trigger="cli")
    assert ok is not None and ok.status is JobStatus.SUCCESS and _device_counts(ok, device_id)["new"] == 50
    async with db.transaction() as s:
        await s.execute(update(Device).where(Device.id == device_id).values(password=1111))
    wrong = await runner.run("sync_devices", trigger="cli")
    assert wrong is not None and wrong.status is JobStatus.FAILED
    assert "DeviceAuthFailed" in (wrong.error or "") and "Front door" in (wrong.error or "")
    row = await device_row(db, device_id)
    assert row.status is DeviceStatus.ERROR and "DeviceAuthFailed" in (row.last_error or "")
    assert len(await stored(db)) == 50


@pytest.mark.parametrize("transport", ["tcp", "udp"])
async def test_a_connection_dropped_mid_transfer_stores_nothing_and_the_next_sync_stores_everything_once(
    db: Database, clients: Clients, emulator: StartEmulator, transport: str, db_url: str, redis_prefix: str
):
    clients.settings = make_settings(db_url, redis_prefix, device_timeout_seconds=1.0)
    runner = JobRunner(clients)
    device = emulator(transport, records=generate_records(5000, USERS))
    device.failures.drop_after_chunks = 2
    device_id = await add_device(db, device)
    dropped = await runner.run("sync_devices", trigger="schedule")
    assert dropped is not None and dropped.status is JobStatus.FAILED and "DeviceUnreachable" in (dropped.error or "")
    assert await stored(db) == [] and (await device_row(db, device_id)).status is DeviceStatus.OFFLINE
    device.failures.drop_after_chunks = None
    again = await runner.run("sync_devices", trigger="schedule")
    assert _device_counts(again, device_id)["new"] == 5000
    third = await runner.run("sync_devices", trigger="schedule")
    assert _device_counts(third, device_id)["new"] == 0 and len(await stored(db)) == 5000
    assert (await device_row(db, device_id)).status is DeviceStatus.ONLINE


async def test_a_record_count_that_disagrees_with_the_buffer_stores_nothing_and_records_the_error(
    db: Database, runner: JobRunner, emulator: StartEmulator
):
    device = emulator("tcp", records=generate_records(200, USERS))
    device.failures.record_count_skew = 3
    device_id = await add_device(db, device)
    run = await runner.run("sync_devices", trigger="schedule")
    assert run is not None and run.status is JobStatus.FAILED and "DeviceDataMismatch" in (run.error or "")
    row = await device_row(db, device_id)
    assert row.status is DeviceStatus.ERROR and "DeviceDataMismatch" in (row.last_error or "")
    assert await stored(db) == []
    device.failures.record_count_skew = 0
    fixed = await runner.run("sync_devices", trigger="schedule")
    assert _device_counts(fixed, device_id)["new"] == 200


async def test_an_alternating_device_leaves_directions_to_the_day(
    db: Database, runner: JobRunner, emulator: StartEmulator
):
    device = emulator("udp", records=generate_records(40, USERS))
    await add_device(db, device, direction_mode=DirectionMode.ALTERNATE)
    await runner.run("sync_devices", trigger="cli")
    assert {p.direction for p in await stored(db)} == {Direction.UNKNOWN}


async def test_many_devices_are_read_concurrently_within_the_bound(
    db: Database, clients: Clients, emulator: StartEmulator, db_url: str, redis_prefix: str
):
    clients.settings = make_settings(db_url, redis_prefix, device_sync_concurrency=3)
    active, most = 0, 0
    guard = threading.Lock()

    def counting_read(params, **kwargs):
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.1)  # long enough for the others to start if nothing held them back
            return read_device(params, **kwargs)
        finally:
            with guard:
                active -= 1

    clients.device_io = DeviceIO(read=counting_read)
    devices = [emulator("tcp", records=generate_records(200, USERS, seed=i)) for i in range(6)]
    ids = [await add_device(db, d, name=f"Door {i}") for i, d in enumerate(devices)]
    run = await JobRunner(clients).run("sync_devices", trigger="schedule")
    assert run is not None and run.status is JobStatus.SUCCESS
    assert set(run.counts["devices"]) == {str(i) for i in ids}
    assert (run.counts["ok"], run.counts["new"], most) == (6, 1200, 3)
    assert len(await stored(db)) == 1200
