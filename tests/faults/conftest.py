"""Fault injection: the services against a database behind a TCP proxy we control, a redis-server of the
test's own, a Telegram that answers 429 / 5xx / slowly, and processes killed with SIGKILL.

Every test here is marked ``faults`` (``pytest -m faults`` runs only them, ``-m 'not faults'`` skips them)
and bounded in time: each wait has a deadline and a failed expectation names what was missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL
from tests.faults.proxy import TcpProxy
from tests.faults.redis_server import RedisServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def pg_proxy() -> Iterator[TcpProxy]:
    """A proxy in front of the test PostgreSQL server; ``proxy.url_for(url)`` routes a URL through it."""
    url = make_url(TEST_DATABASE_URL)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own (stopped, frozen, restarted at will)."""
    if not RedisServer.available():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


# The bot's emulator, databases and deployments, as the bot e2e tests make them.
from tests.e2e.bot.conftest import databases, emulator, log_dir, make_deployment  # noqa: E402, F401
