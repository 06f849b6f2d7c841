"""The scheduler's jobs by name. Each module has ``run(ctx, clients, **options)`` written as named steps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from scheduler.jobs import (
    accrual,
    approval_reminders,
    carry_over,
    checkout_reminders,
    expire_carry_over,
    group_approvals,
    group_posts,
    hr_digest,
    overtime_summary,
    process_attendance,
    retention,
    sync_devices,
)

JobFunction = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    run: JobFunction
    lock_ttl: float | None = None
    """Seconds the Redis lock lives without renewal (renewed every third of it while the job runs);
    ``None`` = JOB_LOCK_TTL_SECONDS."""

    @property
    def summary(self) -> str:
        """The first line of the job's ``run()`` docstring."""
        lines = (self.run.__doc__ or "").strip().splitlines()
        return lines[0] if lines else ""


def _spec(module: Any) -> JobSpec:
    return JobSpec(module.JOB, module.run)


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in map(
        _spec,
        (
            sync_devices,
            checkout_reminders,
            process_attendance,
            hr_digest,
            approval_reminders,
            accrual,
            carry_over,
            expire_carry_over,
            retention,
            overtime_summary,
            group_posts,
            group_approvals,
        ),
    )
}
