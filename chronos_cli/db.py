"""`chronos db …`: schema management."""

from __future__ import annotations

import typer

from chronos_cli.runtime import console, settings_or_exit
from shared.persistence.migrate import run_upgrade

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or upgrade the schema of DATABASE_URL to the newest migration."""
    settings = settings_or_exit()
    run_upgrade(settings.database_url)
    console.print("[green]Database is at the newest schema.[/]")
