"""TCP and UDP servers of the emulated device, running on background threads.

    with ZKEmulator(DeviceConfig(records=generate_records(1000))) as dev:
        ZK(dev.host, dev.port, ommit_ping=True).connect()

TCP packets are framed ``<HHI`` (0x5050, 0x7D82, length); UDP datagrams are bare packets. The
emulator tolerates pyzk's throwaway TCP connect/close done before every TCP ``connect()``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import selectors
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Any

from sandbox.zk import protocol as p
from sandbox.zk.commands import CommandProcessor, Reply, Session
from sandbox.zk.config import DeviceConfig, EmulatedRecord, EmulatedUser, FailureConfig
from sandbox.zk.storage import DeviceStorage

logger = logging.getLogger(__name__)

_MAX_PACKET = 1 << 20


def _recv_exact(conn: socket.socket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        data = conn.recv(remaining)
        if not data:
            return None
        chunks.append(data)
        remaining -= len(data)
    return b"".join(chunks)


class ZKEmulator:
    """An emulated ZKTeco device on loopback, speaking pyzk 0.9's protocol over TCP and/or UDP."""

    def __init__(self, config: DeviceConfig | None = None, **overrides: Any) -> None:
        config = config or DeviceConfig()
        self.config = dataclasses.replace(config, **overrides) if overrides else config
        self.failures: FailureConfig = self.config.failures
        self.storage = DeviceStorage(self.config)
        self.processor = CommandProcessor(self.config, self.storage, self.failures)
        self.host = self.config.host
        self.port = self.config.port
        self._tcp_sock: socket.socket | None = None
        self._udp_sock: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._clients: set[socket.socket] = set()
        self._conn_threads: set[threading.Thread] = set()
        self._clients_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._running = False

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> ZKEmulator:
        if self._running:
            return self
        self._stop.clear()
        self._threads = []
        wake, self._wake_w = socket.socketpair()
        self._wake_r = wake
        self._bind()
        for name, target, enabled in (("tcp", self._tcp_loop, self._tcp_sock), ("udp", self._udp_loop, self._udp_sock)):
            if enabled is not None:
                thread = threading.Thread(
                    target=target, args=(wake,), name=f"zk-emulator-{name}:{self.port}", daemon=True
                )
                thread.start()
                self._threads.append(thread)
        self._running = True
        transports = "+".join(t for t, s in (("tcp", self._tcp_sock), ("udp", self._udp_sock)) if s)
        logger.info("ZK emulator %s listening on %s:%d (%s)", self.config.serial, self.host, self.port, transports)
        return self

    def _bind(self) -> None:
        for _attempt in range(50):
            tcp = udp = None
            try:
                if self.config.tcp:
                    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    tcp.bind((self.host, self.config.port))
                    tcp.listen(16)
                port = tcp.getsockname()[1] if tcp else self.config.port
                if self.config.udp:
                    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    udp.bind((self.host, port))
                    port = udp.getsockname()[1]
            except OSError:
                for sock in (tcp, udp):
                    if sock is not None:
                        sock.close()
                if self.config.port:
                    raise
                continue  # the UDP twin of a free TCP port was taken; try another port
            self._tcp_sock, self._udp_sock, self.port = tcp, udp, port
            return
        raise OSError("could not find a port free for both TCP and UDP")

    def stop(self) -> None:
        if not self._running:
            return
        self._stop.set()
        assert self._wake_w is not None
        self._wake_w.send(b"x")
        with self._clients_lock:
            clients = list(self._clients)
        for conn in clients:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        with self._clients_lock:
            threads = self._threads + list(self._conn_threads)
        for thread in threads:
            thread.join(timeout=5)
        for sock in (self._tcp_sock, self._udp_sock, self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._running = False
        logger.info("ZK emulator on port %d stopped", self.port)

    def __enter__(self) -> ZKEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- device data (thread-safe; usable while running) -----------------------------------------------

    @property
    def records(self) -> list[EmulatedRecord]:
        return self.storage.records

    @property
    def users(self) -> list[EmulatedUser]:
        return self.storage.users

    @property
    def enabled(self) -> bool:
        return self.storage.enabled

    @property
    def command_counts(self) -> Counter[int]:
        return self.processor.command_counts

    def add_record(
        self, user_id: str, timestamp: datetime | None = None, status: int = 1, punch: int = 0
    ) -> EmulatedRecord:
        """Punch now (device clock) or at ``timestamp``; deferred while the device is disabled."""
        record = EmulatedRecord(user_id, timestamp or self.storage.now(), status, punch)
        self.storage.add_records([record])
        return record

    def add_records(self, records: Iterable[EmulatedRecord]) -> int:
        return self.storage.add_records(records)

    def clear_records(self) -> int:
        return self.storage.clear_records()

    def device_time(self) -> datetime:
        return self.storage.now()

    # --- transports ---------------------------------------------------------------------------------

    def _delay(self) -> None:
        if self.failures.reply_delay > 0:
            self._stop.wait(self.failures.reply_delay)

    def _tcp_loop(self, wake: socket.socket) -> None:
        assert self._tcp_sock is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._tcp_sock, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select():
                    if key.fileobj is wake or self._stop.is_set():
                        return
                    conn, peer = self._tcp_sock.accept()
                    thread = threading.Thread(target=self._serve_tcp, args=(conn, peer), daemon=True)
                    thread.name = f"zk-emulator-conn:{peer[1]}"
                    with self._clients_lock:
                        self._conn_threads = {t for t in self._conn_threads if t.is_alive()} | {thread}
                    thread.start()

    def _serve_tcp(self, conn: socket.socket, peer: tuple[str, int]) -> None:
        with self._clients_lock:
            self._clients.add(conn)
        session = Session("tcp", peer)
        served = 0
        try:
            while not self._stop.is_set():
                top = _recv_exact(conn, p.TCP_TOP_SIZE)
                if top is None:
                    break
                magic1, magic2, length = p.TCP_TOP.unpack(top)
                if (magic1, magic2) != (p.TCP_MAGIC_1, p.TCP_MAGIC_2) or not 8 <= length <= _MAX_PACKET:
                    logger.warning("tcp %s: invalid frame header %s; closing", peer, top.hex())
                    break
                packet = _recv_exact(conn, length)
                if packet is None:
                    break
                served += 1
                reply = self.processor.handle(session, packet)
                self._delay()
                data = b"".join(p.tcp_frame(packet) for packet in reply.packets)
                if reply.drop:
                    if reply.cut:
                        conn.sendall(data[: len(data) // 2])
                    break
                conn.sendall(data)
                if reply.close:
                    break
        except OSError as exc:
            logger.debug("tcp %s: %s", peer, exc)
        finally:
            if not served:
                logger.debug("tcp %s: connection closed without a command (pyzk's probe)", peer)
            self.processor.close_session(session)
            with self._clients_lock:
                self._clients.discard(conn)
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_WR)
            conn.close()

    def _udp_loop(self, wake: socket.socket) -> None:
        sock = self._udp_sock
        assert sock is not None
        sessions: dict[Any, Session] = {}
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select():
                    if key.fileobj is wake or self._stop.is_set():
                        return
                    try:
                        datagram, peer = sock.recvfrom(65535)
                    except OSError as exc:  # e.g. ICMP port unreachable from a previous reply
                        logger.debug("udp recv: %s", exc)
                        continue
                    session = sessions.get(peer)
                    if session is None:
                        session = sessions[peer] = Session("udp", peer)
                    reply = self.processor.handle(session, datagram)
                    self._delay()
                    self._send_udp(sock, peer, reply, sessions)

    def _send_udp(self, sock: socket.socket, peer: Any, reply: Reply, sessions: dict[Any, Session]) -> None:
        packets = reply.packets[: len(reply.packets) // 2] if reply.drop and reply.cut else reply.packets
        if not reply.drop or reply.cut:
            for packet in packets:
                try:
                    sock.sendto(packet, peer)
                except OSError as exc:
                    logger.debug("udp send to %s: %s", peer, exc)
                    break
                if len(packets) > 8:
                    time.sleep(0)  # let the client drain a long DATA burst
        if reply.drop or reply.close:
            session = sessions.pop(peer, None)
            if session is not None:
                self.processor.close_session(session)
