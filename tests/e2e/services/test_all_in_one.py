"""`chronos all` on PostgreSQL + Redis: starts, is ready, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sandbox.telegram import EmulatorThread
from tests.conftest import TEST_REDIS_URL

CHRONOS = str(Path(sys.executable).with_name("chronos"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def emulator():
    with EmulatorThread(port=0) as emu:
        yield emu


def test_all_three_services_run_in_one_process_and_stop_cleanly(pg_url, redis_prefix, emulator, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_PREFIX": redis_prefix,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_FILE_URL": emulator.base_file_url,
        "API_PORT": str(port),
        "COMPANY_TIMEZONE": "Europe/Berlin",
    }
    process = subprocess.Popen(
        [CHRONOS, "all"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        ready = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        assert ready is not None and ready.status_code == 200, "never became ready"
        body = ready.json()
        assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
        me = httpx.get(f"{emulator.url}/control/health", timeout=5).json()
        assert me  # the bot is polling the emulator
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=45)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "bot ready" in output and "scheduler stopped" in output and "Application shutdown complete" in output
