"""`chronos db upgrade` against a database that is not there: one line on stderr and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.faults.proxy import TcpProxy, free_port

CHRONOS = str(Path(sys.executable).with_name("chronos"))


def _upgrade(database_url: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "80", **env}
    return subprocess.run([CHRONOS, "db", "upgrade"], capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=60)  # fmt: skip


def test_a_refused_connection_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    result = _upgrade(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/chronos", tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: cannot reach the database at 127.0.0.1:") and "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_a_database_that_never_answers_fails_within_the_connect_timeout(tmp_path: Path) -> None:
    with TcpProxy("127.0.0.1", 5432) as proxy:
        proxy.blackhole()
        started = time.monotonic()
        result = _upgrade(f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/chronos", tmp_path,
                          DB_CONNECT_TIMEOUT_SECONDS="1")  # fmt: skip
    assert time.monotonic() - started < 5  # start-up + DB_CONNECT_TIMEOUT_SECONDS (1 s): the default 5 s would not fit
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot reach the database" in result.stderr
