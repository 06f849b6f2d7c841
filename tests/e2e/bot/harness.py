"""Driving the real `chronos bot` process: start/stop it, act as users in the emulator, read what the bot did."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from redis import Redis as SyncRedis

from sandbox.telegram import EmulatorClient, EmulatorThread
from shared.persistence import Database
from tests.factories import Company

REPO = Path(__file__).resolve().parents[3]
PEPPER = "e2e-bot-pepper-not-a-secret"
COMPANY_TZ = "Europe/Berlin"
PUBLIC_BASE_URL = "https://chronos.example.test"
HR, MANAGER, ALICE, BOB = 9001, 9002, 9003, 9004
PEOPLE = {HR: ("Hana", "en"), MANAGER: ("Max", "en"), ALICE: ("Alice", "ru"), BOB: ("Bob", "en")}
Predicate = Callable[[dict[str, Any]], bool]
_OUR_SETTINGS = (
    "DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "TELEGRAM_FILE_URL",
    "BOT_MODE", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "WEBHOOK_PORT", "BOT_USERNAME",
    "API_SECRET_KEY", "STAGE", "COMPANY_TIMEZONE", "DEFAULT_LOCALE", "LOG_FORMAT", "LOG_LEVEL", "PUBLIC_BASE_URL",
)  # fmt: skip


def register_token(emulator: EmulatorThread, token: str, username: str) -> None:
    response = httpx.post(
        f"{emulator.control_url}/bots", json={"token": token, "username": username}, timeout=10, verify=False
    )
    response.raise_for_status()


def reset_emulator(emulator: EmulatorThread) -> None:
    httpx.post(f"{emulator.control_url}/reset", timeout=10, verify=False).raise_for_status()


def delete_redis_keys(url: str, prefix: str) -> None:
    client = SyncRedis.from_url(url, decode_responses=True)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class BotProcess:
    """One `chronos bot` subprocess with its log in a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self._offset = 0

    def start(self, *, wait: bool = True, timeout: float = 40.0) -> BotProcess:
        self._offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chronos_cli.main", "bot"], cwd=REPO, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, needle: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log()[self._offset :]:
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"bot exited with {self.proc.returncode}:\n{self.tail()}")
            time.sleep(0.05)
        raise TimeoutError(f"no {needle!r} in the bot log within {timeout}s:\n{self.tail()}")

    def wait_ready(self, timeout: float = 40.0) -> None:
        self.wait_for_log("bot ready", timeout)

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def kill(self) -> None:
        """Crash it (SIGKILL): no clean-up at all."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@dataclass
class Deployment:
    """Where one bot runs: its database, Redis prefix, token on the emulator, extra settings."""

    name: str
    db_url: str
    redis_url: str
    prefix: str
    token: str
    emulator: EmulatorThread
    log_dir: Path
    extra: dict[str, str] = field(default_factory=dict)
    processes: list[BotProcess] = field(default_factory=list)

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _OUR_SETTINGS}
        env.update(
            DATABASE_URL=self.db_url, REDIS_URL=self.redis_url, REDIS_PREFIX=self.prefix,
            TELEGRAM_BOT_TOKEN=self.token, TELEGRAM_API_URL=self.emulator.base_url,
            TELEGRAM_FILE_URL=self.emulator.base_file_url, OUTBOX_POLL_SECONDS="0.1", OUTBOX_MAX_ATTEMPTS="8",
            COMPANY_TIMEZONE=COMPANY_TZ, DEFAULT_LOCALE="en", BOT_USERNAME="chronos_hr_bot", API_SECRET_KEY=PEPPER,
            STAGE="dev", LOG_FORMAT="console", LOG_LEVEL="INFO", HR_NOTIFY_DECISIONS="true", BOT_MODE="polling",
            PYTHONUNBUFFERED="1", PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        )  # fmt: skip
        env.update(self.extra)
        env.update(overrides)
        return env

    def process(self, label: str = "bot", **overrides: str) -> BotProcess:
        proc = BotProcess(self.env(**overrides), self.log_dir / f"{self.name}-{label}.log")
        self.processes.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.processes:
            proc.stop()


def has(*needles: str) -> Predicate:
    """A bot message whose text (or caption) contains every needle."""

    def check(message: dict[str, Any]) -> bool:
        text = message.get("text") or message.get("caption") or ""
        return all(n in text for n in needles)

    return check


def with_button(prefix: str) -> Predicate:
    def check(message: dict[str, Any]) -> bool:
        return any(b.get("callback_data", "").startswith(prefix) for row in message.get("buttons") or [] for b in row)

    return check


def button_data(message: dict[str, Any]) -> list[str]:
    return [b.get("callback_data", "") for row in message.get("buttons") or [] for b in row]


def button_texts(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("buttons") or [] for b in row]


@dataclass
class Harness:
    """The test's side: the emulator control client (as users), the database, the seeded company."""

    control: EmulatorClient
    db: Database
    company: Company
    deployment: Deployment
    today: date

    async def last_id(self, user: int) -> int:
        messages = (await self.control.transcript(user))["messages"]
        return max((m["message_id"] for m in messages), default=0)

    async def wait_for(
        self, user: int, predicate: Predicate | None = None, *, after: int = 0, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The first bot message after ``after`` that satisfies ``predicate`` (waits for it)."""
        check = predicate or (lambda _m: True)
        deadline = time.monotonic() + timeout
        while True:
            transcript = await self.control.transcript(user, after=after)
            for message in transcript["messages"]:
                if message["from_bot"] and not message["deleted"] and check(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                texts = [m.get("text") or m.get("caption") for m in transcript["messages"] if m["from_bot"]]
                raise TimeoutError(f"chat {user}: no matching bot message after #{after}; bot said {texts}")
            await self.control.wait_for_change(user, since=transcript["version"], timeout=min(left, 5.0))

    async def send(self, user: int, text: str, predicate: Predicate | None = None, timeout: float = 10.0) -> dict:
        """The user writes ``text``; returns the first bot message after it that matches."""
        sent = await self.control.send_text(user, text)
        return await self.wait_for(user, predicate, after=sent["message"]["message_id"], timeout=timeout)

    async def press(
        self, user: int, *, text: str | None = None, data: str | None = None, message_id: int | None = None
    ) -> dict[str, Any]:
        """Press a button and wait for the bot's answer to the callback query (returned, with ``answer``)."""
        pressed = await self.control.press_button(user, text=text, data=data, message_id=message_id)
        return await self.control.wait_callback_answer(pressed["callback_query_id"], timeout=10)

    async def press_then(
        self, user: int, predicate: Predicate, *, text: str | None = None, data: str | None = None
    ) -> dict[str, Any]:
        """Press, then return the first new bot message that matches ``predicate``."""
        after = await self.last_id(user)
        await self.press(user, text=text, data=data)
        return await self.wait_for(user, predicate, after=after)

    async def pick_date(self, user: int, day: date) -> dict[str, Any]:
        """Page the latest calendar to ``day``'s month («/») and press the day; returns the answer."""
        calendar = await self.wait_for_latest(user, with_button("cal:d:"))
        wanted = f"cal:d:{day:%Y%m%d}"
        for _ in range(14):
            data = button_data(calendar)
            if wanted in data:
                return await self.press(user, data=wanted, message_id=calendar["message_id"])
            shown = next(d for d in data if d.startswith("cal:d:"))
            month_data = [d for d in data if d.startswith("cal:m:")]
            forward = (day.year, day.month) > (int(shown[6:10]), int(shown[10:12]))
            target = max(month_data) if forward else min(month_data)
            await self.press(user, data=target, message_id=calendar["message_id"])
            calendar = await self.control.message(user, calendar["message_id"])
        raise AssertionError(f"could not page the calendar to {day}")

    async def wait_for_latest(self, user: int, predicate: Predicate, timeout: float = 10.0) -> dict[str, Any]:
        """The newest bot message that matches (waiting until one exists)."""
        await self.wait_for(user, predicate, timeout=timeout)
        messages = (await self.control.transcript(user))["messages"]
        return [m for m in messages if m["from_bot"] and predicate(m)][-1]

    async def bot_texts(self, user: int) -> list[str]:
        messages = (await self.control.transcript(user))["messages"]
        return [m.get("text") or m.get("caption") or "" for m in messages if m["from_bot"]]


async def plant_button(h: Harness, chat_id: int, data: str) -> int:
    """What a modified client can do: make a button with any callback data appear and press it.

    The emulator only lets users press buttons that exist, so the test posts the button through the Bot
    API (as the bot's token) into the victim's chat; the bot must not trust it.
    """
    url = f"{h.deployment.emulator.base_url}{h.deployment.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "Approve", "callback_data": data}]]}
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(
            url, data={"chat_id": chat_id, "text": "crafted", "reply_markup": json.dumps(markup)}
        )
    response.raise_for_status()
    return int(response.json()["result"]["message_id"])


async def eventually(check: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Await ``check()`` until it returns something truthy (or raise with the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        await asyncio.sleep(interval)
