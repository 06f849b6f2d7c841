"""What every CLI command shares: settings, logging, a database, and errors printed as one clear line."""

from __future__ import annotations

import asyncio
import contextlib
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

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)


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
