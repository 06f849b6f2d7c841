"""Prometheus metrics of one app: HTTP requests, plus business numbers read from the database.

Each app owns a ``CollectorRegistry`` (tests build many apps in one process). The database numbers are
fetched asynchronously when ``/metrics`` is scraped and kept for ``cache_seconds``, so frequent scrapes
(or several Prometheus servers) cost at most one round of small queries per period. With several worker
processes (``chronos api --workers N``) ``PROMETHEUS_MULTIPROC_DIR`` is set and the HTTP instruments of
all workers are read from that directory and added up.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from api.scheduler_metrics import SchedulerSnapshot, scheduler_metrics, scheduler_snapshot
from shared.domain.enums import LeaveStatus, OutboxStatus
from shared.model import Device, LeaveRequest, OutboxMessage, Punch
from shared.persistence import Database

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class _Snapshot:
    leave_requests: dict[str, int] = field(default_factory=dict)
    punches: int = 0
    outbox: dict[str, int] = field(default_factory=dict)
    last_sync: dict[str, datetime] = field(default_factory=dict)
    scheduler: SchedulerSnapshot | None = None


class DatabaseCollector(Collector):
    """Leave requests by status, punches stored, outbox backlog and device sync age, from the last refresh."""

    def __init__(self, database: Database, *, cache_seconds: float) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self._snapshot: _Snapshot | None = None
        self._fetched_at = float("-inf")
        self._ok = False
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        if time.monotonic() - self._fetched_at < self.cache_seconds:
            return
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.cache_seconds:
                return
            try:
                self._snapshot = await self._query()
                self._ok = True
            except Exception:
                logger.warning("metrics: database query failed", exc_info=True)
                self._ok = False
            self._fetched_at = time.monotonic()

    async def _query(self) -> _Snapshot:
        snap = _Snapshot()
        async with self.database.session() as session:
            rows = await session.execute(select(LeaveRequest.status, func.count()).group_by(LeaveRequest.status))
            snap.leave_requests = {str(status): int(n) for status, n in rows.all()}
            snap.punches = int(await session.scalar(select(func.count()).select_from(Punch)) or 0)
            rows = await session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.DEAD]))
                .group_by(OutboxMessage.status)
            )
            snap.outbox = {str(status): int(n) for status, n in rows.all()}
            rows = await session.execute(
                select(Device.name, Device.last_success_at).where(
                    Device.active.is_(True), Device.last_success_at.is_not(None)
                )
            )
            snap.last_sync = {name: at for name, at in rows.all()}
            snap.scheduler = await scheduler_snapshot(session, now=datetime.now(UTC))
        return snap

    def describe(self) -> Iterator[Metric]:
        return iter(())

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("chronos_metrics_database_up", "1 when the last metrics query reached the database")
        up.add_metric([], 1.0 if self._ok else 0.0)
        yield up
        snap = self._snapshot
        if snap is None:
            return
        leave = GaugeMetricFamily("chronos_leave_requests", "Leave requests by status", labels=["status"])
        for status in LeaveStatus:
            leave.add_metric([status.value], snap.leave_requests.get(status.value, 0))
        yield leave
        punches = CounterMetricFamily("chronos_punches_ingested", "Punches stored from every source")
        punches.add_metric([], snap.punches)
        yield punches
        outbox = GaugeMetricFamily("chronos_outbox_backlog", "Telegram messages not delivered", labels=["status"])
        for status in (OutboxStatus.PENDING, OutboxStatus.DEAD):
            outbox.add_metric([status.value], snap.outbox.get(status.value, 0))
        yield outbox
        age = GaugeMetricFamily(
            "chronos_device_last_sync_age_seconds",
            "Seconds since each active device last synced successfully (devices never synced are absent)",
            labels=["device"],
        )
        now = datetime.now(UTC)
        for name, at in sorted(snap.last_sync.items()):
            age.add_metric([name], max(0.0, (now - at).total_seconds()))
        yield age
        if snap.scheduler is not None:
            yield from scheduler_metrics(snap.scheduler)


class Metrics:
    """The registry of one app and the instruments the middleware and ``/metrics`` use."""

    def __init__(self, database: Database, *, cache_seconds: float = 10.0) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "chronos_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "chronos_http_request_duration_seconds",
            "HTTP request latency by method, route template and status",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.database = DatabaseCollector(database, cache_seconds=cache_seconds)
        self.registry.register(self.database)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:  # labels() takes a lock and builds a key: once per series, not per request
            labels = (method, route, str(status))
            children = self._children[key] = (self.requests.labels(*labels), self.latency.labels(*labels))
        children[0].inc()
        children[1].observe(seconds)

    async def render(self) -> bytes:
        await self.database.refresh()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # several workers: add up every worker's files
            merged = CollectorRegistry()
            MultiProcessCollector(merged)
            merged.register(self.database)
            return generate_latest(merged)
        return generate_latest(self.registry)
