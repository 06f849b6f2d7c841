"""`chronos db …`: schema management."""

from __future__ import annotations

import logging

import typer
from asyncpg.exceptions import PostgresError
from sqlalchemy.exc import SQLAlchemyError

from chronos_cli.runtime import console, fail, settings_or_exit
from shared.persistence.errors import UNAVAILABLE, one_line, where
from shared.persistence.migrate import run_upgrade

log = logging.getLogger(__name__)
app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or upgrade the schema of DATABASE_URL to the newest migration."""
    settings = settings_or_exit()
    try:
        run_upgrade(settings.database_url, connect_timeout=settings.db_connect_timeout_seconds)
    except UNAVAILABLE as exc:
        log.debug("upgrade failed", exc_info=True)
        fail(
            f"cannot reach the database at {where(settings.database_url)} ({one_line(exc)}); "
            "check DATABASE_URL and that the server is running"
        )
    except (SQLAlchemyError, PostgresError) as exc:
        log.debug("upgrade failed", exc_info=True)
        fail(f"the database at {where(settings.database_url)} refused the upgrade ({one_line(exc)})")
    console.print("[green]Database is at the newest schema.[/]")
