"""Failure injection (forced errors and delays) and optional Telegram-like flood control."""

from __future__ import annotations

import itertools
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.telegram.errors import ApiError, too_many_requests

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Injection:
    """Make matching Bot API calls fail with ``status`` and/or answer ``delay_ms`` late."""

    id: int
    method: str
    """A method name (case-insensitive) or ``*`` for every method."""
    remaining: int | None
    """How many more calls it applies to; None means until cleared."""
    status: int | None = None
    retry_after: int | None = None
    description: str | None = None
    delay_ms: int = 0
    bot_id: int | None = None
    hits: int = 0

    def matches(self, method: str, bot_id: int) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.bot_id is not None and self.bot_id != bot_id:
            return False
        return self.method == "*" or self.method.lower() == method.lower()

    def error(self) -> ApiError | None:
        """The Bot API error this injection answers with (None for a pure delay)."""
        if self.status is None:
            return None
        if self.status == 429:
            error = too_many_requests(self.retry_after if self.retry_after is not None else 1)
            if self.description:
                error.description = self.description
            return error
        description = self.description or _DEFAULT_DESCRIPTIONS.get(self.status, f"Error {self.status}")
        parameters = {"retry_after": self.retry_after} if self.retry_after else None
        return ApiError(self.status, description, parameters)

    def to_control(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "remaining": self.remaining,
            "status": self.status,
            "retry_after": self.retry_after,
            "description": self.description,
            "delay_ms": self.delay_ms,
            "bot_id": self.bot_id,
            "hits": self.hits,
        }


class Injections:
    """The active injections, consumed first-come first-served."""

    def __init__(self) -> None:
        self._items: list[Injection] = []
        self._ids = itertools.count(1)

    def add(self, **fields: Any) -> Injection:
        injection = Injection(id=next(self._ids), **fields)
        self._items.append(injection)
        return injection

    def take(self, method: str, bot_id: int) -> Injection | None:
        """The first injection matching this call, with one use consumed."""
        for injection in self._items:
            if injection.matches(method, bot_id):
                injection.hits += 1
                if injection.remaining is not None:
                    injection.remaining -= 1
                self._items = [i for i in self._items if i.remaining is None or i.remaining > 0]
                return injection
        return None

    def clear(self) -> None:
        self._items.clear()

    def to_control(self) -> list[dict[str, Any]]:
        return [injection.to_control() for injection in self._items]


@dataclass
class FloodControl:
    """Sliding one-second windows per chat and per bot, off until configured.

    Telegram asks bots to stay under about one message per second in a chat and thirty
    per second overall; beyond that it answers 429 with ``retry_after``.
    """

    per_chat_per_second: float | None = None
    global_per_second: float | None = None
    _chat_sends: dict[tuple[int, int], deque[float]] = field(default_factory=dict)
    _bot_sends: dict[int, deque[float]] = field(default_factory=dict)

    def configure(self, per_chat_per_second: float | None, global_per_second: float | None) -> None:
        self.per_chat_per_second = per_chat_per_second
        self.global_per_second = global_per_second
        self._chat_sends.clear()
        self._bot_sends.clear()

    def check(self, bot_id: int, chat_id: int) -> None:
        """Record a message sent to ``chat_id``, or raise 429 if it exceeds a limit."""
        now = time.monotonic()
        windows: list[tuple[deque[float], float]] = []
        if self.per_chat_per_second:
            windows.append((self._chat_sends.setdefault((bot_id, chat_id), deque()), self.per_chat_per_second))
        if self.global_per_second:
            windows.append((self._bot_sends.setdefault(bot_id, deque()), self.global_per_second))
        for sends, limit in windows:
            while sends and now - sends[0] >= 1.0:
                sends.popleft()
            if len(sends) >= limit:
                raise too_many_requests(max(1, math.ceil(1.0 - (now - sends[0]))))
        for sends, _ in windows:
            sends.append(now)

    def to_control(self) -> dict[str, Any]:
        return {"per_chat_per_second": self.per_chat_per_second, "global_per_second": self.global_per_second}
