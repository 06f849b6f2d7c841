"""The REST API against its floor on PostgreSQL: 10,000 employees and a month of attendance, wrk with 20 connections.

    .venv/bin/python bench/api.py [--employees 10000] [--days 30] [--connections 20] [--seconds 10] [--rounds 3]
                                  [--workers 1] [--only TEXT] [--skip-timesheet] [--no-append] [--keep | --url URL]

Builds the company with ``bench/nightly.py``'s ``seed`` and ``process_days``, starts Chronos' API
(``python -m api --workers N``) and the floor app (``bench/api_floor.py``: FastAPI + asyncpg doing the same
work with nothing else) on loopback, each in its own process, and drives both with ``wrk`` (a compiled
load generator in its own process; ``make bench`` installs it) in turns: ``GET employees/{id}``, a page of
50 employees, a page of 100 daily rows. Chronos' figure is its req/s as a fraction of the floor's in the
same run (goals: ≥ 0.5× with p95 < 50 ms for the single read, ≥ 0.4× for list pages). Then the cached
exception digest and the month's timesheet XLSX for everyone (goal < 10 s). ``--keep`` leaves the seeded
database in place and prints its URL; ``--url`` reuses such a database (no seeding).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ScratchDatabase, Stopwatch, free_port, record, table
from bench.nightly import FIRST_DAY, TZ, seed
from shared.persistence import Database
from shared.persistence.migrate import upgrade_async
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.org.tokens import create_token

SECRET = "bench-api-secret-key"
ROOT = Path(__file__).resolve().parent.parent


async def prepare(url: str, employees: int, days: int) -> None:
    with Stopwatch() as gen:
        punches = await seed(url, employees, days)
    db = Database.from_url(url)
    try:
        with Stopwatch() as proc:
            async with db.transaction() as s:
                await process_days(
                    s,
                    date_from=FIRST_DAY,
                    date_to=FIRST_DAY + timedelta(days=days - 1),
                    now=datetime.now(UTC),
                    company_timezone=TZ,
                )
        async with db.engine.connect() as conn:  # what autovacuum does soon after a bulk load
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("VACUUM ANALYZE")
    finally:
        await db.dispose()
    print(
        f"seeded {employees:,} employees, {punches:,} punches in {gen.seconds:.0f} s; processed: {proc.seconds:.0f} s"
    )


async def admin_token(url: str) -> str:
    db = Database.from_url(url)
    try:
        async with db.transaction() as s:
            _row, plaintext = await create_token(
                s, name=f"bench-{time.time_ns()}", role="admin", pepper=SECRET, actor=Actor.cli()
            )
            return plaintext
    finally:
        await db.dispose()


def server_env(url: str, port: int) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": url,
        "API_SECRET_KEY": SECRET,
        "STAGE": "dev",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "COMPANY_TIMEZONE": TZ,
        "LOG_LEVEL": "WARNING",
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
    }


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """Chronos' API as it is served: ``python -m api`` (uvicorn, ``--workers`` processes)."""
    command = [sys.executable, "-m", "api", "--workers", str(workers)]
    return subprocess.Popen(command, env=server_env(url, port), cwd=ROOT, stdout=subprocess.DEVNULL)


