"""SQLite write transactions of one process take turns in arrival order, with a bounded wait."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from shared.persistence import Database
from shared.persistence.sqlite_writers import write_turn


@pytest.fixture
async def scratch(tmp_path: Path):
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}")
    async with database.transaction() as s:
        await s.execute(text("CREATE TABLE log (id INTEGER PRIMARY KEY, who INTEGER NOT NULL)"))
    yield database
    await database.dispose()


async def test_parallel_writers_on_separate_engines_commit_in_the_order_they_asked(scratch: Database, tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}"
    engines = [Database.from_url(url) for _ in range(8)]
    holder_in = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with scratch.transaction() as s:
            await s.execute(text("INSERT INTO log (who) VALUES (-1)"))
            holder_in.set()
            await release.wait()

    async def writer(who: int, engine: Database) -> None:
        async with engine.transaction() as s:
            await s.execute(text("INSERT INTO log (who) VALUES (:who)"), {"who": who})
            await asyncio.sleep(0.01)  # another writer's retry would win here if they raced for the file

    try:
        first = asyncio.create_task(holder())
        await holder_in.wait()
        writers = []
        for who, engine in enumerate(engines):
            writers.append(asyncio.create_task(writer(who, engine)))
            await asyncio.sleep(0.01)  # arrival order
        release.set()
        await asyncio.gather(first, *writers)
    finally:
        for engine in engines:
            await engine.dispose()
    async with scratch.session() as s:
        order = list(await s.scalars(text("SELECT who FROM log ORDER BY id")))
    assert order == [-1, *range(8)]


async def test_a_writer_waiting_past_the_bound_fails_as_locked_and_writes_nothing(scratch: Database):
    path = scratch.engine.url.database
    assert path is not None
    holder_in = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with write_turn(path):
            holder_in.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await holder_in.wait()
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            async with write_turn(path, wait_seconds=0.2):
                raise AssertionError("the turn was given while another writer held it")
    finally:
        release.set()
        await task
    async with write_turn(path, wait_seconds=0.2):
        pass  # the turn is free again once the holder left


async def test_a_turn_taken_again_inside_itself_does_not_wait_for_itself(scratch: Database):
    path = scratch.engine.url.database
    assert path is not None
    async with write_turn(path), write_turn(path, wait_seconds=0.2):
        pass


async def test_a_failed_transaction_gives_its_turn_to_the_next_writer(scratch: Database):
    with pytest.raises(RuntimeError):
        async with scratch.transaction() as s:
            await s.execute(text("INSERT INTO log (who) VALUES (1)"))
            raise RuntimeError("the use case failed")
    async with scratch.transaction() as s:
        await s.execute(text("INSERT INTO log (who) VALUES (2)"))
    async with scratch.session() as s:
        assert list(await s.scalars(text("SELECT who FROM log"))) == [2]
