"""Connection handling over pyzk: parameters, error translation, a disabled-device session.

pyzk is used for the transport only, through :class:`shared.zk.wire.VerifyingZK` (every reply verified, one
deadline per session). Its traps handled here and there:

* Errors come as ``ZKErrorResponse`` / ``ZKNetworkError`` / ``ZKErrorConnection`` *and* as raw
  socket errors (the chunk receive paths do not wrap them); all become our :mod:`.errors` types.
* When a TCP peer closes in the middle of a data chunk, pyzk's raw receive loop spins forever on
  ``recv() == b''``; the verified socket raises instead.
* ``ZK.__init__`` opens a UDP socket that ``connect()`` replaces without closing; we close it.
* ``connect()`` without ``ommit_ping=True`` shells out to ``ping``; we always omit it.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zk import ZK
from zk.exception import ZKErrorConnection, ZKErrorResponse, ZKNetworkError

from shared.zk.errors import (
    DeviceAuthFailed,
    DeviceDeadlineExceeded,
    DeviceError,
    DeviceProtocolError,
    DeviceReplyRejected,
    DeviceUnreachable,
)
from shared.zk.records import RECORD_SIZES
from shared.zk.wire import DeadlineExceeded, ReplyRejected, VerifyingZK

logger = logging.getLogger(__name__)

Protocol = Literal["tcp", "udp"]
CLEANUP_GRACE_SECONDS = 2.0


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


def _in_chain(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``exc`` or the exception it was raised from / while handling, if one is a ``kind`` (pyzk re-wraps)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _translate(exc: Exception, params: DeviceParams, action: str) -> DeviceError:
    where = f"device {params.address}"
    rejected = _in_chain(exc, ReplyRejected)
    if rejected is not None:
        return DeviceReplyRejected(
            f"{where} sent a reply that failed verification while trying to {action}: {rejected}; nothing was stored"
        )
    late = _in_chain(exc, DeadlineExceeded)
    if late is not None:
        return DeviceDeadlineExceeded(f"{where}: the sync ran past its deadline while trying to {action}")
    if isinstance(exc, ZKErrorResponse):
        if "Unauthenticated" in str(exc):
            return DeviceAuthFailed(
                f"{where} refused the comm key while trying to {action}; check the password "
                "(Comm Key) configured for this device"
            )
        return DeviceProtocolError(f"{where} rejected the request while trying to {action}: {exc}")
    if isinstance(exc, ZKNetworkError):
        return DeviceUnreachable(
            f"{where} did not answer while trying to {action} ({exc or 'no reply'}); check that it "
            "is powered, reachable and that the protocol (tcp/udp) and port are right"
        )
    if isinstance(exc, ZKErrorConnection):
        return DeviceProtocolError(f"{where}: connection not established while trying to {action}")
    if isinstance(exc, OSError):
        return DeviceUnreachable(f"{where} stopped answering while trying to {action} ({exc or type(exc).__name__})")
    if isinstance(exc, (struct.error, ValueError, IndexError, TypeError, UnicodeError)):
        return DeviceProtocolError(f"{where} sent a reply that could not be decoded while trying to {action}: {exc!r}")
    raise exc


@contextmanager
def translate_errors(params: DeviceParams, action: str) -> Iterator[None]:
    """Map pyzk, socket and wire-verification exceptions raised inside the block to :mod:`.errors` types."""
    try:
        yield
    except DeviceError:
        raise
    except Exception as exc:
        raise _translate(exc, params, action) from exc


def _make_client(params: DeviceParams, timeout: float, deadline: float | None) -> VerifyingZK:
    return VerifyingZK(
        params.host,
        port=params.port,
        timeout=timeout,
        deadline=deadline,
        password=params.password,
        force_udp=params.protocol == "udp",
        ommit_ping=True,
    )


def _cleanup(client: ZK, params: DeviceParams) -> None:
    """Re-enable the device and say goodbye; failures are logged, never raised."""
    for step in (client.enable_device, client.disconnect):
        try:
            step()
        except Exception as exc:
            logger.warning("device %s: %s failed during cleanup: %r", params.address, step.__name__, exc)


@contextmanager
def device_session(
    params: DeviceParams, *, timeout: float | None = None, deadline: float | None = None
) -> Iterator[VerifyingZK]:
    """Connected pyzk client with the device disabled; enabled and disconnected on exit.

    Every reply is verified (:mod:`.wire`); ``deadline`` (a ``time.monotonic()`` instant) bounds the whole
    session, ``timeout`` (default ``params.timeout``) each wait. The goodbye gets a short grace past it.
    """
    wait = timeout or params.timeout
    client = _make_client(params, wait, deadline)
    try:
        with translate_errors(params, "connect"):
            client.connect()
        logger.debug("device %s: connected", params.address)
        try:
            with translate_errors(params, "disable the device"):
                client.disable_device()
            yield client
        finally:
            if client.wire is not None:
                client.wire.extend_deadline(min(wait, CLEANUP_GRACE_SECONDS))
            _cleanup(client, params)
    finally:
        client.close_socket()
