"""When each job runs: APScheduler triggers built from Settings.

Interval jobs are anchored at a fixed instant (not at the process start), so every scheduler replica fires
them at the same instants and the slot claim in ``shared.services.jobs`` lets exactly one of them run each.
Daily jobs are cron triggers in COMPANY_TIMEZONE. SCHEDULER_INTERVALS replaces any schedule with an
interval (``sync_devices=10s``) or turns a job off (``accrual=off``): the demo and the tests use it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.jobs import JOBS
from shared.config import ConfigError, Settings

ANCHOR = datetime(2024, 1, 1, tzinfo=UTC)


def _hour_minute(value: str) -> tuple[int, int]:
    hours, _, minutes = value.partition(":")
    return int(hours), int(minutes)


def every(seconds: int) -> IntervalTrigger:
    return IntervalTrigger(seconds=seconds, start_date=ANCHOR, timezone=UTC)


def triggers(settings: Settings) -> dict[str, BaseTrigger]:
    """{job name: trigger} for every job that is on; raises ConfigError for a setting it cannot use."""
    for name in ("device_sync_minutes", "device_offline_minutes", "device_sync_concurrency"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{name.upper()}={getattr(settings, name)} must be at least 1")
    tz = settings.tz

    def daily(at: str, **fields: int) -> CronTrigger:
        hour, minute = _hour_minute(at)
        return CronTrigger(hour=hour, minute=minute, timezone=tz, **fields)

    found: dict[str, BaseTrigger] = {
        "sync_devices": every(settings.device_sync_minutes * 60),
        "checkout_reminders": every(settings.checkout_scan_minutes * 60),
        "process_attendance": daily(settings.attendance_process_time),
        "hr_digest": daily(settings.digest_time),
        "approval_reminders": daily(settings.reminder_pending_time),
        "accrual": daily(settings.ledger_time, day=1),
        "carry_over": daily(settings.ledger_time, month=1, day=1),
        "expire_carry_over": daily(settings.ledger_time),
        "retention": daily(settings.retention_time),
        "overtime_summary": daily(settings.overtime_summary_time, day_of_week=settings.overtime_summary_weekday - 1),
        "group_posts": daily(settings.group_post_time),
        "group_approvals": every(settings.group_approvals_minutes * 60),
    }
    assert set(found) == set(JOBS), "every job needs a schedule"
    for name, seconds in settings.scheduler_interval_overrides.items():
        if name not in found:
            raise ConfigError(f"SCHEDULER_INTERVALS names an unknown job {name!r}; jobs: {', '.join(JOBS)}")
        if seconds is None:
            del found[name]
        else:
            found[name] = every(seconds)
    return found


def jobs_at_start(settings: Settings) -> list[str]:
    """SCHEDULER_RUN_AT_START as job names (validated)."""
    names = [n.strip() for n in settings.scheduler_run_at_start.split(",") if n.strip()]
    unknown = [n for n in names if n not in JOBS]
    if unknown:
        raise ConfigError(f"SCHEDULER_RUN_AT_START names unknown jobs {unknown}; jobs: {', '.join(JOBS)}")
    return names
