"""Before the demo starts anything: are its ports free? One line names the first busy one."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterable


def port_in_use(port: int, *, udp: bool = False, host: str = "127.0.0.1") -> bool:
    """Whether binding ``host:port`` fails (something listens there already)."""
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    with contextlib.closing(socket.socket(socket.AF_INET, kind)) as probe:
        if not udp:  # like the servers: a port left in TIME_WAIT by the last run is free, a listener is not
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def first_busy(ports: Iterable[tuple[str, int, bool]]) -> tuple[str, int] | None:
    """The first (what, port) of ``(what, port, udp)`` that is in use, or None when all are free."""
    for what, port, udp in ports:
        if port_in_use(port, udp=udp):
            return what, port
    return None
