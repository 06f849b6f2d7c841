"""The long-poll primitive wakes on every change, including one that lands right after a check."""

from __future__ import annotations

import asyncio
import time

from sandbox.telegram.notify import Notifier, wait_until


async def test_a_change_right_after_the_check_wakes_the_waiter() -> None:
    notifier = Notifier()
    loop = asyncio.get_running_loop()
    calls = 0

    def check() -> str | None:
        nonlocal calls
        calls += 1
        if calls == 1:  # the bump runs before the waiter's own task gets its first step
            loop.call_soon(notifier.bump)
            return None
        return "changed"

    started = time.monotonic()
    result = await wait_until(check, [notifier], timeout=2)

    assert result == "changed"
    assert time.monotonic() - started < 0.5


async def test_waiting_without_changes_returns_none_after_the_timeout() -> None:
    started = time.monotonic()

    assert await wait_until(lambda: None, [Notifier()], timeout=0.1) is None
    assert time.monotonic() - started >= 0.1
