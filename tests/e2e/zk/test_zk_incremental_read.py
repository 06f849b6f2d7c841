"""read_device with the mark of the stored log: only the appended tail crosses the wire, and a log that was
cleared, rotated or rewritten is noticed and read whole (the real pyzk client against the emulator)."""

from __future__ import annotations

from datetime import datetime

import pytest

from sandbox.zk import EmulatedRecord, ZKEmulator, generate_records
from sandbox.zk import protocol as p
from shared.zk import LogMark, read_device
from tests.e2e.zk.conftest import USERS, StartEmulator, params_for

pytestmark = pytest.mark.e2e
TRANSPORTS = ["tcp", "udp"]


def _as_device_holds(device: ZKEmulator, start: int = 0) -> list[tuple[str, datetime, int, int]]:
    return [(r.user_id, r.timestamp, r.status, r.punch) for r in device.records[start:]]


def _as_read(records) -> list[tuple[str, datetime, int, int]]:  # type: ignore[no-untyped-def]
    return [(r.device_user_id, r.local_time, r.status, r.punch) for r in records]


def _later(count: int, seed: int = 11) -> list[EmulatedRecord]:
    return list(generate_records(count, USERS, start=datetime(2026, 6, 1), seed=seed))


@pytest.mark.parametrize("record_size", [8, 16, 40])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_only_the_records_appended_since_the_mark_are_read(
    emulator: StartEmulator, transport: str, record_size: int
) -> None:
    device = emulator(transport, record_size=record_size, records=generate_records(3000, USERS))
    first = read_device(params_for(device))
    assert first.mark == LogMark(3000, record_size, first.mark.last_record if first.mark else b"")
    device.add_records(_later(25))
    tail = read_device(params_for(device), known=first.mark)
    assert (tail.first_index, tail.record_count, tail.full_read_reason) == (3000, 3025, None)
    assert _as_read(tail.records) == _as_device_holds(device, 3000)
    assert tail.mark is not None and tail.mark.count == 3025


def test_an_unchanged_log_fetches_one_record_instead_of_the_whole_log(emulator: StartEmulator) -> None:
    device = emulator("tcp", records=generate_records(5000, USERS))  # 200 kB: four chunks when read whole
    first = read_device(params_for(device))
    before = device.command_counts[p.CMD_READ_BUFFER]
    again = read_device(params_for(device), known=first.mark)
    assert (again.records, again.first_index, again.full_read_reason) == ([], 5000, None)
    assert device.command_counts[p.CMD_READ_BUFFER] - before == 1
    assert again.mark == first.mark


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_cleared_log_with_fewer_records_is_read_whole(emulator: StartEmulator, transport: str) -> None:
    device = emulator(transport, records=generate_records(400, USERS))
    first = read_device(params_for(device))
    device.clear_records()
    device.add_records(_later(30))
    again = read_device(params_for(device), known=first.mark)
    assert again.first_index == 0 and "fewer than the 400 stored" in (again.full_read_reason or "")
    assert _as_read(again.records) == _as_device_holds(device)


@pytest.mark.parametrize("extra", [0, 50])
def test_a_log_rewritten_to_as_many_or_more_records_is_noticed_at_the_mark(emulator: StartEmulator, extra: int) -> None:
    device = emulator("tcp", records=generate_records(400, USERS))
    first = read_device(params_for(device))
    device.clear_records()
    device.add_records(_later(400 + extra, seed=99))  # rotated: the count alone would not tell
    again = read_device(params_for(device), known=first.mark)
    assert again.first_index == 0 and "differs from the one stored" in (again.full_read_reason or "")
    assert _as_read(again.records) == _as_device_holds(device)


def test_a_mark_of_another_record_size_falls_back_to_a_whole_read(emulator: StartEmulator) -> None:
    device = emulator("tcp", record_size=16, records=generate_records(300, USERS))
    first = read_device(params_for(device))
    assert first.mark is not None
    wrong = LogMark(first.mark.count, 40, bytes(40))
    again = read_device(params_for(device), known=wrong)
    assert again.first_index == 0 and again.full_read_reason is not None
    assert _as_read(again.records) == _as_device_holds(device)


def test_an_emptied_log_reads_as_empty_without_complaint(emulator: StartEmulator) -> None:
    device = emulator("tcp", records=generate_records(100, USERS))
    first = read_device(params_for(device))
    device.clear_records()
    again = read_device(params_for(device), known=first.mark)
    assert (again.records, again.record_count, again.mark, again.full_read_reason) == ([], 0, None, None)
