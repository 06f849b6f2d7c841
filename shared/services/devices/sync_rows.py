"""The records read from a device as punch rows, built in a worker thread a chunk ahead of the database write."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import Executor
from datetime import timedelta
from typing import Any, TypeVar

from shared.domain.enums import DirectionMode
from shared.domain.punches import direction_from_code
from shared.services.attendance.punch_store import PunchRow, Span
from shared.zk import RawRecord, records_to_utc, to_utc

T = TypeVar("T")
BUILD_CHUNK = 20_000
SPAN_MARGIN = timedelta(hours=25)
"""Wider than any zone's offset ever jumped (Samoa skipped a whole day in 2011)."""


async def in_thread(executor: Executor | None, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking ``fn`` in ``executor`` (the default one when None), keeping the context variables."""
    if executor is None:
        return await asyncio.to_thread(fn, *args, **kwargs)
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, call)


class PunchRows:
    """The records read as punch rows, built chunk by chunk in the worker thread: the next chunk is converted
    (UTC, employee, direction) while the database stores the previous one. Every row built is kept in ``all``."""

    def __init__(
        self,
        records: Sequence[RawRecord],
        *,
        timezone: str,
        direction_mode: DirectionMode,
        employees: Mapping[str, int],
        executor: Executor | None,
    ) -> None:
        self.records, self.tz = records, timezone
        self.employees, self.executor = employees, executor
        codes = {record.punch for record in records}
        self.direction = {code: direction_from_code(code, direction_mode).value for code in codes}
        self.all: list[PunchRow] = []

    def span(self) -> Span | None:
        """A range holding every instant. Local → UTC can reorder around a transition (a time in the skipped
        hour is shifted past later ones), so the local extremes are widened by :data:`SPAN_MARGIN`."""
        if not self.records:
            return None
        local = [record.local_time for record in self.records]
        return to_utc(min(local), self.tz) - SPAN_MARGIN, to_utc(max(local), self.tz) + SPAN_MARGIN

    def _build(self, start: int) -> list[PunchRow]:
        records = self.records[start : start + BUILD_CHUNK]
        employees, direction = self.employees, self.direction
        return [
            (user, instant, employees.get(user), direction[punch], status, punch)
            for (user, _, status, punch, _), instant in zip(records, records_to_utc(records, self.tz), strict=True)
        ]

    async def chunks(self) -> AsyncIterator[list[PunchRow]]:
        starts = list(range(0, len(self.records), BUILD_CHUNK))
        pending = asyncio.ensure_future(in_thread(self.executor, self._build, starts[0])) if starts else None
        try:
            for index in range(len(starts)):
                assert pending is not None
                rows = await pending
                if index + 1 < len(starts):
                    pending = asyncio.ensure_future(in_thread(self.executor, self._build, starts[index + 1]))
                self.all.extend(rows)
                yield rows
        finally:
            if pending is not None and not pending.done():
                pending.cancel()  # the store gave up: nobody wants the next chunk
