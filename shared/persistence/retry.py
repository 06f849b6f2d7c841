"""Trying a call again while its dependency is unavailable for a moment, within a deadline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared.persistence.errors import is_unavailable, one_line

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_PAUSE = 0.2
LONGEST_PAUSE = 2.0


async def patiently(call: Callable[[], Awaitable[T]], *, seconds: float, what: str) -> T:
    """``await call()``; when it fails because the database or Redis is unavailable, again after a growing
    pause, until ``seconds`` are over (then the last error is raised). Other errors are raised at once."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    pause = FIRST_PAUSE
    while True:
        try:
            return await call()
        except Exception as exc:
            if not is_unavailable(exc) or loop.time() + pause > deadline:
                raise
            log.warning("%s: %s; trying again in %.1f s", what, one_line(exc), pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)
