"""Prometheus metrics of the scheduler, read from the database by the API's ``/metrics``.

The scheduler listens on no port and may run as several replicas; what it did is in the database (a
``job_runs`` row per run, the devices' sync state, the punches, the outbox), so any API replica can report
it. Read when ``/metrics`` is scraped, at most once per cache period, like the other database numbers:

- ``chronos_job_runs_total{job,status}``: runs of each job by outcome (success, partial, failed, skipped,
  running), counted from the ``job_runs`` rows;
- ``chronos_job_duration_seconds{job}``: a summary (count and sum) of the finished runs of the last 24 h, and
  ``chronos_job_last_duration_seconds{job}`` of the latest finished run;
- ``chronos_job_last_success_timestamp_seconds{job}``: when each job last ended well (success or partial);
- ``chronos_device_sync_lag_seconds{device}``: how far behind each active device's data is (since its last
  successful sync; a device never synced counts from when it was added);
- ``chronos_device_punches_total{device}``: punches stored from each device;
- ``chronos_outbox_oldest_pending_age_seconds``: the age of the oldest message still waiting to be sent
  (0 when none waits): a stuck sender shows here long before the backlog grows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import JobStatus, OutboxStatus
from shared.model import Device, JobRun, OutboxMessage, Punch

DURATION_WINDOW = timedelta(hours=24)
GOOD = (JobStatus.SUCCESS, JobStatus.PARTIAL)


@dataclass
class SchedulerSnapshot:
    runs: dict[tuple[str, str], int] = field(default_factory=dict)
    durations: dict[str, list[float]] = field(default_factory=dict)
    last_duration: dict[str, float] = field(default_factory=dict)
    last_success: dict[str, datetime] = field(default_factory=dict)
    device_lag_since: dict[str, datetime] = field(default_factory=dict)
    device_punches: dict[str, int] = field(default_factory=dict)
    oldest_pending: datetime | None = None
    taken_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def scheduler_snapshot(session: AsyncSession, *, now: datetime) -> SchedulerSnapshot:
    """Every number above, in a handful of grouped queries."""
    snap = SchedulerSnapshot(taken_at=now)
    rows = await session.execute(select(JobRun.job, JobRun.status, func.count()).group_by(JobRun.job, JobRun.status))
    snap.runs = {(job, str(status)): int(n) for job, status, n in rows.all()}
    rows = await session.execute(
        select(JobRun.job, JobRun.started_at, JobRun.finished_at)
        .where(JobRun.finished_at.is_not(None), JobRun.started_at >= now - DURATION_WINDOW)
        .order_by(JobRun.id)
    )
    for job, started, finished in rows.all():
        seconds = max(0.0, (_aware(finished) - _aware(started)).total_seconds())
        snap.durations.setdefault(job, []).append(seconds)
        snap.last_duration[job] = seconds
    rows = await session.execute(
        select(JobRun.job, func.max(JobRun.finished_at)).where(JobRun.status.in_(GOOD)).group_by(JobRun.job)
    )
    snap.last_success = {job: _aware(at) for job, at in rows.all() if at is not None}
    rows = await session.execute(
        select(Device.name, Device.last_success_at, Device.created_at).where(Device.active.is_(True))
    )
    snap.device_lag_since = {name: _aware(last or created) for name, last, created in rows.all()}
    rows = await session.execute(
        select(Device.name, func.count(Punch.id)).join(Punch, Punch.device_id == Device.id).group_by(Device.name)
    )
    snap.device_punches = {name: int(n) for name, n in rows.all()}
    oldest = await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    snap.oldest_pending = _aware(oldest) if oldest is not None else None
    return snap


def scheduler_metrics(snap: SchedulerSnapshot) -> Iterator[Metric]:
    runs = CounterMetricFamily("chronos_job_runs", "Scheduler job runs by job and outcome", labels=["job", "status"])
    for (job, status), n in sorted(snap.runs.items()):
        runs.add_metric([job, status], n)
    yield runs
    durations = SummaryMetricFamily(
        "chronos_job_duration_seconds", "Durations of the finished job runs of the last 24 hours", labels=["job"]
    )
    for job, seconds in sorted(snap.durations.items()):
        durations.add_metric([job], count_value=len(seconds), sum_value=sum(seconds))
    yield durations
    last = GaugeMetricFamily("chronos_job_last_duration_seconds", "Duration of each job's latest run", labels=["job"])
    for job, seconds in sorted(snap.last_duration.items()):
        last.add_metric([job], seconds)
    yield last
    success = GaugeMetricFamily(
        "chronos_job_last_success_timestamp_seconds", "When each job last ended well (Unix time)", labels=["job"]
    )
    for job, at in sorted(snap.last_success.items()):
        success.add_metric([job], at.timestamp())
    yield success
    lag = GaugeMetricFamily(
        "chronos_device_sync_lag_seconds",
        "Seconds since each active device's data was last read (since it was added, if never)",
        labels=["device"],
    )
    for name, since in sorted(snap.device_lag_since.items()):
        lag.add_metric([name], max(0.0, (snap.taken_at - since).total_seconds()))
    yield lag
    punches = CounterMetricFamily("chronos_device_punches", "Punches stored from each device", labels=["device"])
    for name, n in sorted(snap.device_punches.items()):
        punches.add_metric([name], n)
    yield punches
    oldest = GaugeMetricFamily(
        "chronos_outbox_oldest_pending_age_seconds", "Age of the oldest message waiting to be sent (0: none waits)"
    )
    age = (snap.taken_at - snap.oldest_pending).total_seconds() if snap.oldest_pending else 0.0
    oldest.add_metric([], max(0.0, age))
    yield oldest
