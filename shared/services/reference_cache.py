"""A short-lived, per-process memory of rarely changing reference rows (shifts, office geofences).

A check-in reads the employee's shift and office on every punch; both change a few times a year. Keeping
them for ``TTL_SECONDS`` saves two round trips per punch. The cost of staleness is bounded and harmless:
for up to a minute after HR edits a shift or an office, a check-in reply may show the old worked-time
window or geofence; nightly processing always reads the tables themselves.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
TTL_SECONDS = 60.0
_entries: dict[tuple[str, Any], tuple[float, Any]] = {}


async def remembered(kind: str, key: Any, load: Callable[[], Awaitable[T]], *, ttl: float = TTL_SECONDS) -> T:
    """``load()``'s value for (kind, key), reused for ``ttl`` seconds."""
    now = time.monotonic()
    hit = _entries.get((kind, key))
    if hit is not None and now - hit[0] < ttl:
        return hit[1]  # type: ignore[no-any-return]
    value = await load()
    _entries[(kind, key)] = (now, value)
    return value


def forget(kind: str | None = None) -> None:
    """Drop remembered values (all, or one kind): tests and writers of the reference tables call it."""
    for entry in [k for k in _entries if kind is None or k[0] == kind]:
        _entries.pop(entry, None)
