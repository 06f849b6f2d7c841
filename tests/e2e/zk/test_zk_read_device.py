"""Our read_device / clear_attendance / set_time against the emulator, over TCP and UDP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.zk import EmulatedRecord, generate_records
from sandbox.zk import protocol as p
from shared.zk import DeviceDataMismatch, clear_attendance, read_device, set_time, to_utc
from tests.e2e.zk.conftest import USERS, ConnectPyzk, StartEmulator, params_for

pytestmark = pytest.mark.e2e
TRANSPORTS = ["tcp", "udp"]
FIXED_NOW = datetime(2026, 3, 1, 11, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("record_size", [8, 16, 40])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_read_device_returns_exactly_what_the_emulator_holds(
    emulator: StartEmulator, transport: str, record_size: int
) -> None:
    count = {8: 9000, 16: 4500, 40: 2000}[record_size]
    device = emulator(transport, record_size=record_size, records=generate_records(count, USERS), serial="SN-7")
    readout = read_device(params_for(device))
    assert [(r.device_user_id, r.local_time, r.status, r.punch) for r in readout.records] == [
        (r.user_id, r.timestamp, r.status, r.punch) for r in device.records
    ]
    assert [r.uid for r in readout.records] == [device.storage.uid_of(r.user_id) for r in device.records]
    assert (readout.record_size, readout.record_count, readout.attempts) == (record_size, count, 1)
    assert (readout.serial, readout.firmware) == ("SN-7", device.config.firmware)
    assert [(u.uid, u.user_id, u.name) for u in readout.users] == [(u.uid, u.user_id, u.name) for u in USERS]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_read_device_agrees_with_pyzks_own_get_attendance(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str
) -> None:
    device = emulator(transport, records=generate_records(1500, USERS))
    theirs = [(a.user_id, a.timestamp, a.status, a.punch, a.uid) for a in pyzk(device).get_attendance()]
    ours = [(r.device_user_id, r.local_time, r.status, r.punch, r.uid) for r in read_device(params_for(device)).records]
    assert ours == theirs


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_read_device_measures_the_clock_drift_against_now_utc(emulator: StartEmulator, transport: str) -> None:
    device = emulator(
        transport, timezone="Europe/Berlin", clock_offset=timedelta(seconds=-125), clock=lambda: FIXED_NOW
    )
    readout = read_device(params_for(device), now_utc=FIXED_NOW)
    assert readout.device_time == datetime(2026, 3, 1, 11, 57, 55)  # 12:00 CET minus 125 s
    assert readout.clock_drift == timedelta(seconds=-125)
    assert readout.reference_utc == FIXED_NOW


def test_read_device_disables_the_device_while_reading_and_enables_it_after(emulator: StartEmulator) -> None:
    device = emulator("tcp", records=generate_records(100, USERS))
    read_device(params_for(device))
    counts = device.command_counts
    assert counts[p.CMD_DISABLEDEVICE] == 1 and counts[p.CMD_ENABLEDEVICE] == 1 and counts[p.CMD_EXIT] == 1
    assert counts[p.CMD_FREE_DATA] >= 1
    assert device.enabled


def test_an_empty_log_reads_as_no_records_without_a_buffer_read(emulator: StartEmulator) -> None:
    device = emulator("tcp")
    readout = read_device(params_for(device))
    assert (readout.records, readout.record_count, readout.record_size) == ([], 0, None)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_read_device_authenticates_with_the_comm_key(emulator: StartEmulator, transport: str) -> None:
    device = emulator(transport, password=4711, records=generate_records(30, USERS))
    assert len(read_device(params_for(device, password=4711)).records) == 30


def test_records_convert_to_utc_with_the_device_zone(emulator: StartEmulator) -> None:
    fall_back = [
        EmulatedRecord("1001", datetime(2026, 10, 25, 2, 30)),
        EmulatedRecord("1001", datetime(2026, 10, 25, 3, 5)),
    ]
    device = emulator("tcp", timezone="Europe/Berlin", records=fall_back)
    readout = read_device(params_for(device))
    assert readout.records_utc() == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 5, tzinfo=UTC),
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_clear_attendance_empties_the_log_and_reports_how_many(emulator: StartEmulator, transport: str) -> None:
    device = emulator(transport, records=generate_records(250, USERS))
    assert clear_attendance(params_for(device), expected_count=250) == 250
    assert device.records == [] and read_device(params_for(device)).records == []
    assert device.enabled


def test_clear_attendance_refuses_when_new_punches_arrived_since_the_read(emulator: StartEmulator) -> None:
    device = emulator("tcp", records=generate_records(20, USERS))
    readout = read_device(params_for(device))
    device.add_record("1002")
    with pytest.raises(DeviceDataMismatch, match="holds 21 attendance records, expected 20; not clearing"):
        clear_attendance(params_for(device), expected_count=readout.record_count)
    assert len(device.records) == 21 and device.enabled


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_set_time_sets_the_device_clock_from_an_aware_or_naive_time(emulator: StartEmulator, transport: str) -> None:
    device = emulator(transport, timezone="Europe/Berlin", clock=lambda: FIXED_NOW)
    before = set_time(params_for(device), datetime(2026, 7, 1, 6, 0, 0, tzinfo=UTC))
    assert before == datetime(2026, 3, 1, 12, 0, 0)
    assert device.device_time() == datetime(2026, 7, 1, 8, 0, 0)  # CEST
    set_time(params_for(device), datetime(2026, 7, 1, 9, 30, 0))
    assert device.device_time() == datetime(2026, 7, 1, 9, 30, 0)
    readout = read_device(params_for(device), now_utc=FIXED_NOW)
    assert readout.clock_drift == to_utc(datetime(2026, 7, 1, 9, 30), "Europe/Berlin") - FIXED_NOW
