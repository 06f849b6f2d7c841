"""Every packet a device sends is verified before pyzk reads a byte of it; one deadline bounds a whole session.

pyzk 0.9 trusts the wire: it never checks a reply's checksum, nor that the reply answers the request it just
sent. A byte changed in transit then becomes a punch that never happened, and one duplicated UDP reply shifts
every later answer by one (a "successful" read of 0 records). pyzk is kept as it is; :class:`VerifyingZK` only
swaps the socket it talks through for a :class:`VerifiedSocket`, which

* remembers each request pyzk sends (command, session id, reply id; the size a READ_BUFFER chunk asks for);
* cuts the incoming TCP stream into frames (``<HHI`` 0x5050 0x7D82 length) — a UDP datagram is one packet —
  and hands a frame to pyzk only once it passed every check:

  - the checksum (one's complement of the 16-bit little-endian word sum, as devices compute it);
  - the reply id and, but for the answer to CMD_CONNECT (which assigns it), the session id of the request;
  - a READ_BUFFER chunk carries exactly the bytes asked for (PREPARE_DATA's size, the DATA frames' total);

* over UDP drops an intact datagram that answers an earlier request (a duplicate or a late reply) and reads on;
  anything else that fails a check raises :class:`ReplyRejected` (nothing doubtful is stored);
* bounds every wait by ``min(timeout, time left until the deadline)`` and raises :class:`DeadlineExceeded`
  once the deadline passed (``timeout`` alone bounds one reply: a device answering each request just under it
  would otherwise hold a sync for minutes).

Both exceptions travel through pyzk (which wraps some of them in ``ZKNetworkError``); :mod:`.session` finds
them in the exception chain and raises the matching :mod:`.errors` type.
"""

from __future__ import annotations

import logging
import socket
import struct
import sys
import time
from array import array
from dataclasses import dataclass
from typing import Any

from zk import ZK
from zk.base import ZK_helper
from zk.exception import ZKErrorResponse

logger = logging.getLogger(__name__)

TCP_TOP = struct.Struct("<HHI")
TCP_MAGIC = (0x5050, 0x7D82)
HEADER = struct.Struct("<4H")
MAX_FRAME = 1 << 20
CMD_CONNECT, CMD_PREPARE_DATA, CMD_DATA, CMD_READ_BUFFER, CMD_ACK_OK = 1000, 1500, 1501, 1504, 2000
_READ_BUFFER = struct.Struct("<ii")
_PREPARE_BUFFER = 1503
_SOCKET_ATTR = "_ZK__sock"  # pyzk 0.9 keeps its socket and timeout in name-mangled private attributes
_TIMEOUT_ATTR = "_ZK__timeout"


class ReplyRejected(Exception):
    """A device packet failed verification (checksum, session or reply id, chunk size, framing)."""


class DeadlineExceeded(Exception):
    """The session's overall deadline passed while waiting for the device."""


def device_checksum(packet: bytes | bytearray | memoryview) -> int:
    """The checksum a device puts in a packet: one's complement of the one's-complement sum of its 16-bit
    little-endian words (the checksum field counted as 0, an odd last byte added alone).

    (pyzk computes its requests' checksums one lower; devices do not check them.)
    """
    view = memoryview(packet).cast("B")
    even = len(view) & ~1
    words = array("H")
    words.frombytes(view[:even])
    if sys.byteorder == "big":  # pragma: no cover - the protocol is little-endian
        words.byteswap()
    total = sum(words) - (words[1] if len(words) > 1 else 0)
    if len(view) & 1:
        total += view[-1]
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total ^ 0xFFFF


@dataclass
class _Request:
    command: int
    session_id: int
    reply_id: int
    chunk: int | None = None
    """Bytes a READ_BUFFER asked for."""
    received: int = 0
    prepared: bool = False


