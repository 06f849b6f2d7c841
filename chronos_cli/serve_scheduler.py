"""`chronos scheduler`: run the scheduler service (device sync, attendance, digest, reminders, ledger jobs).

The scheduler listens on no port: its metrics are read from the database by the API's /metrics.
"""

from __future__ import annotations

import typer

from chronos_cli.runtime import err_console, settings_or_exit
from shared.config import ConfigError


def scheduler() -> None:
    """Run every job on its schedule until Ctrl-C / SIGTERM (device sync, attendance, digest, reminders, ledger)."""
    from scheduler.main import run_forever

    settings = settings_or_exit("scheduler")  # runs settings.require_service_ready("scheduler")
    try:
        run_forever(settings)
    except ConfigError as exc:
        err_console.print(f"[bold red]ConfigError:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
