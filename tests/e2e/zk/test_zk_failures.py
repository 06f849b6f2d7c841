"""Failures a real device produces, injected by the emulator: read_device fails cleanly."""

from __future__ import annotations

import socket
import time

import pytest

from sandbox.zk import generate_records
from sandbox.zk import protocol as p
from shared.zk import (
    DeviceAuthFailed,
    DeviceDataMismatch,
    DeviceParams,
    DeviceUnreachable,
    read_device,
)
from tests.e2e.zk.conftest import USERS, StartEmulator, params_for

pytestmark = pytest.mark.e2e
TRANSPORTS = ["tcp", "udp"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_wrong_password_is_a_clear_auth_error(emulator: StartEmulator, transport: str) -> None:
    device = emulator(transport, password=1234)
    with pytest.raises(DeviceAuthFailed, match=r"refused the comm key .* check the password"):
        read_device(params_for(device, password=4321))


def test_a_device_that_refuses_every_key_is_an_auth_error(emulator: StartEmulator) -> None:
    device = emulator("tcp", password=1234)
    device.failures.refuse_auth = True
    with pytest.raises(DeviceAuthFailed):
        read_device(params_for(device, password=1234))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_nothing_listening_is_unreachable(transport: str) -> None:
    params = DeviceParams("127.0.0.1", free_port(), protocol=transport, timeout=0.5)  # type: ignore[arg-type]
    with pytest.raises(DeviceUnreachable, match=r"did not answer while trying to connect"):
        read_device(params)


@pytest.mark.parametrize("mid_chunk", [False, True], ids=["between-chunks", "mid-chunk"])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_connection_dropped_after_some_chunks_fails_without_a_partial_log(
    emulator: StartEmulator, transport: str, mid_chunk: bool
) -> None:
    device = emulator(transport, records=generate_records(4000, USERS))  # 160 kB: 3 TCP / 10 UDP chunks
    device.failures.drop_after_chunks = 2
    device.failures.drop_mid_chunk = mid_chunk
    started = time.monotonic()
    with pytest.raises(DeviceUnreachable, match=r"while trying to read the (attendance buffer|users)"):
        read_device(params_for(device, timeout=0.3))
    assert time.monotonic() - started < 3  # pyzk alone spins forever on a TCP drop mid-chunk
    assert device.enabled  # the device re-enables itself once its client is gone
    device.failures.drop_after_chunks = None
    assert len(read_device(params_for(device)).records) == 4000


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_record_count_that_differs_from_the_buffer_is_a_data_mismatch_after_one_re_read(
    emulator: StartEmulator, transport: str
) -> None:
    device = emulator(transport, records=generate_records(500, USERS))
    device.failures.record_count_skew = 1
    with pytest.raises(DeviceDataMismatch, match=r"reported 501 attendance records .*also after a re-read"):
        read_device(params_for(device))
    assert device.command_counts[p.CMD_PREPARE_BUFFER] == 1 + 2  # users once, attendance twice
    assert device.enabled


def test_a_transient_count_mismatch_is_healed_by_the_re_read(emulator: StartEmulator) -> None:
    device = emulator("tcp", records=generate_records(500, USERS))
    # free sizes are read by get_users and then before each attendance read: skew the first two
    device.failures.record_count_skew, device.failures.skew_replies = 7, 2
    readout = read_device(params_for(device))
    assert (len(readout.records), readout.attempts) == (500, 2)


def test_a_count_that_fits_another_record_format_is_caught_by_a_pinned_format(emulator: StartEmulator) -> None:
    device = emulator("tcp", record_size=8, records=generate_records(500, USERS))
    device.failures.record_count_skew = -250  # 4000 bytes = 250 records of 16 bytes: plausible but wrong
    with pytest.raises(DeviceDataMismatch, match="configured for 8-byte records"):
        read_device(params_for(device, record_size=8))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_slow_device_with_a_small_timeout_is_unreachable_quickly(emulator: StartEmulator, transport: str) -> None:
    device = emulator(transport, records=generate_records(50, USERS))
    device.failures.reply_delay = 1.0
    started = time.monotonic()
    with pytest.raises(DeviceUnreachable, match="did not answer"):
        read_device(params_for(device, timeout=0.2))
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_slow_device_within_the_timeout_is_read_completely(emulator: StartEmulator, transport: str) -> None:
    device = emulator(transport, records=generate_records(3000, USERS))
    device.failures.reply_delay = 0.01
    assert len(read_device(params_for(device, timeout=1)).records) == 3000