class VerifiedSocket:
    """pyzk's socket, verifying what arrives (see the module doc); every other attribute is the socket's."""

    def __init__(self, sock: socket.socket, *, stream: bool, timeout: float, deadline: float | None) -> None:
        self._sock = sock
        self._stream = stream
        self.timeout = timeout
        self.deadline = deadline
        self._raw = bytearray()
        self._ready = bytearray()
        self._request: _Request | None = None
        self.dropped = 0
        """Intact UDP datagrams dropped because they answered an earlier request."""

    # --- the deadline ----------------------------------------------------------------------------------

    def wait_limit(self) -> float:
        """Seconds the next wait may last; raises :class:`DeadlineExceeded` once the deadline passed."""
        if self.deadline is None:
            return self.timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("the device session ran past its deadline")
        return min(self.timeout, left)

    def _receive(self, size: int) -> bytes:
        self._sock.settimeout(self.wait_limit())
        try:
            return self._sock.recv(size)
        except TimeoutError as exc:  # cut short by the deadline rather than by the device's own timeout?
            if self.deadline is not None and time.monotonic() >= self.deadline:
                raise DeadlineExceeded("the device session ran past its deadline") from exc
            raise

    def extend_deadline(self, seconds: float) -> None:
        """Give the goodbye (enable the device, EXIT) a short grace even after the deadline."""
        if self.deadline is not None:
            self.deadline = max(self.deadline, time.monotonic() + seconds)

    # --- outgoing ----------------------------------------------------------------------------------------

    def _note(self, packet: bytes) -> None:
        if len(packet) < HEADER.size:
            return
        command, _checksum, session_id, reply_id = HEADER.unpack_from(packet)
        request = _Request(command, session_id, reply_id)
        if command == CMD_READ_BUFFER and len(packet) >= HEADER.size + _READ_BUFFER.size:
            request.chunk = _READ_BUFFER.unpack_from(packet, HEADER.size)[1]
        self._request = request
        self._ready.clear()  # what pyzk left unread of the last reply must not become the answer to this one

    def send(self, data: bytes, *flags: int) -> int:
        self._note(data[TCP_TOP.size :] if self._stream else data)
        self._sock.settimeout(self.wait_limit())
        return self._sock.send(data, *flags)

    def sendto(self, data: bytes, address: Any) -> int:
        self._note(data)
        self._sock.settimeout(self.wait_limit())
        return self._sock.sendto(data, address)

    # --- incoming ----------------------------------------------------------------------------------------

    def recv(self, size: int, *flags: int) -> bytes:
        if size <= 0:
            return b""
        if not self._stream:
            return self._recv_datagram(size)
        while not self._ready:
            self._read_frames()
        out = bytes(self._ready[:size])
        del self._ready[:size]
        return out

    def _recv_datagram(self, size: int) -> bytes:
        while True:
            datagram = self._receive(65535)
            if self._verify(datagram):
                return datagram[:size]

    def _read_frames(self) -> None:
        data = self._receive(1 << 16)
        if not data:  # pyzk's raw receive loop would spin forever on an empty read
            raise ConnectionResetError("the device closed the connection")
        self._raw += data
        while len(self._raw) >= TCP_TOP.size:
            magic1, magic2, length = TCP_TOP.unpack_from(self._raw)
            if (magic1, magic2) != TCP_MAGIC or not HEADER.size <= length <= MAX_FRAME:
                raise ReplyRejected(f"the device sent bytes that are not a ZK frame ({bytes(self._raw[:8]).hex()})")
            end = TCP_TOP.size + length
            if len(self._raw) < end:
                return
            self._verify(bytes(self._raw[TCP_TOP.size : end]))
            self._ready += self._raw[:end]
            del self._raw[:end]

    def _verify(self, packet: bytes | memoryview) -> bool:
        """True: hand it to pyzk. False: an intact UDP answer to an earlier request, dropped. Else raises."""
        if len(packet) < HEADER.size:
            raise ReplyRejected(f"the device sent a {len(packet)}-byte packet, shorter than a header")
        command, checksum, session_id, reply_id = HEADER.unpack_from(packet)
        if device_checksum(packet) != checksum:
            raise ReplyRejected(f"a reply (code {command}, {len(packet)} bytes) has a wrong checksum: corrupted")
        request = self._request
        if request is None:
            raise ReplyRejected(f"the device sent a packet (code {command}) before any request")
        session_ok = request.command == CMD_CONNECT or session_id == request.session_id
        if reply_id != request.reply_id or not session_ok:
            what = f"reply #{reply_id} of session {session_id} to request #{request.reply_id}"
            if not self._stream:
                self.dropped += 1
                logger.info("dropped a stale or duplicated datagram: %s", what)
                return False
            raise ReplyRejected(f"the device answered another request: {what}")
        if request.chunk is not None:
            self._count_chunk(request, command, bytes(packet[HEADER.size : HEADER.size + 4]), len(packet))
        return True

    def _count_chunk(self, request: _Request, command: int, head: bytes, length: int) -> None:
        asked = request.chunk
        if command == CMD_PREPARE_DATA:
            announced = struct.unpack_from("<I", head)[0] if len(head) >= 4 else None
            if request.prepared or announced != asked:
                raise ReplyRejected(f"a buffer chunk of {asked} bytes was announced as {announced} bytes")
            request.prepared = True
        elif command == CMD_DATA:
            request.received += length - HEADER.size
            if request.received > (asked or 0) or (not request.prepared and request.received != asked):
                raise ReplyRejected(f"a buffer chunk of {asked} bytes arrived as {request.received} bytes")
        elif command == CMD_ACK_OK and request.prepared and request.received != asked:
            raise ReplyRejected(f"a buffer chunk of {asked} bytes ended after {request.received} bytes")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _BoundedHelper(ZK_helper):  # type: ignore[misc]
    """pyzk's throwaway TCP connect before ``connect()`` waits 10 s; bound it like every other wait."""

    def __init__(self, ip: str, port: int, wait: Any) -> None:
        super().__init__(ip, port)
        self._wait = wait

    def test_tcp(self) -> int:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(self._wait())
            return probe.connect_ex(self.address)


