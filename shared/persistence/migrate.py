"""Programmatic Alembic: `chronos db upgrade` and the tests build the schema through the migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from shared.model import Base
from shared.persistence.db import DbTimeouts, create_engine

# A schema change may run long; connecting must not (a dead database fails in seconds, not minutes).
MIGRATION_TIMEOUTS = DbTimeouts(statement=0)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if database_url:
        cfg.attributes["database_url"] = database_url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision`` (blocking; call from sync code or a thread)."""
    command.upgrade(alembic_config(database_url), revision)


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection=connection), revision)


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def built_on(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's ``include_object`` filter: leave out of the comparison what the models build only on other
    databases (``.ddl_if(dialect=...)``; punches' foreign keys exist on SQLite only, triggers replace them on
    PostgreSQL, migration 0014). Alembic itself does not read ``ddl_if``."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        only = getattr(obj, "_ddl_if", None)
        if reflected or only is None or only.dialect is None:
            return True
        return dialect == only.dialect if isinstance(only.dialect, str) else dialect in only.dialect

    return include


def schema_differences(connection: Connection) -> list[object]:
    """What autogenerate would change: empty when the migrations match the models."""
    ctx = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "render_as_batch": connection.dialect.name == "sqlite",
            "include_object": built_on(connection.dialect.name),
        },
    )
    return list(compare_metadata(ctx, Base.metadata))


async def upgrade_async(database_url: str, revision: str = "head", *, connect_timeout: float | None = None) -> None:
    """Upgrade from async code (tests, `chronos demo`) on a borrowed connection."""
    timeouts = MIGRATION_TIMEOUTS if connect_timeout is None else DbTimeouts(connect=connect_timeout, statement=0)
    engine = create_engine(database_url, timeouts=timeouts)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync_conn: upgrade_connection(sync_conn, revision))
    finally:
        await engine.dispose()


def run_upgrade(database_url: str, *, connect_timeout: float | None = None) -> None:
    asyncio.run(upgrade_async(database_url, connect_timeout=connect_timeout))
