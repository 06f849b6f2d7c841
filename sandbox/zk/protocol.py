"""ZK wire protocol pieces shared by the emulator: constants, packets, checksum, comm key, time.

Written from the protocol (``zkemsdk.c`` as mirrored by pyzk 0.9), deliberately *not* importing
pyzk or ``shared.zk`` so that the emulator is an independent check of both.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass
from datetime import datetime

USHRT_MAX = 65535

CMD_OPTIONS_RRQ = 11
CMD_OPTIONS_WRQ = 12
CMD_ATTLOG_RRQ = 13
CMD_CLEAR_ATTLOG = 15
CMD_GET_FREE_SIZES = 50
CMD_GET_PINWIDTH = 69
CMD_GET_TIME = 201
CMD_SET_TIME = 202
CMD_CONNECT = 1000
CMD_EXIT = 1001
CMD_ENABLEDEVICE = 1002
CMD_DISABLEDEVICE = 1003
CMD_REFRESHDATA = 1013
CMD_REFRESHOPTION = 1014
CMD_GET_VERSION = 1100
CMD_AUTH = 1102
CMD_PREPARE_DATA = 1500
CMD_DATA = 1501
CMD_FREE_DATA = 1502
CMD_PREPARE_BUFFER = 1503
CMD_READ_BUFFER = 1504
CMD_ACK_OK = 2000
CMD_ACK_ERROR = 2001
CMD_ACK_UNAUTH = 2005
CMD_ACK_UNKNOWN = 0xFFFF

CMD_DB_RRQ = 7
CMD_USERTEMP_RRQ = 9
FCT_USER = 5
FCT_FINGERTMP = 2

TCP_MAGIC_1 = 0x5050
TCP_MAGIC_2 = 0x7D82  # pyzk's const.py comments it as 0x7282; the value it sends is 0x7D82
TCP_TOP = struct.Struct("<HHI")
HEADER = struct.Struct("<4H")
HEADER_SIZE = HEADER.size
TCP_TOP_SIZE = TCP_TOP.size

MAX_TCP_CHUNK = 0xFFC0
MAX_UDP_CHUNK = 16 * 1024
UDP_DATA_FRAME = 1024
DIRECT_DATA_MAX = 1024 - HEADER_SIZE
"""Largest payload pyzk can take as one reply: it reads UDP replies with ``recv(1024)``."""


@dataclass(frozen=True, slots=True)
class Packet:
    """One decoded command packet (header + payload)."""

    command: int
    checksum: int
    session_id: int
    reply_id: int
    data: bytes


def _fold(total: int) -> int:
    """The end-around-carry reduction zkemsdk.c applies while summing (value in 0..65535)."""
    return 0 if total == 0 else (total - 1) % USHRT_MAX + 1


def _word_sum(payload: bytes) -> int:
    """Sum of the little-endian 16-bit words; an odd last byte is added alone."""
    even = len(payload) & ~1
    words = array("H", payload[:even])
    if sys.byteorder == "big":  # pragma: no cover - the protocol is little-endian
        words.byteswap()
    return sum(words) + (payload[-1] if len(payload) & 1 else 0)


def checksum(payload: bytes) -> int:
    """The checksum pyzk (zkemsdk.c) puts in its requests: header (checksum field 0) + data, folded sum of LE
    words, inverted the way zkemsdk.c does it — one lower than a device's (:func:`device_checksum`)."""
    folded = _fold(_word_sum(payload))
    return USHRT_MAX - 1 - folded if folded < USHRT_MAX else USHRT_MAX - 1


def device_checksum(payload: bytes) -> int:
    """The checksum a device puts in its replies: the one's complement of the end-around-carry sum of the LE
    words. A capture from a real device (adrobinoga/zk-protocol, protocol.md: ``d007296af38d0a0009`` carries
    0x6a29) shows it; pyzk's formula gives 0x6a28 there."""
    return _fold(_word_sum(payload)) ^ USHRT_MAX


def build_packet(command: int, session_id: int, reply_id: int, data: bytes = b"") -> bytes:
    """A reply packet with the checksum a device computes (:func:`device_checksum`)."""
    unsigned = HEADER.pack(command, 0, session_id, reply_id) + data
    return HEADER.pack(command, device_checksum(unsigned), session_id, reply_id) + data


def parse_packet(raw: bytes) -> Packet:
    if len(raw) < HEADER_SIZE:
        raise ValueError(f"packet of {len(raw)} bytes is shorter than the 8-byte header")
    command, check, session_id, reply_id = HEADER.unpack_from(raw)
    return Packet(command, check, session_id, reply_id, bytes(raw[HEADER_SIZE:]))


def checksum_ok(packet: Packet) -> bool:
    """Accept a request's checksum as a device computes it, or as pyzk does with this reply id or the previous one.

    pyzk computes the checksum *before* incrementing the reply id and then sends the incremented
    id (wrapping 65534 → 0), and its formula is one lower than a device's; devices accept it.
    """
    unsigned = HEADER.pack(packet.command, 0, packet.session_id, packet.reply_id) + packet.data
    if device_checksum(unsigned) == packet.checksum:
        return True
    for reply_id in (packet.reply_id, (packet.reply_id - 1) % USHRT_MAX):
        unsigned = HEADER.pack(packet.command, 0, packet.session_id, reply_id) + packet.data
        if checksum(unsigned) == packet.checksum:
            return True
    return False


def tcp_frame(packet: bytes) -> bytes:
    return TCP_TOP.pack(TCP_MAGIC_1, TCP_MAGIC_2, len(packet)) + packet


def make_commkey(key: int, session_id: int, ticks: int = 50) -> bytes:
    """Scramble the comm key with the session id (``commpro.c`` MakeKey)."""
    reversed_bits = int(f"{key & 0xFFFFFFFF:032b}"[::-1], 2)
    value = (reversed_bits + session_id) & 0xFFFFFFFF
    scrambled = bytes(b ^ m for b, m in zip(struct.pack("<I", value), b"ZKSO", strict=True))
    low, high = struct.unpack("<HH", scrambled)
    swapped = struct.pack("<HH", high, low)
    tick = ticks & 0xFF
    return bytes((swapped[0] ^ tick, swapped[1] ^ tick, tick, swapped[3] ^ tick))


def commkey_matches(received: bytes, password: int, session_id: int) -> bool:
    """Check a CMD_AUTH payload; the third byte carries the client's tick value."""
    if len(received) < 4:
        return False
    return received[:4] == make_commkey(password, session_id, ticks=received[2])


def encode_time(when: datetime) -> int:
    day_index = (when.year % 100) * 372 + (when.month - 1) * 31 + when.day - 1
    return day_index * 86400 + (when.hour * 60 + when.minute) * 60 + when.second


def decode_time(value: int) -> datetime:
    value, second = divmod(value, 60)
    value, minute = divmod(value, 60)
    value, hour = divmod(value, 24)
    value, day = divmod(value, 31)
    year, month = divmod(value, 12)
    return datetime(year + 2000, month + 1, day + 1, hour, minute, second)
