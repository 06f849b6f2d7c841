"""Run one scheduler job now: `chronos devices sync`, `chronos attendance process`, `chronos digest send`.

Each runs exactly what the scheduler runs (same Redis lock, recorded as a JobRun with trigger "cli"), draws a
progress bar and prints a summary; the exit code is 1 when the run failed, partly failed (PARTIAL: some devices
failed) or was skipped.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chronos_cli.runtime import console, err_console, fail, run, settings_or_exit
from shared.config import Settings
from shared.domain.bounds import in_bounds
from shared.domain.enums import JobStatus
from shared.model import JobRun

devices_app = typer.Typer(help="ZKTeco devices.", no_args_is_help=True)
attendance_app = typer.Typer(help="Daily attendance.", no_args_is_help=True)
digest_app = typer.Typer(help="The HR digest.", no_args_is_help=True)


class BarProgress:
    """A rich progress bar as the job's :class:`shared.services.jobs.Progress`."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: Any = None

    def start(self, total: int | None, description: str) -> None:
        if self.task is None:
            self.task = self.bar.add_task(description, total=total)
        else:
            self.bar.update(self.task, total=total, completed=0, description=description)

    def advance(self, amount: int = 1, description: str | None = None) -> None:
        if self.task is not None:
            self.bar.update(self.task, advance=amount, **({"description": description} if description else {}))


def run_job(settings: Settings, name: str, label: str, **options: Any) -> JobRun:
    from scheduler.main import build_clients
    from scheduler.runner import JobRunner

    async def body() -> JobRun | None:
        clients = build_clients(settings)
        try:
            columns = (TextColumn(f"{label} [dim]{{task.description}}"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
                return await JobRunner(clients).run(name, trigger="cli", progress=BarProgress(bar), **options)
        finally:
            await clients.redis.aclose()
            await clients.db.dispose()

    found = run(body, settings)
    assert found is not None  # no slot is claimed for a run started by hand
    return found


def summary(run_row: JobRun) -> None:
    counts = {k: v for k, v in run_row.counts.items() if k != "devices"}
    table = Table(title=f"{run_row.job} #{run_row.id}: {run_row.status.value}", show_header=False)
    for key, value in counts.items():
        shown = ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else value
        table.add_row(key, str(shown))
    if run_row.finished_at:
        table.add_row("seconds", f"{(run_row.finished_at - run_row.started_at).total_seconds():.2f}")
    console.print(table)
    devices = run_row.counts.get("devices") or {}
    if devices:
        per_device = Table("device", "outcome", "read", "new", "duplicate", "unmatched", "note", title="Devices")
        for item in devices.values():
            note = item.get("error") or "; ".join(item.get("warnings", [])) or item.get("alert") or ""
            per_device.add_row(
                item["name"], item["outcome"], *(str(item[k]) for k in ("read", "new", "duplicate", "unmatched")), note
            )
        console.print(per_device)
    if run_row.status is not JobStatus.SUCCESS:
        fail(f"{run_row.job} {run_row.status.value}: {run_row.error or 'no reason given'}")


def _day(value: str, option: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date; use YYYY-MM-DD", code=2)
        raise
    if not in_bounds(day):
        fail(f"{option} {value!r} is outside 2000-01-01 .. 2100-12-31", code=2)
    return day


@devices_app.command("sync")
def devices_sync(
    device: Annotated[list[int] | None, typer.Option("--device", "-d", help="device id (repeatable)")] = None,
) -> None:
    """Read the devices now and store their new punches (all active devices, or --device ID)."""
    settings = settings_or_exit()
    summary(run_job(settings, "sync_devices", "Syncing", device_ids=device or None))


@attendance_app.command("process")
def attendance_process(
    day: Annotated[str, typer.Option("--date", help="first day, YYYY-MM-DD")],
    to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD (default: --date)")] = None,
) -> None:
    """Recompute daily attendance from the punches for --date (to --to); manual overrides are kept."""
    first = _day(day, "--date")
    last = _day(to, "--to") if to else first
    if last < first:
        fail("--to is before --date", code=2)
    settings = settings_or_exit()
    summary(run_job(settings, "process_attendance", "Processing", date_from=first, date_to=last))


@digest_app.command("send")
def digest_send(
    day: Annotated[str | None, typer.Option("--date", help="the day, YYYY-MM-DD (default: yesterday)")] = None,
    resend: Annotated[bool, typer.Option("--resend", help="send again to who already got it")] = False,
) -> None:
    """Send the HR digest of --date (yesterday) to every HR person now, in their language, with the XLSX."""
    from shared.services.attendance.processing import today_in

    chosen = _day(day, "--date") if day else None
    settings = settings_or_exit()
    chosen = chosen or today_in(settings.company_timezone) - timedelta(days=1)
    summary(run_job(settings, "hr_digest", "Sending", day=chosen, resend=resend))
