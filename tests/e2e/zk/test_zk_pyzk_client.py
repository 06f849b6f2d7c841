"""The real pyzk 0.9 client against the emulator, over TCP and UDP."""

from __future__ import annotations

import socket
import struct
from datetime import UTC, datetime, timedelta

import pytest
from zk import ZK
from zk.exception import ZKErrorResponse

from sandbox.zk import generate_records
from sandbox.zk import protocol as p
from tests.e2e.zk.conftest import USERS, ConnectPyzk, StartEmulator

pytestmark = pytest.mark.e2e
TRANSPORTS = ["tcp", "udp"]
FIXED_NOW = datetime(2026, 3, 1, 11, 0, 0, tzinfo=UTC)  # 12:00 in Berlin (CET)


def attendance_of(client: ZK) -> list[tuple[str, datetime, int, int]]:
    return [(a.user_id, a.timestamp, a.status, a.punch) for a in client.get_attendance()]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_connects_and_reads_firmware_serial_and_platform(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str
) -> None:
    device = emulator(transport, serial="SN-0042", firmware="Ver 8.0.4.3 Mar 1 2026")
    client = pyzk(device)
    assert client.get_firmware_version() == "Ver 8.0.4.3 Mar 1 2026"
    assert client.get_serialnumber() == "SN-0042"
    assert client.get_platform() == "ZMM220_TFT"
    assert client.get_pin_width() == 9


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_reads_the_device_clock_in_local_time_with_the_configured_offset(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str
) -> None:
    device = emulator(transport, timezone="Europe/Berlin", clock_offset=timedelta(seconds=-95), clock=lambda: FIXED_NOW)
    assert pyzk(device).get_time() == datetime(2026, 3, 1, 11, 58, 25)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_sets_the_clock_and_the_device_keeps_it(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str
) -> None:
    device = emulator(transport, clock=lambda: FIXED_NOW)
    client = pyzk(device)
    client.set_time(datetime(2031, 12, 31, 23, 59, 58))
    assert client.get_time() == datetime(2031, 12, 31, 23, 59, 58)
    assert device.device_time() == datetime(2031, 12, 31, 23, 59, 58)


@pytest.mark.parametrize(("record_size", "user_size"), [(8, 28), (40, 72)])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_reads_users_in_the_28_and_72_byte_formats(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str, record_size: int, user_size: int
) -> None:
    device = emulator(transport, record_size=record_size, user_size=user_size)
    users = pyzk(device).get_users()
    assert [(u.uid, u.user_id, u.name, u.privilege) for u in users] == [
        (u.uid, u.user_id, u.name, u.privilege) for u in USERS
    ]


@pytest.mark.parametrize("record_size", [8, 16, 40])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_get_attendance_equals_what_the_emulator_holds(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str, record_size: int
) -> None:
    count = {8: 9000, 16: 4500, 40: 2000}[record_size]  # more than one 0xFFC0-byte TCP chunk each
    device = emulator(transport, record_size=record_size, records=generate_records(count, USERS))
    expected = [(r.user_id, r.timestamp, r.status, r.punch) for r in device.records]
    assert attendance_of(pyzk(device)) == expected
    assert device.command_counts[p.CMD_READ_BUFFER] >= 2  # really went through buffered chunks


def test_pyzk_reads_tcp_chunks_sent_as_single_data_packets(emulator: StartEmulator, pyzk: ConnectPyzk) -> None:
    device = emulator("tcp", tcp_chunk_mode="data", records=generate_records(3000, USERS))
    assert attendance_of(pyzk(device)) == [(r.user_id, r.timestamp, r.status, r.punch) for r in device.records]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_small_log_is_sent_directly_without_buffer_chunks(
    emulator: StartEmulator, pyzk: ConnectPyzk, transport: str
) -> None:
    device = emulator(transport, records=generate_records(5, USERS), users=USERS[:3])
    assert len(attendance_of(pyzk(device))) == 5
    assert device.command_counts[p.CMD_READ_BUFFER] == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_reads_the_free_sizes(emulator: StartEmulator, pyzk: ConnectPyzk, transport: str) -> None:
    device = emulator(transport, records=generate_records(321, USERS), record_capacity=100_000)
    client = pyzk(device)
    client.read_sizes()
    assert (client.users, client.records, client.rec_cap, client.rec_av) == (12, 321, 100_000, 100_000 - 321)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_authenticates_with_the_right_comm_key(emulator: StartEmulator, pyzk: ConnectPyzk, transport: str) -> None:
    device = emulator(transport, password=123456, records=generate_records(10, USERS))
    assert len(attendance_of(pyzk(device, password=123456))) == 10


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_is_refused_with_a_wrong_comm_key(emulator: StartEmulator, pyzk: ConnectPyzk, transport: str) -> None:
    device = emulator(transport, password=123456)
    with pytest.raises(ZKErrorResponse, match="Unauthenticated"):
        pyzk(device, password=654321)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pyzk_clear_attendance_empties_the_log(emulator: StartEmulator, pyzk: ConnectPyzk, transport: str) -> None:
    device = emulator(transport, records=generate_records(100, USERS))
    client = pyzk(device)
    client.clear_attendance()
    assert client.get_attendance() == [] and device.records == []


def test_a_punch_added_while_running_is_in_the_next_read(emulator: StartEmulator, pyzk: ConnectPyzk) -> None:
    device = emulator("tcp", records=generate_records(10, USERS))
    client = pyzk(device)
    assert len(client.get_attendance()) == 10
    record = device.add_record("1003", datetime(2026, 2, 2, 9, 15, 0), punch=0)
    last = client.get_attendance()[-1]
    assert (last.user_id, last.timestamp, last.punch) == (record.user_id, record.timestamp, 0)


def test_commands_without_a_session_are_refused(emulator: StartEmulator) -> None:
    device = emulator("udp")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(p.build_packet(p.CMD_GET_TIME, 0, 1), (device.host, device.port))
        command, _checksum, _session, reply_id = struct.unpack("<4H", sock.recv(1024)[:8])
    assert (command, reply_id) == (p.CMD_ACK_ERROR, 1)


def test_the_emulator_survives_pyzks_throwaway_tcp_probe_and_garbage(
    emulator: StartEmulator, pyzk: ConnectPyzk
) -> None:
    device = emulator("tcp")
    for payload in (b"", b"GET / HTTP/1.0\r\n\r\n"):
        with socket.create_connection((device.host, device.port), timeout=2) as sock:
            sock.sendall(payload)
    assert pyzk(device).get_serialnumber() == device.config.serial