class VerifyingZK(ZK):  # type: ignore[misc]
    """pyzk's client talking through a :class:`VerifiedSocket` from its first packet (CMD_CONNECT) on."""

    def __init__(self, ip: str, *, port: int, timeout: float, deadline: float | None, **kwargs: Any) -> None:
        super().__init__(ip, port=port, timeout=timeout, **kwargs)
        self.wire_timeout, self.wire_deadline = timeout, deadline
        self.wire: VerifiedSocket | None = None
        self.helper = _BoundedHelper(ip, port, self._connect_wait)

    def _connect_wait(self) -> float:
        if self.wire_deadline is None:
            return self.wire_timeout
        left = self.wire_deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("the device session ran past its deadline before connecting")
        return min(self.wire_timeout, left)

    def _ZK__create_socket(self) -> None:  # overrides pyzk's name-mangled private method
        self.close_socket()
        setattr(self, _TIMEOUT_ATTR, self._connect_wait())  # bounds the TCP connect
        super()._ZK__create_socket()  # type: ignore[misc]
        setattr(self, _TIMEOUT_ATTR, self.wire_timeout)
        self.wire = VerifiedSocket(
            getattr(self, _SOCKET_ATTR), stream=self.tcp, timeout=self.wire_timeout, deadline=self.wire_deadline
        )
        setattr(self, _SOCKET_ATTR, self.wire)

    def close_socket(self) -> None:
        """Close whatever socket pyzk holds (``__init__`` opens a UDP one that ``connect()`` replaces)."""
        sock = getattr(self, _SOCKET_ATTR, None)
        if sock is not None:
            try:
                sock.close()
            except OSError:  # pragma: no cover - closing never matters
                logger.debug("closing the device socket failed", exc_info=True)

    def read_buffer_range(self, command: int, start: int, size: int) -> tuple[int, bytes, int]:
        """Have the device prepare the buffer of ``command`` (as pyzk's ``read_with_buffer``) but fetch only
        bytes ``[start, start + size)`` of it: (the whole buffer's size, the bytes, their offset).

        A device that answers with the whole buffer at once (a small one) gives it all: offset 0. A range
        past the end of the buffer fetches nothing (the caller compares the size with what it expected).
        """
        reply = self._ZK__send_command(_PREPARE_BUFFER, struct.pack("<bhii", 1, command, 0, 0), 1024)
        if not reply.get("status"):
            raise ZKErrorResponse("RWB Not supported")
        if reply["code"] == CMD_DATA:
            data = self._ZK__data
            if self.tcp and len(data) < self._ZK__tcp_length - 8:
                data = b"".join([data, self._ZK__recieve_raw_data(self._ZK__tcp_length - 8 - len(data))])
            return len(data), bytes(data), 0
        total = struct.unpack("<I", self._ZK__data[1:5])[0]
        if start < 0 or size <= 0 or start + size > total:
            self.free_data()
            return total, b"", start
        chunk = 0xFFC0 if self.tcp else 16 * 1024
        parts = [self._ZK__read_chunk(at, min(chunk, start + size - at)) for at in range(start, start + size, chunk)]
        self.free_data()
        return total, b"".join(parts), start
