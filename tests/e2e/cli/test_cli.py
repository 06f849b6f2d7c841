"""The `chronos` command as an operator runs it: a real subprocess, real databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.model import ApiToken, Employee
from shared.persistence import Database
from shared.persistence.scratch import create_database, drop_database
from tests.conftest import TEST_DATABASE_URL

CHRONOS = str(Path(sys.executable).with_name("chronos"))
HEADER = "code,full_name,email,phone,department,manager_code,role,device_user_id,locale,timezone,shift\n"


def chronos(*args: str, database_url: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "200", **env}
    return subprocess.run([CHRONOS, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)


async def _count(url: str, model) -> int:
    db = Database.from_url(url)
    try:
        async with db.session() as s:
            return await s.scalar(select(func.count()).select_from(model))
    finally:
        await db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        return
    name = f"chronos_cli_{uuid.uuid4().hex[:8]}"
    yield asyncio.run(create_database(TEST_DATABASE_URL, name))
    asyncio.run(drop_database(TEST_DATABASE_URL, name))


def test_help_lists_the_commands(tmp_path):
    result = chronos("--help", database_url="sqlite+aiosqlite:///x.db", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("db", "admin", "import", "demo"):
        assert command in result.stdout


def test_db_upgrade_builds_the_schema_on_an_empty_database(fresh_url, tmp_path):
    result = chronos("db", "upgrade", database_url=fresh_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert asyncio.run(_count(fresh_url, Employee)) == 0
    again = chronos("db", "upgrade", database_url=fresh_url, cwd=tmp_path)
    assert again.returncode == 0


def test_an_import_with_a_bad_row_writes_nothing_and_names_line_and_reason(fresh_url, tmp_path):
    chronos("db", "upgrade", database_url=fresh_url, cwd=tmp_path)
    csv = tmp_path / "people.csv"
    csv.write_text(HEADER + "A1,Ann,,,Ops,,,1,,,\nA2,Bob,bob-at-example,,Ops,A1,,2,,,\nA3,Cy,,,Ops,ZZ,,3,,,\n")
    result = chronos("import", "employees", str(csv), database_url=fresh_url, cwd=tmp_path)
    assert result.returncode == 1
    assert "people.csv:3: email 'bob-at-example' is not an e-mail address" in result.stderr
    assert "people.csv:4: manager_code ZZ is neither in the file nor an employee" in result.stderr
    assert "Nothing was written" in result.stderr
    assert asyncio.run(_count(fresh_url, Employee)) == 0

    skipped = chronos("import", "employees", str(csv), "--skip-invalid", database_url=fresh_url, cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert "1 new" in skipped.stdout and "skipped lines 3, 4" in skipped.stdout
    assert asyncio.run(_count(fresh_url, Employee)) == 1


def test_import_problems_are_printed_in_the_default_locale(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'ru.db'}"
    chronos("db", "upgrade", database_url=url, cwd=tmp_path)
    csv = tmp_path / "p.csv"
    csv.write_text(HEADER + "A1,,,,,,,,,,\n")
    result = chronos("import", "employees", str(csv), database_url=url, cwd=tmp_path, DEFAULT_LOCALE="ru")
    assert "p.csv:2: столбец full_name пуст" in result.stderr


def test_create_token_prints_the_token_once_and_stores_a_hash(fresh_url, tmp_path):
    chronos("db", "upgrade", database_url=fresh_url, cwd=tmp_path)
    result = chronos("admin", "create-token", "--role", "hr", "--name", "payroll", database_url=fresh_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("chr_") and len(token) > 30
    assert asyncio.run(_count(fresh_url, ApiToken)) == 1
    dup = chronos("admin", "create-token", "--role", "hr", "--name", "payroll", database_url=fresh_url, cwd=tmp_path)
    assert dup.returncode == 1 and "already exists" in dup.stderr


def test_tokens_are_listed_revoked_and_carry_an_expiry(fresh_url, tmp_path):
    chronos("db", "upgrade", database_url=fresh_url, cwd=tmp_path)
    made = chronos(
        "admin", "create-token", "--role", "readonly", "--name", "bi", "--expires", "2099-12-31",
        database_url=fresh_url, cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "valid until 2100-01-01 00:00 UTC" in made.stdout
    chronos("admin", "create-token", "--role", "metrics", "--name", "prom", database_url=fresh_url, cwd=tmp_path)
    listed = chronos("admin", "tokens", "list", database_url=fresh_url, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "bi" in listed.stdout and "prom" in listed.stdout and "2100-01-01" in listed.stdout
    revoked = chronos("admin", "tokens", "revoke", "bi", database_url=fresh_url, cwd=tmp_path)
    assert revoked.returncode == 0 and "is revoked" in revoked.stdout
    assert "bi " not in chronos("admin", "tokens", "list", database_url=fresh_url, cwd=tmp_path).stdout
    assert "revoked" in chronos("admin", "tokens", "list", "--all", database_url=fresh_url, cwd=tmp_path).stdout
    unknown = chronos("admin", "tokens", "revoke", "nope", database_url=fresh_url, cwd=tmp_path)
    assert unknown.returncode == 1 and "does not exist" in unknown.stderr
    past = chronos(
        "admin", "create-token", "--role", "hr", "--name", "old", "--expires", "2001-01-01",
        database_url=fresh_url, cwd=tmp_path,
    )  # fmt: skip
    assert past.returncode == 1 and "future" in past.stderr


def test_demo_seed_prints_the_company(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    result = chronos("demo", "seed", database_url=url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Olga Ivanova" in result.stdout and "Warehouse" in result.stdout
    assert "Leave types: ANNUAL" in result.stdout


def test_a_config_error_is_one_line_and_exit_code_2(tmp_path):
    result = chronos("db", "upgrade", database_url="mysql://nope", cwd=tmp_path)
    assert result.returncode == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0]


def test_version_prints_the_installed_version(tmp_path):
    result = chronos("--version", database_url="sqlite+aiosqlite:///x.db", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip().startswith("chronos ") and result.stdout.split()[1][0].isdigit()


@pytest.mark.parametrize("command", ["api", "bot", "scheduler", "all"])
def test_a_service_help_shows_no_subcommand_slot_and_no_bool_type(command, tmp_path):
    result = chronos(command, "--help", database_url="sqlite+aiosqlite:///x.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Usage: chronos {command} [OPTIONS]" in result.stdout
    assert "COMMAND" not in result.stdout and "<bool>" not in result.stdout
    if command != "scheduler":
        assert "--host" in result.stdout and "--port" in result.stdout


def test_flags_show_no_bool_type_in_help(tmp_path):
    listed = chronos("admin", "tokens", "list", "--help", database_url="sqlite+aiosqlite:///x.db", cwd=tmp_path)
    assert "--all" in listed.stdout and "<bool>" not in listed.stdout


def test_api_workers_above_one_without_redis_are_refused_in_one_line(tmp_path):
    result = chronos("api", "--workers", "2", "--port", "1", database_url="sqlite+aiosqlite:///x.db", cwd=tmp_path,
                     REDIS_URL="", API_SECRET_KEY="a-random-test-key-1234567890")  # fmt: skip
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("db", "upgrade"), ("admin", "tokens", "list")])
def test_a_dead_database_is_one_line_not_a_traceback(args, tmp_path):
    result = chronos(*args, database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", cwd=tmp_path)
    assert result.returncode == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "cannot reach the database at 127.0.0.1:1/nowhere" in lines[0]
    assert "Traceback" not in result.stderr


def test_an_import_reports_every_problem_of_every_row_at_once(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'imp.db'}"
    chronos("db", "upgrade", database_url=url, cwd=tmp_path)
    csv = tmp_path / "p.csv"
    csv.write_text("code,full_name,email,manager_code,hire_date\nA1,Ann,nope,ZZ,2026-13-01\nA2,,,,\n")
    result = chronos("import", "employees", str(csv), database_url=url, cwd=tmp_path)
    assert result.returncode == 1
    for expected in ("p.csv:2: email 'nope'", "p.csv:2: manager_code ZZ", "p.csv:2: hire_date '2026-13-01'",
                     "p.csv:3: column full_name is empty"):  # fmt: skip
        assert expected in result.stderr


def test_demo_with_a_busy_port_says_which_in_one_line_before_starting_anything(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = chronos("demo", "--data-dir", str(tmp_path / "var"), "--api-port", str(port),
                         database_url="sqlite+aiosqlite:///x.db", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    lines = [ln for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1 and f"port {port} for the REST API (--api-port) is in use" in lines[0]
    assert not (tmp_path / "var" / "demo.db").exists()


async def test_demo_keep_reuses_the_database_and_makes_a_new_token(tmp_path):
    from datetime import date

    from sandbox.demo.runner import prepare_database

    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    first, token = await prepare_database(url, date(2026, 12, 3))
    await first.dispose()
    again, second_token = await prepare_database(url, date(2026, 12, 3), keep=True)
    await again.dispose()
    assert token != second_token
    assert await _count(url, Employee) == 25 and await _count(url, ApiToken) == 2
