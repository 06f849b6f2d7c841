"""Transit faults injected by the emulator: pyzk alone is fooled by them, read_device is not."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from sandbox.zk import EmulatedRecord, generate_records
from sandbox.zk import protocol as p
from shared.zk import DeviceDeadlineExceeded, DeviceReplyRejected, read_device
from shared.zk.records import parse_attendance_buffer
from tests.e2e.zk.conftest import USERS, ConnectPyzk, StartEmulator, params_for

pytestmark = pytest.mark.e2e
TRANSPORTS = ["tcp", "udp"]


def _pyzk_records(client) -> list[tuple[str, datetime]]:
    client.read_sizes()
    buffer, _ = client.read_with_buffer(p.CMD_ATTLOG_RRQ)
    _, records = parse_attendance_buffer(buffer, client.records, {u.uid: u.user_id for u in USERS})
    return [(r.device_user_id, r.local_time) for r in records]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_bit_flipped_in_transit_makes_pyzk_see_a_punch_that_never_happened(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str
) -> None:
    """The fault is real: without verification a corrupted chunk parses into different, plausible punches."""
    device = emulator(transport, record_size=8, records=generate_records(4000, USERS))
    truth = [(r.user_id, r.timestamp) for r in device.records]
    device.failures.corrupt_reply_to = p.CMD_READ_BUFFER
    assert _pyzk_records(pyzk(device)) != truth


@pytest.mark.parametrize("command", [p.CMD_READ_BUFFER, p.CMD_PREPARE_BUFFER, p.CMD_GET_FREE_SIZES, p.CMD_GET_TIME])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_bit_flipped_in_any_reply_is_rejected_and_nothing_is_returned(
    emulator: StartEmulator, transport: str, command: int
) -> None:
    records = generate_records(4000 if command == p.CMD_READ_BUFFER else 60, USERS)
    device = emulator(transport, records=records)
    device.failures.corrupt_reply_to = command
    with pytest.raises(DeviceReplyRejected, match="wrong checksum"):
        read_device(params_for(device, timeout=1))
    assert device.failures.corrupt_replies == 0  # the fault was injected
    assert device.enabled
    assert len(read_device(params_for(device)).records) == len(device.records)  # the next read is whole


@pytest.mark.parametrize("command", [p.CMD_OPTIONS_RRQ, p.CMD_GET_FREE_SIZES, p.CMD_READ_BUFFER, p.CMD_FREE_DATA])
def test_a_duplicated_udp_reply_is_dropped_and_every_answer_stays_in_its_place(
    emulator: StartEmulator, command: int
) -> None:
    device = emulator("udp", records=generate_records(3000, USERS))
    device.failures.duplicate_reply_to = command
    readout = read_device(params_for(device, timeout=1))
    assert readout.dropped_replies >= 1 and device.failures.duplicate_replies == 0
    assert [(r.device_user_id, r.local_time) for r in readout.records] == [
        (r.user_id, r.timestamp) for r in device.records
    ]
    assert readout.serial == device.config.serial and readout.record_count == 3000


def test_without_verification_a_duplicated_udp_reply_shifts_the_answers(
    emulator: StartEmulator, pyzk: ConnectPyzk
) -> None:
    device = emulator("udp", records=[EmulatedRecord("1001", datetime(2026, 3, 2, 8, 0))])
    client = pyzk(device)
    device.failures.duplicate_reply_to = p.CMD_OPTIONS_RRQ
    client.get_serialnumber()
    client.read_sizes()  # pyzk takes the copy of the serial number's reply as the sizes
    assert client.records != 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_device_answering_each_request_just_within_the_timeout_is_cut_at_the_deadline(
    emulator: StartEmulator, transport: str
) -> None:
    device = emulator(transport, records=generate_records(3000, USERS))
    device.failures.reply_delay = 0.4  # each reply within the 1 s timeout; the whole read takes many seconds
    started = time.monotonic()
    with pytest.raises(DeviceDeadlineExceeded, match="deadline"):
        read_device(params_for(device, timeout=1), deadline=time.monotonic() + 1.5)
    assert time.monotonic() - started < 1.5 + 2 + 0.5  # the deadline, the goodbye's grace, slack
    device.failures.reply_delay = 0
    time.sleep(0.5)  # the emulator finishes its delayed replies to the abandoned session
    assert len(read_device(params_for(device)).records) == 3000
