"""Command handling of the emulated device, independent of the transport.

``CommandProcessor.handle(session, raw_packet)`` returns a :class:`Reply`: the packets to send (the
transport frames them for TCP or sends each as a datagram), and whether to close or drop.
"""

from __future__ import annotations

import logging
import random
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.zk import protocol as p
from sandbox.zk.config import DeviceConfig, FailureConfig
from sandbox.zk.storage import DeviceStorage

logger = logging.getLogger(__name__)

_PREPARE_BUFFER = struct.Struct("<bhii")
_READ_BUFFER = struct.Struct("<ii")


@dataclass(eq=False)
class Session:
    """One client connection (TCP) or client address (UDP)."""

    transport: str
    peer: object
    session_id: int = 0
    connected: bool = False
    authenticated: bool = False
    buffer: memoryview | None = None
    chunks_served: int = 0


@dataclass
class Reply:
    packets: list[bytes] = field(default_factory=list)
    close: bool = False
    """Close the session after sending (EXIT)."""
    drop: bool = False
    """Injected failure: drop the connection instead of answering normally."""
    cut: bool = False
    """With ``drop``: first send about half of ``packets``."""


class CommandProcessor:
    """Implements the commands pyzk 0.9 uses against one :class:`DeviceStorage`."""

    def __init__(self, config: DeviceConfig, storage: DeviceStorage, failures: FailureConfig) -> None:
        self.config = config
        self.storage = storage
        self.failures = failures
        self.command_counts: Counter[int] = Counter()
        self._skewed_replies = 0
        self._rng = random.Random()
        self._handlers: dict[int, Callable[[Session, p.Packet], Reply]] = {
            p.CMD_CONNECT: self._connect,
            p.CMD_AUTH: self._auth,
            p.CMD_EXIT: self._exit,
            p.CMD_ENABLEDEVICE: self._enable,
            p.CMD_DISABLEDEVICE: self._disable,
            p.CMD_GET_VERSION: self._version,
            p.CMD_OPTIONS_RRQ: self._options,
            p.CMD_OPTIONS_WRQ: self._ok,
            p.CMD_GET_TIME: self._get_time,
            p.CMD_SET_TIME: self._set_time,
            p.CMD_GET_FREE_SIZES: self._free_sizes,
            p.CMD_GET_PINWIDTH: self._pin_width,
            p.CMD_PREPARE_BUFFER: self._prepare_buffer,
            p.CMD_READ_BUFFER: self._read_buffer,
            p.CMD_FREE_DATA: self._free_data,
            p.CMD_CLEAR_ATTLOG: self._clear_attlog,
            p.CMD_REFRESHDATA: self._ok,
            p.CMD_REFRESHOPTION: self._ok,
        }

    # --- entry points --------------------------------------------------------------------------

    def handle(self, session: Session, raw: bytes) -> Reply:
        try:
            packet = p.parse_packet(raw)
        except ValueError as exc:
            logger.warning("%s %s: %s", session.transport, session.peer, exc)
            return Reply(close=True)
        self.command_counts[packet.command] += 1
        if not p.checksum_ok(packet):
            logger.warning("bad checksum on command %d from %s", packet.command, session.peer)
            return self._answer(session, packet, p.CMD_ACK_ERROR)
        if packet.command not in (p.CMD_CONNECT, p.CMD_AUTH, p.CMD_EXIT):
            if not session.connected or packet.session_id != session.session_id:
                return self._answer(session, packet, p.CMD_ACK_ERROR)
            if not session.authenticated:
                return self._answer(session, packet, p.CMD_ACK_UNAUTH)
        handler = self._handlers.get(packet.command)
        if handler is None:
            logger.info("unsupported command %d from %s", packet.command, session.peer)
            return self._answer(session, packet, p.CMD_ACK_UNKNOWN)
        try:
            reply = handler(session, packet)
        except Exception:
            logger.exception("command %d from %s failed", packet.command, session.peer)
            return self._answer(session, packet, p.CMD_ACK_ERROR)
        return self._inject(packet.command, reply)

    def _inject(self, command: int, reply: Reply) -> Reply:
        """Transit faults of :class:`FailureConfig`: a flipped bit, a duplicated reply."""
        failures = self.failures
        if command == failures.corrupt_reply_to and failures.corrupt_replies > 0 and reply.packets:
            failures.corrupt_replies -= 1
            index = max(range(len(reply.packets)), key=lambda i: len(reply.packets[i]))
            damaged = bytearray(reply.packets[index])
            offset = p.HEADER_SIZE + (len(damaged) - p.HEADER_SIZE) // 2 if len(damaged) > p.HEADER_SIZE else 0
            damaged[offset] ^= 0x04
            reply.packets[index] = bytes(damaged)
            logger.info("injected failure: flipped a bit at byte %d of the reply to command %d", offset, command)
        if command == failures.duplicate_reply_to and failures.duplicate_replies > 0 and reply.packets:
            failures.duplicate_replies -= 1
            reply.packets = reply.packets + reply.packets
            logger.info("injected failure: the reply to command %d is sent twice", command)
        return reply

    def close_session(self, session: Session) -> None:
        """The connection ended: a device re-enables itself when its disabling client is gone."""
        self.storage.enable(session)
        session.buffer = None
        session.connected = False

    # --- helpers ---------------------------------------------------------------------------------

    def _packet(self, session: Session, request: p.Packet, code: int, data: bytes = b"") -> bytes:
        return p.build_packet(code, session.session_id, request.reply_id, data)

    def _answer(self, session: Session, request: p.Packet, code: int, data: bytes = b"") -> Reply:
        return Reply([self._packet(session, request, code, data)])

    def _ok(self, session: Session, request: p.Packet) -> Reply:
        return self._answer(session, request, p.CMD_ACK_OK)

    # --- session -----------------------------------------------------------------------------------

    def _connect(self, session: Session, request: p.Packet) -> Reply:
        self.storage.enable(session)
        session.session_id = self._rng.randrange(1, 0xFFFF)
        session.connected = True
        session.authenticated = self.config.password == 0
        session.buffer, session.chunks_served = None, 0
        code = p.CMD_ACK_OK if session.authenticated else p.CMD_ACK_UNAUTH
        logger.debug("%s connect from %s: session %d", session.transport, session.peer, session.session_id)
        return self._answer(session, request, code)

    def _auth(self, session: Session, request: p.Packet) -> Reply:
        if not session.connected:
            return self._answer(session, request, p.CMD_ACK_ERROR)
        good = p.commkey_matches(request.data, self.config.password, session.session_id)
        session.authenticated = good and not self.failures.refuse_auth
        if not session.authenticated:
            logger.info("%s %s: comm key refused", session.transport, session.peer)
        return self._answer(session, request, p.CMD_ACK_OK if session.authenticated else p.CMD_ACK_UNAUTH)

    def _exit(self, session: Session, request: p.Packet) -> Reply:
        reply = self._answer(session, request, p.CMD_ACK_OK)
        reply.close = True
        return reply

    def _enable(self, session: Session, request: p.Packet) -> Reply:
        self.storage.enable(session)
        return self._ok(session, request)

    def _disable(self, session: Session, request: p.Packet) -> Reply:
        self.storage.disable(session)
        return self._ok(session, request)

    # --- identity, options, clock, sizes ---------------------------------------------------------------

    def _version(self, session: Session, request: p.Packet) -> Reply:
        return self._answer(session, request, p.CMD_ACK_OK, self.config.firmware.encode() + b"\x00")

    def _option_values(self) -> dict[str, str]:
        config = self.config
        values = {
            "SerialNumber": config.serial,
            "Platform": config.platform,
            "DeviceName": config.device_name,
            "MAC": config.mac,
            "ZKFPVersion": "10",
            "ZKFaceVersion": "0",
            "FaceFunOn": "0",
            "ExtendFmt": "1" if config.record_size == 40 else "0",
            "UserExtFmt": "1" if config.user_size == 72 else "0",
            "CompatOldFirmware": "0",
            "IPAddress": config.host,
            "NetMask": "255.255.255.0",
            "GATEIPAddress": "0.0.0.0",
            "OS": "1",
        }
        values.update(config.options)
        return values

    def _options(self, session: Session, request: p.Packet) -> Reply:
        key = request.data.split(b"\x00", 1)[0].decode(errors="replace")
        value = self._option_values().get(key.lstrip("~"))
        if value is None:
            return self._answer(session, request, p.CMD_ACK_ERROR)
        return self._answer(session, request, p.CMD_ACK_OK, f"{key}={value}".encode() + b"\x00")

    def _get_time(self, session: Session, request: p.Packet) -> Reply:
        return self._answer(session, request, p.CMD_ACK_OK, struct.pack("<I", p.encode_time(self.storage.now())))

    def _set_time(self, session: Session, request: p.Packet) -> Reply:
        try:
            (value,) = struct.unpack_from("<I", request.data)
            self.storage.set_time(p.decode_time(value))
        except (struct.error, ValueError) as exc:
            logger.warning("bad SET_TIME payload %r: %s", request.data, exc)
            return self._answer(session, request, p.CMD_ACK_ERROR)
        return self._ok(session, request)

    def _free_sizes(self, session: Session, request: p.Packet) -> Reply:
        skew = self.failures.record_count_skew
        if skew and self.failures.skew_replies is not None:
            if self._skewed_replies >= self.failures.skew_replies:
                skew = 0
            else:
                self._skewed_replies += 1
        return self._answer(session, request, p.CMD_ACK_OK, self.storage.free_sizes(skew))

    def _pin_width(self, session: Session, request: p.Packet) -> Reply:
        return self._answer(session, request, p.CMD_ACK_OK, bytes([9]))

    # --- buffered reads ------------------------------------------------------------------------------

    def _prepare_buffer(self, session: Session, request: p.Packet) -> Reply:
        try:
            _flag, command, fct, _ext = _PREPARE_BUFFER.unpack_from(request.data)
        except struct.error:
            return self._answer(session, request, p.CMD_ACK_ERROR)
        if command == p.CMD_ATTLOG_RRQ:
            blob = self.storage.attendance_blob()
        elif command == p.CMD_USERTEMP_RRQ and fct == p.FCT_USER:
            blob = self.storage.user_blob()
        elif command == p.CMD_DB_RRQ and fct == p.FCT_FINGERTMP:
            blob = struct.pack("<I", 0)
        else:
            return self._answer(session, request, p.CMD_ACK_ERROR)
        session.buffer = memoryview(blob)
        if len(blob) <= self.config.direct_data_max:
            return self._answer(session, request, p.CMD_DATA, blob)
        return self._answer(session, request, p.CMD_ACK_OK, struct.pack("<BI", 0, len(blob)))

    def _read_buffer(self, session: Session, request: p.Packet) -> Reply:
        try:
            start, size = _READ_BUFFER.unpack_from(request.data)
        except struct.error:
            return self._answer(session, request, p.CMD_ACK_ERROR)
        buffer = session.buffer
        if buffer is None or start < 0 or size <= 0 or start + size > len(buffer):
            logger.warning("READ_BUFFER %d+%d outside the prepared buffer", start, size)
            return self._answer(session, request, p.CMD_ACK_ERROR)
        limit = self.failures.drop_after_chunks
        dropping = limit is not None and session.chunks_served >= limit
        session.chunks_served += 1
        chunk = bytes(buffer[start : start + size])
        if len(chunk) <= self.config.direct_data_max or (
            session.transport == "tcp" and self.config.tcp_chunk_mode == "data"
        ):
            packets = [self._packet(session, request, p.CMD_DATA, chunk)]
        else:
            frame = len(chunk) if session.transport == "tcp" else p.UDP_DATA_FRAME
            packets = [self._packet(session, request, p.CMD_PREPARE_DATA, struct.pack("<II", len(chunk), 0))]
            packets += [
                self._packet(session, request, p.CMD_DATA, chunk[i : i + frame]) for i in range(0, len(chunk), frame)
            ]
            packets.append(self._packet(session, request, p.CMD_ACK_OK))
        if dropping:
            logger.info("injected failure: dropping %s %s after %d chunks", session.transport, session.peer, limit)
            return Reply(packets, drop=True, cut=self.failures.drop_mid_chunk)
        return Reply(packets)

    def _free_data(self, session: Session, request: p.Packet) -> Reply:
        session.buffer = None
        return self._ok(session, request)

    def _clear_attlog(self, session: Session, request: p.Packet) -> Reply:
        self.storage.clear_records()
        return self._ok(session, request)