def start_floor(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """The floor app (bench/api_floor.py) under the same uvicorn settings."""
    command = [
        *(sys.executable, "-m", "uvicorn", "--factory", "bench.api_floor:app_from_env", "--no-access-log"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"),
    ]
    return subprocess.Popen(command, env=server_env(url, port), cwd=ROOT, stdout=subprocess.DEVNULL)


def app_from_env():  # type: ignore[no-untyped-def]
    """For ``uvicorn --factory`` with several workers."""
    from api.__main__ import bootstrap
    from shared.config import load_settings

    return bootstrap(load_settings())


async def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit(f"the API exited with {server.returncode}")
            try:
                if (await client.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the API did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (uvicorn's workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk_installed() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk), or install it yourself")
    return found


def load(base: str, token: str, path: str, *, connections: int, seconds: float, server_pid: int) -> dict[str, float]:
    """``wrk`` (compiled, its own process, one thread) on ``path`` over ``connections`` keep-alive connections
    for ``seconds`` after a short warm-up: latency percentiles, throughput, the server's CPU per request."""
    command = [
        wrk_installed(),
        *("-t1", f"-c{connections}", "--timeout", "30s", "-s", str(ROOT / "bench" / "wrk_report.lua")),
        *("-H", f"Authorization: Bearer {token}"),
    ]
    subprocess.run([*command, "-d2s", base + path], check=True, capture_output=True)  # warm-up
    cpu_before = cpu_seconds(server_pid)
    out = subprocess.run([*command, f"-d{seconds:g}s", base + path], check=True, capture_output=True, text=True)
    server_cpu = cpu_seconds(server_pid) - cpu_before
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    found = {k: float(v) for k, v in (part.split("=") for part in line.split()[1:])}
    if found["non2xx"] or found["errors"]:
        raise SystemExit(f"{path}: {found['non2xx']:.0f} non-2xx answers, {found['errors']:.0f} socket errors")
    n = found["requests"]
    return {
        "p50": found["p50"] / 1000,
        "p95": found["p95"] / 1000,
        "max": found["max"] / 1000,
        "rps": n / (found["duration_us"] / 1e6),
        "n": n,
        "cpu": server_cpu / n * 1000,
    }


async def one_get(base: str, token: str, path: str) -> tuple[float, int]:
    """The seconds and the size of one GET (on its own connection)."""
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        started = time.perf_counter()
        response = await client.get(path)
        seconds = time.perf_counter() - started
    response.raise_for_status()
    return seconds, len(response.content)


# (label, path, floor path or None, goal as a fraction of the floor's req/s)
def scenarios(day: date, employees: int) -> list[tuple[str, str, float]]:
    middle = max(1, employees // 2)  # 5000 of the default 10,000; a smaller company still has the row
    return [
        ("GET employees/{id}", f"/api/v1/employees/{middle}", 0.5),
        ("GET employees (page of 50)", f"/api/v1/employees?offset={middle}", 0.4),
        (
            "GET attendance/daily (page of 100)",
            f"/api/v1/attendance/daily?date={day}&limit=100&offset={middle * 4 // 5}",
            0.4,
        ),
    ]


async def measure(url: str, args: argparse.Namespace) -> None:
    load_before = os.getloadavg()
    token = await admin_token(url)
    port, floor_port = free_port(), free_port()
    base, floor_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{floor_port}"
    server = start_server(url, port, args.workers)
    floor = start_floor(url, floor_port, args.workers)
    day = FIRST_DAY + timedelta(days=14)
    rows = []
    verdicts = []
    try:
        await wait_ready(base, server)
        await wait_ready(floor_base, floor)
        options = {"connections": args.connections, "seconds": args.seconds}
        for label, path, goal in scenarios(day, args.employees):
            if args.only and args.only not in label:
                continue
            pairs = []
            for turn in range(args.rounds):  # in turns, the order alternating: drift of the machine hits both
                first, second = (floor_base, floor.pid), (base, server.pid)
                if turn % 2:
                    first, second = second, first
                got = {b: load(b, token, path, server_pid=pid, **options) for b, pid in (first, second)}
                pairs.append((got[base], got[floor_base]))
            ours, bottom = sorted(pairs, key=lambda pair: pair[0]["rps"] / pair[1]["rps"])[len(pairs) // 2]
            ratio = ours["rps"] / bottom["rps"]
            cpu_ratio = bottom["cpu"] / ours["cpu"]
            met = ratio >= goal and (goal < 0.5 or ours["p95"] < 50)
            goal_text = f"≥ {goal:g}× floor" + ("; p95 < 50 ms" if goal >= 0.5 else "")
            all_ratios = ", ".join(f"{a['rps'] / b['rps']:.2f}" for a, b in pairs)
            verdicts.append(
                f"{label}: {ratio:.2f}× the floor's req/s (rounds: {all_ratios}), {cpu_ratio:.2f}× its CPU efficiency"
                f" — goal {goal_text}: {'met' if met else 'MISSED'}"
            )
            for who, found in (("floor app", bottom), ("chronos", ours)):
                rows.append(
                    (
                        label,
                        who,
                        f"{found['n']:.0f}",
                        f"{found['rps']:.0f}",
                        f"{found['p50']:.1f}",
                        f"{found['p95']:.1f}",
                        f"{found['max']:.1f}",
                        f"{found['cpu']:.2f}",
                        f"**{ratio:.2f}×** (CPU {cpu_ratio:.2f}×)" if who == "chronos" else "1×",
                        goal_text if who == "chronos" else "",
                    )
                )
                print(rows[-1], flush=True)
        exceptions = load(base, token, f"/api/v1/reports/exceptions?date={day}", server_pid=server.pid, **options)
        rows.append(
            (
                "GET reports/exceptions (cached digest)",
                "chronos",
                f"{exceptions['n']:.0f}",
                f"{exceptions['rps']:.0f}",
                f"{exceptions['p50']:.1f}",
                f"{exceptions['p95']:.1f}",
                f"{exceptions['max']:.1f}",
                f"{exceptions['cpu']:.2f}",
                "no floor",
                "p95 < 50 ms",
            )
        )
        print(rows[-1], flush=True)
        seconds = 0.0
        size = 0
        timesheet = ""
        if not args.skip_timesheet:
            try:
                seconds, size = await one_get(
                    base, token, f"/api/v1/reports/timesheet?month={FIRST_DAY:%Y-%m}&format=xlsx"
                )
                timesheet = f"{seconds:.2f} s, {size // 1024} KiB (goal < 10 s: {'met' if seconds < 10 else 'MISSED'})"
            except httpx.HTTPStatusError as exc:  # e.g. 503 past the request budget on a loaded machine
                timesheet = f"HTTP {exc.response.status_code} (goal < 10 s: MISSED)"
            print(f"timesheet {timesheet}")
    finally:
        for process in (server, floor):
            process.terminate()
            process.wait(timeout=30)
    load_after = os.getloadavg()
    headers = ["request", "server", "requests", "req/s", "p50 ms", "p95 ms", "max ms", "CPU ms/req", "of floor", "goal"]
    body = table(headers, rows) + "\n\n" + "\n".join(f"- {v}" for v in verdicts)
    if timesheet:
        body += f"\n- Timesheet XLSX {FIRST_DAY:%Y-%m}, {args.employees:,} employees: {timesheet}"
    body += (
        f"\n\nLoad: `wrk -t1 -c{args.connections} -d{args.seconds:g}s` (compiled, its own process) after a 2 s"
        f" warm-up; {args.rounds} rounds per request, the order alternating (the median round is shown). The"
        " floor app (bench/api_floor.py: FastAPI + asyncpg, token hash lookup, select, JSON) and Chronos"
        f" (`python -m api --workers {args.workers}`) run in the same run against the same database"
        f" ({args.employees:,} employees, {args.days} days of attendance). CPU ms/req: user + system time of the"
        " server process(es) per request; CPU efficiency = the floor's CPU per request / Chronos'. wrk,"
        " PostgreSQL and the server share the 2 cores, and so does whatever else runs on this shared machine:"
        f" load average (1/5/15 min) before {'/'.join(f'{x:.2f}' for x in load_before)},"
        f" after {'/'.join(f'{x:.2f}' for x in load_after)}."
    )
    record("REST API against its floor (bench/api.py, wrk, PostgreSQL)", body, append=not args.no_append)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="turns of floor and chronos per request (median)")
    parser.add_argument("--skip-timesheet", action="store_true")
    parser.add_argument("--only", help="measure only the requests whose label contains this text")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the seeded database and print its URL")
    parser.add_argument("--url", help="reuse a database seeded by an earlier --keep run")
    args = parser.parse_args()
    if args.url:
        await upgrade_async(args.url)  # a database kept by an earlier run may predate the latest migrations
        await measure(args.url, args)
        return
    scratch = ScratchDatabase("api")
    url = await scratch.__aenter__()
    try:
        await prepare(url, args.employees, args.days)
        await measure(url, args)
    finally:
        if args.keep:
            print(f"kept: --url {url}")
        else:
            await scratch.__aexit__(None, None, None)


if __name__ == "__main__":
    asyncio.run(main())
