"""`chronos scheduler`: run the scheduler service (device sync, attendance, digest, reminders, ledger jobs)."""

from __future__ import annotations

import typer

from chronos_cli.runtime import err_console, settings_or_exit
from shared.config import ConfigError

app = typer.Typer(help="Run the scheduler: device sync, nightly attendance, HR digest, reminders, ledger jobs.")


@app.callback(invoke_without_command=True)
def scheduler() -> None:
    """Run every job on its schedule until Ctrl-C / SIGTERM (schedules come from the settings)."""
    from scheduler.main import run_forever

    settings = settings_or_exit("scheduler")  # runs settings.require_service_ready("scheduler")
    try:
        run_forever(settings)
    except ConfigError as exc:
        err_console.print(f"[bold red]ConfigError:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
