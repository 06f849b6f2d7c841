"""The verified socket hands pyzk only packets that answer the request just sent, intact and complete."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.zk import protocol as p
from shared.zk.wire import DeadlineExceeded, ReplyRejected, VerifiedSocket, device_checksum

SESSION, REPLY = 0x45CF, 7


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, device = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    yield ours, device
    ours.close()
    device.close()


@pytest.fixture
def datagrams() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, device = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    yield ours, device
    ours.close()
    device.close()


def request(command: int, data: bytes = b"", *, session: int = SESSION, reply: int = REPLY) -> bytes:
    return p.build_packet(command, session, reply, data)


def reply(command: int, data: bytes = b"", *, session: int = SESSION, reply_id: int = REPLY) -> bytes:
    return p.build_packet(command, session, reply_id, data)


def stream(sock: socket.socket, *, deadline: float | None = None, timeout: float = 1.0) -> VerifiedSocket:
    return VerifiedSocket(sock, stream=True, timeout=timeout, deadline=deadline)


def test_the_checksum_matches_the_capture_of_a_real_device() -> None:
    # adrobinoga/zk-protocol protocol.md test vectors: a device reply and a request, checksum included
    for packet in ("d007296af38d0a0009", "0b005a17f38d03005a4b4661636556657273696f6e00"):
        raw = bytes.fromhex(packet)
        assert device_checksum(raw) == struct.unpack_from("<H", raw, 2)[0]


@given(st.binary(min_size=8, max_size=2000))
def test_the_checksum_agrees_with_the_emulators_independent_one(packet: bytes) -> None:
    assert device_checksum(packet) == p.device_checksum(packet[:2] + b"\0\0" + packet[4:])


@given(st.binary(min_size=1, max_size=400), st.integers(0, 10_000), st.integers(0, 7))
def test_any_single_flipped_bit_is_caught_by_the_checksum(data: bytes, position: int, bit: int) -> None:
    packet = bytearray(reply(p.CMD_DATA, data))
    packet[position % len(packet)] ^= 1 << bit
    (stored,) = struct.unpack_from("<H", packet, 2)
    assert device_checksum(packet) != stored


def test_an_intact_answer_to_the_request_is_handed_out_whole_in_the_pieces_asked(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(p.tcp_frame(request(p.CMD_GET_TIME)))
    answer = p.tcp_frame(reply(p.CMD_ACK_OK, b"\x01\x02\x03\x04"))
    device.sendall(answer[:5])
    device.sendall(answer[5:])
    assert wire.recv(6) + wire.recv(100) == answer


def test_a_flipped_bit_is_rejected_before_pyzk_sees_a_byte(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(p.tcp_frame(request(p.CMD_GET_TIME)))
    damaged = bytearray(p.tcp_frame(reply(p.CMD_ACK_OK, b"\x01\x02\x03\x04")))
    damaged[-2] ^= 0x10
    device.sendall(damaged)
    with pytest.raises(ReplyRejected, match="wrong checksum"):
        wire.recv(1024)


@pytest.mark.parametrize(
    ("session", "reply_id"), [(SESSION, REPLY - 1), (SESSION + 1, REPLY)], ids=["earlier-reply", "other-session"]
)
def test_over_tcp_an_answer_to_another_request_is_rejected(pair, session: int, reply_id: int) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(p.tcp_frame(request(p.CMD_GET_TIME)))
    device.sendall(p.tcp_frame(reply(p.CMD_ACK_OK, session=session, reply_id=reply_id)))
    with pytest.raises(ReplyRejected, match="answered another request"):
        wire.recv(1024)


def test_the_answer_to_connect_may_assign_the_session(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(p.tcp_frame(request(p.CMD_CONNECT, session=0, reply=0)))
    device.sendall(p.tcp_frame(reply(p.CMD_ACK_OK, session=SESSION, reply_id=0)))
    assert len(wire.recv(1024)) == 16


def test_over_udp_a_duplicated_earlier_reply_is_dropped_and_the_right_one_handed_out(datagrams) -> None:
    ours, device = datagrams
    wire = VerifiedSocket(ours, stream=False, timeout=1.0, deadline=None)
    wire.send(request(p.CMD_GET_TIME, reply=REPLY))
    device.send(reply(p.CMD_ACK_OK, b"old!", reply_id=REPLY - 1))  # the copy of the previous answer
    device.send(reply(p.CMD_ACK_OK, b"new!", reply_id=REPLY))
    assert wire.recv(1024)[8:] == b"new!" and wire.dropped == 1


def test_over_udp_a_corrupted_datagram_is_rejected_not_dropped(datagrams) -> None:
    ours, device = datagrams
    wire = VerifiedSocket(ours, stream=False, timeout=1.0, deadline=None)
    wire.send(request(p.CMD_GET_TIME))
    damaged = bytearray(reply(p.CMD_ACK_OK, b"\x00\x00\x00\x00", reply_id=REPLY - 1))
    damaged[9] ^= 1
    device.send(damaged)
    with pytest.raises(ReplyRejected, match="wrong checksum"):
        wire.recv(1024)


def _read_buffer(size: int) -> bytes:
    return p.tcp_frame(request(p.CMD_READ_BUFFER, struct.pack("<ii", 0, size)))


def test_a_chunk_must_carry_exactly_the_bytes_asked_for(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(_read_buffer(100))
    device.sendall(p.tcp_frame(reply(p.CMD_DATA, b"x" * 99)))
    with pytest.raises(ReplyRejected, match="100 bytes arrived as 99"):
        wire.recv(1024)


def test_a_prepared_chunk_that_ends_short_is_rejected(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(_read_buffer(100))
    for packet in (
        reply(p.CMD_PREPARE_DATA, struct.pack("<II", 100, 0)),
        reply(p.CMD_DATA, b"x" * 60),
        reply(p.CMD_ACK_OK),
    ):
        device.sendall(p.tcp_frame(packet))
    with pytest.raises(ReplyRejected, match="ended after 60 bytes"):
        while True:
            wire.recv(24)


def test_a_chunk_announced_with_another_size_is_rejected(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(_read_buffer(100))
    device.sendall(p.tcp_frame(reply(p.CMD_PREPARE_DATA, struct.pack("<II", 90, 0))))
    with pytest.raises(ReplyRejected, match="announced as 90"):
        wire.recv(1024)


def test_bytes_that_are_not_a_frame_are_rejected(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(p.tcp_frame(request(p.CMD_GET_TIME)))
    device.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    with pytest.raises(ReplyRejected, match="not a ZK frame"):
        wire.recv(1024)


def test_a_peer_that_closes_raises_instead_of_returning_nothing(pair) -> None:
    ours, device = pair
    wire = stream(ours)
    wire.send(p.tcp_frame(request(p.CMD_GET_TIME)))
    device.close()
    with pytest.raises(ConnectionResetError):
        wire.recv(1024)


def test_no_wait_outlasts_the_deadline_even_when_the_timeout_is_longer(pair) -> None:
    ours, _device = pair
    wire = stream(ours, deadline=time.monotonic() + 0.3, timeout=5.0)
    wire.send(p.tcp_frame(request(p.CMD_GET_TIME)))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        wire.recv(1024)
    assert time.monotonic() - started < 1.0
    with pytest.raises(DeadlineExceeded):
        wire.recv(1024)
    wire.extend_deadline(0.2)
    assert wire.wait_limit() <= 0.2
