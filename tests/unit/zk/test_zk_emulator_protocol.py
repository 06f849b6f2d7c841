"""Emulator protocol pieces agree with pyzk: checksum, comm key, packets; config validation."""

from __future__ import annotations

import struct
from datetime import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from zk import ZK
from zk.base import make_commkey as pyzk_make_commkey

from sandbox.zk import DeviceConfig, DeviceStorage, EmulatedRecord, EmulatedUser, generate_records, make_users
from sandbox.zk import protocol as p
from shared.zk import DeviceParams

_PYZK = ZK("127.0.0.1", ommit_ping=True)  # only its private helpers are used
_PYZK._ZK__sock.close()


@given(st.binary(max_size=300))
def test_the_checksum_equals_pyzks_for_any_payload(payload: bytes) -> None:
    (expected,) = struct.unpack("<H", _PYZK._ZK__create_checksum(list(payload)))
    assert p.checksum(payload) == expected


@pytest.mark.parametrize(
    "payload", [b"", b"\xff\xff", b"\xff\xff" * 3 + b"\x01", b"\xff\xfe" * 500, b"\x00\x80" * 7 + b"\xff"]
)
def test_the_checksum_folds_carries_like_zkemsdk(payload: bytes) -> None:
    (expected,) = struct.unpack("<H", _PYZK._ZK__create_checksum(list(payload)))
    assert p.checksum(payload) == expected


def test_the_comm_key_matches_pyzks_published_test_vector() -> None:
    assert p.make_commkey(45, 0x45CF).hex() == "61c9323c"


@given(key=st.integers(0, 999_999), session=st.integers(0, 65534), ticks=st.integers(0, 255))
def test_the_comm_key_equals_pyzks_and_is_accepted_only_with_the_right_password(
    key: int, session: int, ticks: int
) -> None:
    # pyzk packs the bit-reversed key plus the session id as a u32 without wrapping (struct.error past 2**32)
    assume(int(f"{key:032b}"[::-1], 2) + session < 2**32)
    sent = pyzk_make_commkey(key, session, ticks)
    assert p.make_commkey(key, session, ticks) == sent
    assert p.commkey_matches(sent, key, session)
    assert not p.commkey_matches(sent, key + 1, session)


@given(
    command=st.integers(0, 65535),
    session=st.integers(0, 65535),
    reply=st.integers(0, 65534),
    data=st.binary(max_size=64),
)
def test_a_packet_built_by_pyzk_passes_the_lenient_checksum_check(
    command: int, session: int, reply: int, data: bytes
) -> None:
    raw = _PYZK._ZK__create_header(command, data, session, reply)  # checksum of reply, header says reply + 1
    packet = p.parse_packet(raw)
    assert packet.reply_id == (reply + 1) % p.USHRT_MAX
    assert p.checksum_ok(packet)


def test_a_corrupted_packet_fails_the_checksum_check() -> None:
    raw = bytearray(p.build_packet(p.CMD_CONNECT, 0, 5, b"hello"))
    raw[-1] ^= 0x10
    assert not p.checksum_ok(p.parse_packet(bytes(raw)))


def test_tcp_frames_carry_the_0x5050_0x7d82_magic_and_the_length() -> None:
    assert p.tcp_frame(b"12345678")[:8] == bytes.fromhex("5050827d08000000")


def test_generated_records_are_deterministic_chronological_weekday_punches() -> None:
    users = make_users(3)
    first, again = list(generate_records(50, users)), list(generate_records(50, users))
    assert first == again and len(first) == 50
    assert all(r.timestamp.weekday() < 5 for r in first)
    days = [r.timestamp.date() for r in first]
    assert days == sorted(days)


def test_16_byte_devices_refuse_text_user_ids() -> None:
    with pytest.raises(ValueError, match="numeric user id"):
        DeviceStorage(DeviceConfig(record_size=16, records=[EmulatedRecord("EMP-1", datetime(2026, 1, 1))]))


def test_28_byte_user_records_refuse_long_names() -> None:
    with pytest.raises(ValueError, match="longer than 8 bytes"):
        DeviceStorage(DeviceConfig(record_size=8, users=[EmulatedUser(1, "1", "Maximilian")]))


def test_a_device_config_refuses_an_unknown_record_format() -> None:
    with pytest.raises(ValueError, match="record_size"):
        DeviceConfig(record_size=49)


def test_punches_added_while_the_device_is_disabled_wait_for_enable() -> None:
    storage = DeviceStorage(DeviceConfig())
    holder = object()
    storage.disable(holder)
    storage.add_records([EmulatedRecord("1", datetime(2026, 1, 1))])
    assert storage.record_count == 0
    storage.enable(holder)
    assert storage.record_count == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"protocol": "http"}, "protocol"),
        ({"port": 0}, "port"),
        ({"password": -1}, "password"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"record_size": 49}, "record_size"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_device_params_refuse_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeviceParams("10.0.0.5", **kwargs)  # type: ignore[arg-type]


def test_device_params_name_the_address_and_the_zone() -> None:
    params = DeviceParams("10.0.0.5", protocol="udp", timezone="Europe/Berlin")
    assert params.address == "udp://10.0.0.5:4370" and params.zone.key == "Europe/Berlin"


def test_a_reply_is_built_byte_for_byte_like_the_capture_of_a_real_device() -> None:
    # adrobinoga/zk-protocol protocol.md: an ACK_OK of session 0x8df3, reply 10, data 09, checksum 0x6a29
    assert p.build_packet(p.CMD_ACK_OK, 0x8DF3, 0x000A, b"\x09") == bytes.fromhex("d007296af38d0a0009")


def test_a_request_with_a_devices_checksum_is_accepted_too() -> None:
    assert p.checksum_ok(p.parse_packet(bytes.fromhex("0b005a17f38d03005a4b4661636556657273696f6e00")))
