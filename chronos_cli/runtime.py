"""What every CLI command shares: settings, logging, a database, and errors printed as one clear line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from shared.config import ConfigError, Settings, load_settings
from shared.errors import ChronosError
from shared.i18n import CatalogMissing, translator
from shared.log import configure_logging
from shared.persistence import Database
from shared.persistence.errors import REDIS_UNAVAILABLE, UNAVAILABLE, one_line, where

T = TypeVar("T")
log = logging.getLogger(__name__)
console = Console()
err_console = Console(stderr=True)


def listen_overrides(**values: str | int | None) -> None:
    """Command-line options win over the environment: they are put into it (child processes, such as uvicorn's
    workers, read the same settings), then the settings are loaded as usual and checked."""
    for name, value in values.items():
        if value is not None:
            os.environ[name] = str(value)


def settings_or_exit(mode: str | None = None) -> Settings:
    try:
        settings = load_settings()
        if mode:
            settings.require_service_ready(mode)
    except ConfigError as exc:
        err_console.print(f"[bold red]ConfigError:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    configure_logging(
        service=mode or "cli", stage=settings.stage, fmt=settings.effective_log_format, level=settings.log_level
    )
    return settings


def explain(exc: ChronosError, settings: Settings) -> str:
    try:
        return exc.render(translator(settings.default_locale))
    except CatalogMissing:
        return str(exc)


def run(coro_fn: Callable[[], Awaitable[T]], settings: Settings) -> T:
    """Run an async command body; a ChronosError becomes a one-line message and exit code 1."""
    try:
        return asyncio.run(coro_fn())  # type: ignore[arg-type]
    except ChronosError as exc:
        err_console.print(f"[bold red]Error:[/] {explain(exc, settings)}", highlight=False)
        raise typer.Exit(1) from None
    except UNAVAILABLE as exc:  # the database (or Redis) is not there: one line, not a traceback
        log.debug("command failed", exc_info=True)
        if isinstance(exc, REDIS_UNAVAILABLE):
            fail(f"cannot reach Redis ({one_line(exc)}); check REDIS_URL and that the server is running")
        fail(
            f"cannot reach the database at {where(settings.database_url)} ({one_line(exc)}); "
            "check DATABASE_URL and that the server is running"
        )
        raise  # fail() raised already; this line keeps the type checker's flow
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@contextlib.asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    database = Database.from_settings(settings)
    try:
        yield database
    finally:
        await database.dispose()


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    sys.stderr.flush()
    raise typer.Exit(code)
