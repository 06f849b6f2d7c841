"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from shared.model import Base
from shared.persistence import Database
from shared.persistence.migrate import alembic_config, current_revision, schema_differences


async def test_an_upgraded_database_matches_the_models(db: Database):
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(schema_differences)
    assert differences == []


async def test_the_database_is_at_the_newest_revision(db: Database):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(current_revision) == head


async def test_every_model_table_exists(db: Database):
    async with db.engine.connect() as conn:
        names = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= names


async def test_the_hot_query_indexes_exist(db: Database):
    async with db.engine.connect() as conn:
        indexes = await conn.run_sync(
            lambda c: {
                t: {i["name"] for i in inspect(c).get_indexes(t)}
                for t in ("punches", "daily_attendance", "leave_requests", "outbox")
            }
        )
    assert "ix_punches_employee_instant" in indexes["punches"]
    assert "ix_daily_attendance_date_status" in indexes["daily_attendance"]
    assert "ix_leave_requests_approver_status" in indexes["leave_requests"]
    assert "ix_outbox_status_next_attempt" in indexes["outbox"]


def test_downgrade_to_base_and_upgrade_again_round_trips(tmp_path):
    import asyncio

    from shared.persistence.db import create_engine

    url = f"sqlite+aiosqlite:///{tmp_path / 'round.db'}"

    async def go() -> list[object]:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(connection=c), "head"))
            await conn.run_sync(lambda c: command.downgrade(alembic_config(connection=c), "base"))
            await conn.run_sync(lambda c: command.upgrade(alembic_config(connection=c), "head"))
        async with engine.connect() as conn:
            diff = await conn.run_sync(schema_differences)
        await engine.dispose()
        return diff

    assert asyncio.run(go()) == []


def test_postgresql_swaps_the_punch_foreign_keys_for_triggers_and_back(pg_url: str):
    """Migration 0014: the two foreign keys of punches become triggers, and a downgrade restores them."""
    import asyncio

    from sqlalchemy import text

    from shared.persistence.db import create_engine

    def state(c) -> tuple[set[str], set[str]]:
        keys = {fk["name"] for fk in inspect(c).get_foreign_keys("punches")}
        triggers = set(c.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
        return keys, triggers

    async def go() -> list[tuple[set[str], set[str]]]:
        engine = create_engine(pg_url)
        seen = []
        try:
            async with engine.begin() as conn:  # rolled back at the end: the session's database stays at head
                seen.append(await conn.run_sync(state))
                await conn.run_sync(lambda c: command.downgrade(alembic_config(connection=c), "0011"))
                seen.append(await conn.run_sync(state))
                await conn.run_sync(lambda c: command.upgrade(alembic_config(connection=c), "head"))
                seen.append(await conn.run_sync(state))
                assert await conn.run_sync(schema_differences) == []
                await conn.rollback()
        finally:
            await engine.dispose()
        return seen

    fks = {"fk_punches_employee_id_employees", "fk_punches_device_id_devices"}
    triggers = {"punches_employee_id_insert", "punches_device_id_insert", "employees_unset_punches"}
    (keys, on), (keys_down, on_down), (keys_up, on_up) = asyncio.run(go())
    assert not keys & fks and triggers <= on
    assert fks <= keys_down and not triggers & on_down
    assert (keys_up, on_up) == (keys, on)
