"""A version counter that coroutines can wait on, and request-disconnect aware waiting."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request

T = TypeVar("T")


class Notifier:
    """A monotonically increasing version; ``bump`` wakes every waiter."""

    def __init__(self) -> None:
        self.version = 0
        self._event: asyncio.Event | None = None

    def bump(self) -> int:
        """Record a change and wake the waiters."""
        self.version += 1
        event, self._event = self._event, None
        if event is not None:
            event.set()
        return self.version

    def current(self) -> asyncio.Event:
        """The event the next bump sets. Take it *before* yielding to the loop, or a bump can be lost."""
        if self._event is None:
            self._event = asyncio.Event()
        return self._event

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the next bump; True if one happened."""
        event = self.current()
        if timeout <= 0:
            return False
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True


async def _disconnected(request: Request) -> None:
    """Return once the HTTP client has gone away."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def wait_until(
    check: Callable[[], T | None],
    notifiers: list[Notifier],
    timeout: float,
    *,
    request: Request | None = None,
    closed: Callable[[], bool] = lambda: False,
) -> T | None:
    """Long-poll: return ``check()`` as soon as it is not None, or None after ``timeout``.

    ``check`` is re-evaluated whenever one of ``notifiers`` is bumped. When ``request`` is
    given, the wait also ends if its client disconnects (PTB cancels long polls on stop).
    """
    deadline = time.monotonic() + max(timeout, 0.0)
    watcher = asyncio.ensure_future(_disconnected(request)) if request is not None else None
    try:
        while True:
            result = check()
            remaining = deadline - time.monotonic()
            if result is not None or remaining <= 0 or closed() or (watcher is not None and watcher.done()):
                return result
            # Grab the events synchronously, right after check(): a bump from here on sets them.
            waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(n.current().wait()) for n in notifiers]
            if watcher is not None:
                waits.append(watcher)
            _done, pending = await asyncio.wait(waits, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                if task is not watcher:
                    task.cancel()
    finally:
        if watcher is not None and not watcher.done():
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
