"""What the benchmark scripts share: a throw-away PostgreSQL database and the RESULTS.md table."""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from shared.persistence.migrate import upgrade_async
from shared.persistence.scratch import create_database, database_url, drop_database

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
)


class ScratchDatabase:
    """A migrated PostgreSQL database that exists for one benchmark run."""

    def __init__(self, label: str) -> None:
        self.name = f"chronos_bench_{label}_{uuid.uuid4().hex[:6]}"
        self.url = database_url(BENCH_DATABASE_URL, self.name)

    async def __aenter__(self) -> str:
        await create_database(BENCH_DATABASE_URL, self.name)
        await upgrade_async(self.url)
        return self.url

    async def __aexit__(self, *exc: object) -> None:
        await drop_database(BENCH_DATABASE_URL, self.name)


def machine() -> str:
    cpus = os.cpu_count() or 0
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def record(title: str, body: str, *, append: bool = True) -> None:
    """Print the result and append it to bench/RESULTS.md with the date and the machine."""
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    block = f"## {title}\n\n{stamp} — {machine()}\n\n{body}\n"
    print(block)
    if append:
        if not RESULTS.exists():
            RESULTS.write_text("# Benchmark results\n\nEach run appends its table (newest last).\n\n")
        with RESULTS.open("a") as fh:
            fh.write(block + "\n")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def run(coro) -> object:  # type: ignore[no-untyped-def]
    return asyncio.run(coro)
