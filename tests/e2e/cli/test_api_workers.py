"""`chronos api --workers 2` as an operator runs it: two uvicorn worker processes serve the requests, and
`/metrics` adds up both workers' counts (Prometheus multiprocess mode)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from shared.persistence import Database
from shared.persistence.migrate import upgrade_async
from shared.services.actor import Actor
from shared.services.org.tokens import create_token
from tests.conftest import TEST_REDIS_URL

CHRONOS = str(Path(sys.executable).with_name("chronos"))
SECRET = "workers-test-secret-key-0123456789"
LIVE = 'chronos_http_requests_total{method="GET",route="/health/live",status="200"}'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _prepared(url: str) -> str:
    """A migrated database with a metrics token; the token's plaintext."""
    await upgrade_async(url)
    db = Database.from_url(url)
    try:
        async with db.transaction() as s:
            _row, plaintext = await create_token(s, name="scraper", role="metrics", pepper=SECRET, actor=Actor.cli())
        return plaintext
    finally:
        await db.dispose()


def _served(metrics: str) -> float:
    found = re.search(re.escape(LIVE) + r" (\S+)", metrics)
    return float(found.group(1)) if found else 0.0


def _scrape(base: str, token: str) -> float:
    scraped = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert scraped.status_code == 200, scraped.text
    return _served(scraped.text)


def test_two_workers_serve_requests_and_metrics_add_both_up(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'workers.db'}"
    token = asyncio.run(_prepared(url))
    metrics_dir = tmp_path / "metrics"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "API_SECRET_KEY": SECRET,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_PREFIX": f"workers-{uuid.uuid4().hex[:8]}",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [CHRONOS, "api", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = (
            time.monotonic() + 150
        )  # two workers importing the app on a busy machine (60 s was seen to fall short)
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                if httpx.get(f"{base}/health/live", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.2)
        before = _scrape(base, token)  # the probes above, whatever their number
        # A new connection per request: the kernel hands each to whichever worker accepts first. Go on
        # until both workers have counted requests of their own (each keeps a file per process).
        sent = 0
        while len({p.stem.rsplit("_", 1)[1] for p in metrics_dir.glob("counter_*.db")}) < 2:
            assert sent < 2_000 and time.monotonic() < deadline, "only one worker ever answered"
            assert httpx.get(f"{base}/health/live", timeout=5).status_code == 200
            sent += 1
        workers = {p.stem.rsplit("_", 1)[1] for p in metrics_dir.glob("counter_*.db")}
        assert len(workers) == 2 and str(server.pid) not in workers
        for _ in range(20):  # a worker counts a request just after its answer left: give it a moment
            total = _scrape(base, token)
            if total == before + sent:
                break
            time.sleep(0.1)
        assert total == before + sent  # every request, whichever worker answered it
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
