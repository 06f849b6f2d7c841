"""The REST API under load on PostgreSQL: 10,000 employees and a month of attendance, 20 concurrent clients.

    .venv/bin/python bench/api.py [--employees 10000] [--days 30] [--clients 20] [--requests 600] [--no-append]
                                  [--workers 1] [--keep | --url URL]

Builds the company with ``bench/nightly.py``'s ``seed`` and ``process_days``, starts ``python -m api``
(uvicorn) on loopback in its own process, and measures p50/p95 latency of ``GET employees`` (a page of
50), ``GET attendance/daily?date=`` (one day, a page of 100) and ``GET reports/exceptions`` with
``--clients`` concurrent httpx clients; then the time of the month's timesheet XLSX for everyone.
Goals: p95 < 50 ms; timesheet < 10 s. ``--keep`` leaves the seeded database in place and prints its URL;
``--url`` reuses such a database (no seeding).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ScratchDatabase, Stopwatch, record, table
from bench.nightly import FIRST_DAY, TZ, seed
from shared.persistence import Database
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": url,
        "API_SECRET_KEY": SECRET,
        "STAGE": "dev",
        "REDIS_URL": "",
        "COMPANY_TIMEZONE": TZ,
        "LOG_LEVEL": "WARNING",
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
    }
    if workers > 1:  # several processes: uvicorn needs the app as an import string
        command = [
            *(sys.executable, "-m", "uvicorn", "--factory", "bench.api:app_from_env", "--no-access-log"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"),
        ]
    else:
        command = [sys.executable, "-m", "api"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


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


async def load(
    base: str, token: str, path: str, *, clients: int, requests: int, server_pid: int, rate: float | None = None
) -> dict[str, float]:
    """``requests`` GETs of ``path`` over ``clients`` concurrent connections (after a warm-up): latency
    percentiles, throughput, and the server's CPU time per request.

    Without ``rate`` every client sends its next request as soon as the last one is answered (saturation:
    latency is then the queue, clients / throughput). With ``rate`` the clients together send ``rate``
    requests a second, each on its own schedule (a client still waits for its previous answer).
    """
    latencies: list[float] = []
    failures = 0
    per_client = max(1, requests // clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=60
    ) as client:

        async def one_client(count: int, index: int = 0, paced: bool = False) -> None:
            nonlocal failures
            interval = clients / rate if paced and rate else 0.0
            due = time.perf_counter() + index * interval / clients
            for _ in range(count):
                if interval:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    due += interval
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    failures += 1

        await asyncio.gather(*(one_client(5) for _ in range(clients)))  # connections, caches, the plan cache
        latencies.clear()
        cpu_before = cpu_seconds(server_pid)
        started = time.perf_counter()
        await asyncio.gather(*(one_client(per_client, i, paced=True) for i in range(clients)))
        wall = time.perf_counter() - started
        server_cpu = cpu_seconds(server_pid) - cpu_before
    if failures:
        raise SystemExit(f"{failures} failed requests on {path}")
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000,
        "max": ordered[-1] * 1000,
        "rps": len(ordered) / wall,
        "n": len(ordered),
        "cpu": server_cpu / len(ordered) * 1000,
    }


async def one_get(base: str, token: str, path: str) -> tuple[float, int]:
    """The seconds and the size of one GET (on its own connection)."""
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        started = time.perf_counter()
        response = await client.get(path)
        seconds = time.perf_counter() - started
    response.raise_for_status()
    return seconds, len(response.content)


async def measure(url: str, args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    token = await admin_token(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, port, args.workers)
    try:
        await wait_ready(base, server)
        day = FIRST_DAY + timedelta(days=14)
        scenarios = [
            ("floor: GET /health/live (no database)", "/health/live"),
            ("GET employees (page of 50)", "/api/v1/employees?offset=5000"),
            ("GET attendance/daily?date= (page of 100)", f"/api/v1/attendance/daily?date={day}&limit=100&offset=4000"),
            ("GET reports/exceptions?date=", f"/api/v1/reports/exceptions?date={day}"),
        ]
        rows = []
        for mode, rate in (("saturation", None), (f"paced {args.rate:g}/s", args.rate)):
            for label, path in scenarios:
                found = await load(
                    base, token, path, clients=args.clients, requests=args.requests, server_pid=server.pid, rate=rate
                )
                verdict = ("yes" if found["p95"] < 50 else "**no**") if path.startswith("/api/") else ""
                rows.append(
                    (
                        label,
                        mode,
                        found["n"],
                        f"{found['p50']:.1f}",
                        f"{found['p95']:.1f}",
                        f"{found['max']:.1f}",
                        f"{found['rps']:.0f}",
                        f"{found['cpu']:.1f}",
                        verdict,
                    )
                )
                print(rows[-1])
        cold, digest_size = await one_get(base, token, f"/api/v1/reports/exceptions?date={day - timedelta(days=1)}")
        seconds, size = await one_get(base, token, f"/api/v1/reports/timesheet?month={FIRST_DAY:%Y-%m}&format=xlsx")
        print(f"timesheet {seconds:.2f} s, {size // 1024} KiB")
    finally:
        server.terminate()
        server.wait(timeout=30)
    headers = ["request", "load", "requests", "p50 ms", "p95 ms", "max ms", "req/s", "server CPU ms/req", "p95 < 50 ms"]
    body = table(headers, rows)
    body += (
        f"\n\nTimesheet XLSX {FIRST_DAY:%Y-%m} for {args.employees:,} employees: {seconds:.2f} s ({size // 1024} KiB);"
        f" goal < 10 s. The exception digest of a day not asked for yet: {cold * 1000:.0f} ms"
        f" ({digest_size // 1024} KiB); later requests are served from the Redis cache (in-process store here)."
        f"\n\n{args.clients} concurrent httpx clients (keep-alive) in the bench process; uvicorn with {args.workers}"
        f" worker(s) on loopback; PostgreSQL, the clients, the server (and whatever else runs) share the machine;"
        f" {args.days} days of attendance, VACUUM ANALYZE after loading. Saturation: each client sends its next"
        f" request when the last one is answered, so latency ≈ clients / throughput. Paced: the clients together"
        f" send {args.rate:g} requests/s. Server CPU: user + system time of the uvicorn process(es) per request."
        f" The floor row is the same load on a route without token or database. Load average before/after the run:"
        f" {load_before:.1f} / {os.getloadavg()[0]:.1f} (other work on the machine shows here)."
    )
    record("REST API (bench/api.py, PostgreSQL)", body, append=not args.no_append)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=50, help="requests/s of all clients together, paced runs")
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the seeded database and print its URL")
    parser.add_argument("--url", help="reuse a database seeded by an earlier --keep run")
    args = parser.parse_args()
    if args.url:
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
