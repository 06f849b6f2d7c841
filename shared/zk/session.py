"""Connection handling over pyzk: parameters, error translation, a disabled-device session.

pyzk is used for the transport only. Its traps handled here:

* Errors come as ``ZKErrorResponse`` / ``ZKNetworkError`` / ``ZKErrorConnection`` *and* as raw
  socket errors (the chunk receive paths do not wrap them); all become our :mod:`.errors` types.
* When a TCP peer closes in the middle of a data chunk, pyzk's raw receive loop spins forever on
  ``recv() == b''``. After connecting we wrap pyzk's socket so an empty read raises instead.
* ``ZK.__init__`` opens a UDP socket that ``connect()`` replaces without closing; we close it.
* ``connect()`` without ``ommit_ping=True`` shells out to ``ping``; we always omit it.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zk import ZK
from zk.exception import ZKErrorConnection, ZKErrorResponse, ZKNetworkError

from shared.zk.errors import (
    DeviceAuthFailed,
    DeviceError,
    DeviceProtocolError,
    DeviceUnreachable,
)
from shared.zk.records import RECORD_SIZES

logger = logging.getLogger(__name__)

Protocol = Literal["tcp", "udp"]
_SOCKET_ATTR = "_ZK__sock"  # pyzk 0.9 keeps its socket in a name-mangled private attribute


@dataclass(frozen=True, slots=True)
class DeviceParams:
    """How to reach one device. ``password`` is the numeric comm key (0 = none)."""

    host: str
    port: int = 4370
    protocol: Protocol = "tcp"
    password: int = 0
    timezone: str = "UTC"
    timeout: float = 10.0
    record_size: int | None = None
    """Pin the attendance record format (8, 16 or 40) when known; ``None`` = detect."""

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("device host is empty")
        if not 0 < self.port < 65536:
            raise ValueError(f"device port {self.port} is out of range 1-65535")
        if self.protocol not in ("tcp", "udp"):
            raise ValueError(f"device protocol must be 'tcp' or 'udp', got {self.protocol!r}")
        if isinstance(self.password, bool) or not isinstance(self.password, int) or self.password < 0:
            raise ValueError("device password (comm key) must be a non-negative integer")
        if self.timeout <= 0:
            raise ValueError(f"device timeout must be positive, got {self.timeout}")
        if self.record_size is not None and self.record_size not in RECORD_SIZES:
            raise ValueError(f"record_size must be one of {RECORD_SIZES} or None")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown device timezone {self.timezone!r}") from exc

    @property
    def address(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class _GuardedSocket:
    """Delegates to pyzk's socket; an empty TCP read (peer closed) raises instead of spinning."""

    def __init__(self, sock: socket.socket, *, stream: bool) -> None:
        self._sock = sock
        self._stream = stream

    def recv(self, size: int, *flags: int) -> bytes:
        data = self._sock.recv(size, *flags)
        if not data and size > 0 and self._stream:
            raise ConnectionResetError("the device closed the connection")
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _pyzk_socket(client: ZK) -> Any:
    return getattr(client, _SOCKET_ATTR, None)


def _close_socket(client: ZK) -> None:
    sock = _pyzk_socket(client)
    if sock is not None:
        try:
            sock.close()
        except OSError:  # pragma: no cover - closing never matters
            logger.debug("closing the device socket failed", exc_info=True)


@contextmanager
def translate_errors(params: DeviceParams, action: str) -> Iterator[None]:
    """Map pyzk and socket exceptions raised inside the block to :mod:`.errors` types."""
    where = f"device {params.address}"
    try:
        yield
    except DeviceError:
        raise
    except ZKErrorResponse as exc:
        if "Unauthenticated" in str(exc):
            raise DeviceAuthFailed(
                f"{where} refused the comm key while trying to {action}; check the password "
                "(Comm Key) configured for this device"
            ) from exc
        raise DeviceProtocolError(f"{where} rejected the request while trying to {action}: {exc}") from exc
    except ZKNetworkError as exc:
        raise DeviceUnreachable(
            f"{where} did not answer while trying to {action} ({exc or 'no reply'}); check that it "
            "is powered, reachable and that the protocol (tcp/udp) and port are right"
        ) from exc
    except ZKErrorConnection as exc:
        raise DeviceProtocolError(f"{where}: connection not established while trying to {action}") from exc
    except OSError as exc:
        raise DeviceUnreachable(
            f"{where} stopped answering while trying to {action} ({exc or type(exc).__name__})"
        ) from exc
    except (struct.error, ValueError, IndexError, TypeError, UnicodeError) as exc:
        raise DeviceProtocolError(
            f"{where} sent a reply that could not be decoded while trying to {action}: {exc!r}"
        ) from exc


def _make_client(params: DeviceParams, timeout: float) -> ZK:
    client = ZK(
        params.host,
        port=params.port,
        timeout=timeout,
        password=params.password,
        force_udp=params.protocol == "udp",
        ommit_ping=True,
    )
    _close_socket(client)  # the UDP socket opened by __init__; connect() creates the real one
    return client


def _cleanup(client: ZK, params: DeviceParams) -> None:
    """Re-enable the device and say goodbye; failures are logged, never raised."""
    for step in (client.enable_device, client.disconnect):
        try:
            step()
        except Exception as exc:
            logger.warning("device %s: %s failed during cleanup: %r", params.address, step.__name__, exc)


@contextmanager
def device_session(params: DeviceParams, *, timeout: float | None = None) -> Iterator[ZK]:
    """Connected pyzk client with the device disabled; enabled and disconnected on exit."""
    client = _make_client(params, timeout or params.timeout)
    try:
        with translate_errors(params, "connect"):
            client.connect()
        sock = _pyzk_socket(client)
        if sock is not None:
            setattr(client, _SOCKET_ATTR, _GuardedSocket(sock, stream=params.protocol == "tcp"))
        else:  # pragma: no cover - only if pyzk's internals change
            logger.warning("pyzk socket attribute not found; dropped connections may hang")
        logger.debug("device %s: connected", params.address)
        try:
            with translate_errors(params, "disable the device"):
                client.disable_device()
            yield client
        finally:
            _cleanup(client, params)
    finally:
        _close_socket(client)
