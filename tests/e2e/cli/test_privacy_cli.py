"""`chronos retention run [--dry-run]`, `chronos export person`, `chronos legal-hold`, `chronos erase person`:
real subprocesses against a real database and Redis."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.model import AuditLog, Employee, JobRun
from shared.persistence import Database
from tests.conftest import TEST_REDIS_URL, _wipe
from tests.factories import make_company

pytestmark = pytest.mark.e2e
CHRONOS = str(Path(sys.executable).with_name("chronos"))


def chronos(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHRONOS, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def _env(database_url: str, prefix: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": database_url, "REDIS_URL": TEST_REDIS_URL, "REDIS_PREFIX": prefix,
        "COLUMNS": "200", "RETENTION_YEARS": "5", **extra,
    }  # fmt: skip


async def _names(db: Database) -> dict[str, str]:
    async with db.session() as s:
        return dict((await s.execute(select(Employee.code, Employee.full_name))).all())


@pytest.fixture
async def leavers(db_url: str) -> Database:
    db = Database.from_url(db_url)
    await _wipe(db)
    company = await make_company(db)
    async with db.transaction() as s:
        alice, bob = await s.get(Employee, company.alice_id), await s.get(Employee, company.bob_id)
        alice.leaving_date, alice.active = date(2015, 3, 31), False
        bob.leaving_date, bob.active, bob.legal_hold = date(2014, 1, 31), False, True
    return db


async def test_a_dry_run_prints_who_would_be_anonymised_and_writes_nothing(
    leavers: Database, db_url: str, redis_prefix: str, tmp_path: Path
):
    result = chronos("retention", "run", "--dry-run", env=_env(db_url, redis_prefix), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "A1" in result.stdout and "would be anonymised" in result.stdout
    assert "B1" in result.stdout and "legal hold" in result.stdout
    assert "1 would be anonymised, 1 kept under a legal hold." in result.stdout
    names = await _names(leavers)
    async with leavers.session() as s:
        runs = list(await s.scalars(select(JobRun)))
    await leavers.dispose()
    assert names["A1"] == "Alice" and runs == []


async def test_the_real_run_is_the_scheduler_job_and_keeps_people_under_a_legal_hold(
    leavers: Database, db_url: str, redis_prefix: str, tmp_path: Path
):
    off = chronos("retention", "run", env=_env(db_url, redis_prefix, RETENTION_YEARS="0"), cwd=tmp_path)
    assert off.returncode == 2 and "RETENTION_YEARS is 0" in off.stderr
    result = chronos("retention", "run", env=_env(db_url, redis_prefix), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "retention" in result.stdout and "anonymised" in result.stdout
    names = await _names(leavers)
    async with leavers.session() as s:
        run = await s.scalar(select(JobRun))
    await leavers.dispose()
    assert names["A1"] == "Anonymised A1" and names["B1"] == "Bob"
    assert run is not None and run.job == "retention" and run.trigger == "cli" and run.counts["anonymised"] == 1


async def test_export_hold_and_erase_a_person(leavers: Database, db_url: str, redis_prefix: str, tmp_path: Path):
    env = _env(db_url, redis_prefix)
    exported = chronos("export", "person", "M1", "-o", str(tmp_path / "max.zip"), env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(zipfile.ZipFile(io.BytesIO((tmp_path / "max.zip").read_bytes())).read("person.json"))
    assert data["code"] == "M1" and data["tables"]["employee"][0]["full_name"] == "Max Manager"
    unknown = chronos("export", "person", "NOPE", env=env, cwd=tmp_path)
    assert unknown.returncode == 1 and "No employee has the code NOPE." in unknown.stderr
    unconfirmed = chronos("erase", "person", "M1", env=env, cwd=tmp_path)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    held = chronos("legal-hold", "set", "M1", "--reason", "Case 3", env=env, cwd=tmp_path)
    assert held.returncode == 0, held.stderr
    refused = chronos("erase", "person", "M1", "--yes", env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "legal hold" in refused.stderr
    chronos("legal-hold", "lift", "M1", env=env, cwd=tmp_path)
    erased = chronos("erase", "person", "M1", "--yes", env=env, cwd=tmp_path)
    assert erased.returncode == 0, erased.stderr
    names = await _names(leavers)
    async with leavers.session() as s:
        actions = [a for (a,) in (await s.execute(select(AuditLog.action).where(AuditLog.entity == "employee"))).all()]
    await leavers.dispose()
    assert names["M1"] == "Anonymised M1"
    assert {"export", "legal_hold", "anonymise"} <= set(actions)
