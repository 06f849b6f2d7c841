"""Bot throughput and latency: simulated users check in through the Telegram emulator against `chronos bot`.

    .venv/bin/python bench/bot.py [--levels 1,10,50] [--updates 200] [--repeat 3] [--users 50]
                                  [--rate 10] [--paced 400] [--warmup 200] [--no-record] [--profile DIR]

Everything real: the emulator as a process, `chronos bot` as a process (polling, a scratch PostgreSQL
database, the real Redis) and, as the framework floor, a minimal PTB echo bot (same PTB settings, a
handler that only replies). Every check-in is a different employee, so each one is a stored punch
(lock, session, employee, geofence, ``record_punch``, reply with the menu). Two measurements:

* **saturation** — ``N`` users at once, each sending its next update as soon as the reply came
  (closed loop): the most replies per second each bot gets out of the machine;
* **paced** — ``--users`` users at once sending ``--rate`` updates per second in total (each user every
  ``users / rate`` seconds): the latency a user sees while everyone is active;
* **/help** at saturation — the same lock / session / employee / reply pipeline without the punch's
  database transaction, to tell the bot's own cost from the check-in service's.

Latency is from sending the update to the emulator until the reply is in the chat (the emulator's
long-poll wait). The driver, the emulator, both bots, PostgreSQL and Redis share the machine, so the two
bots are measured in turns (``--repeat`` times per load; the median throughput is reported). The emulator
counts the Bot API calls each bot makes per update (the echo bot: one ``sendMessage``). ``--profile DIR``
samples the chronos bot with py-spy during its last /checkin and /help measurements (``bench/profiling.py``)
and prints where its time went; sampling perturbs those figures, so such a run is not recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ScratchDatabase, cpu_seconds, free_port, record, table
from bench.profiling import sampled, summary
from sandbox.telegram import EmulatorClient
from shared.domain.enums import Role
from shared.model import Department, Employee, Shift
from shared.persistence import Database

REPO = Path(__file__).resolve().parent.parent
CHRONOS_TOKEN = "7000000001:AAH-emulator-chronos-bot-token-000000"
ECHO_TOKEN = "7000000002:AAH-emulator-echo-bot-token-0000000000"
FIRST_USER = 700_000
REDIS_URL = os.environ.get("BENCH_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


@contextlib.contextmanager
def process(
    args: list[str], env: dict[str, str], log: Path, ready: str, timeout: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """A subprocess that is up once ``ready`` shows in its log; SIGTERM (then SIGKILL) at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while ready not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def echo_bot(token: str, base_url: str) -> None:
    """The floor: PTB polling with the bot's concurrency settings, replying to every text; no DB, no Redis."""
    from telegram import Update
    from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

    from chronos_bot.app import PerUserUpdateProcessor

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo {update.message.text}")

    app = (
        ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=2))
        .concurrent_updates(PerUserUpdateProcessor()).job_queue(None).build()
    )  # fmt: skip
    app.add_handler(MessageHandler(filters.TEXT, echo))
    with contextlib.suppress(ImportError):  # the same event loop as `chronos bot` (uvloop when installed)
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    print("echo bot ready", flush=True)
    app.run_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)


async def seed(url: str, employees: int) -> None:
    """A department, the day shift and ``employees`` people with Telegram accounts (no geofence)."""
    db = Database.from_url(url)
    try:
        async with db.transaction() as s:
            shift = Shift(name="Day", start_time=clock(9), end_time=clock(18))
            dept = Department(name="Bench")
            s.add_all([shift, dept])
            await s.flush()
            s.add_all(
                Employee(code=f"E{i}", full_name=f"Person {i}", role=Role.EMPLOYEE, telegram_user_id=FIRST_USER + i,
                         locale="en", department_id=dept.id, shift_id=shift.id, timezone="Europe/Berlin",
                         hire_date=date(2020, 1, 1))
                for i in range(employees)
            )  # fmt: skip
    finally:
        await db.dispose()


@dataclass
class Run:
    """Repeated measurements of one bot at one load, pooled: median throughput, all latencies."""

    bot: str
    mode: str
    users: int
    updates: int = 0
    rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    """Bot API calls the bot made during the measurements (``getUpdates`` left out), from the emulator."""

    @property
    def throughput(self) -> float:
        return statistics.median(self.rates)

    @property
    def bot_cpu(self) -> float:
        return statistics.median(self.cpu)

    def calls_per_update(self) -> str:
        """E.g. ``1.00 (sendMessage 1.00)``: Bot API calls per update besides polling, by method."""
        total = sum(self.calls.values()) / max(1, self.updates)
        methods = ", ".join(f"{name} {n / max(1, self.updates):.2f}" for name, n in self.calls.most_common())
        return f"{total:.2f} ({methods})" if methods else f"{total:.2f}"

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@contextlib.asynccontextmanager
async def control(url: str, token: str) -> AsyncIterator[EmulatorClient]:
    """A client of its own per simulated user: httpcore scans its whole pool on every request, so one
    pool shared by 100 long-polling connections would make the driver the bottleneck."""
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    http = httpx.AsyncClient(timeout=60, trust_env=False, verify=False, limits=limits)
    try:
        yield EmulatorClient(url, bot=token, http=http)
    finally:
        await http.aclose()


async def drive(
    url: str, token: str, chats: list[int], users: int, text: str, expect: str, *, rate: float | None = None
) -> tuple[float, list[float]]:
    """``users`` users send ``text`` from the chats in turn and wait for each reply.

    Without ``rate`` each sends the next update as soon as the reply came; with it, update ``i`` is due
    ``i / rate`` seconds after the start (a user whose reply is late sends its next one late).
    """
    latencies: list[float] = []
    started = time.perf_counter()

    async def user(number: int) -> None:
        async with control(url, token) as client:
            for index in range(number, len(chats), users):
                if rate is not None:
                    await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
                sent_at = time.perf_counter()
                sent = await client.send_text(chats[index], text)
                reply = await client.wait_for_bot_message(chats[index], after=sent["message"]["message_id"], timeout=30)
                latencies.append(time.perf_counter() - sent_at)
                if expect not in (reply.get("text") or ""):
                    raise RuntimeError(f"unexpected reply in chat {chats[index]}: {reply.get('text')!r}")

    await asyncio.gather(*(user(n) for n in range(users)))
    return time.perf_counter() - started, latencies


@dataclass
class Target:
    name: str
    proc: subprocess.Popen[bytes]
    token: str
    text: str
    expect: str


async def api_calls(url: str) -> Counter[str]:
    """The emulator's Bot API call counters so far (all bots), without the long polls."""
    async with httpx.AsyncClient(timeout=30, trust_env=False) as http:
        calls = (await http.get(f"{url}/control/stats")).raise_for_status().json()["calls"]
    return Counter({name: n for name, n in calls.items() if name != "getUpdates"})


async def measure(
    run: Run, target: Target, url: str, chats: list[int], rate: float | None = None, *, profile: Path | None = None
) -> None:
    """One measurement added to ``run``: its throughput, latencies, the bot process's CPU per update and the
    Bot API calls made meanwhile (the bots take turns, so they are this bot's); with ``profile``, py-spy
    samples the bot process into that file meanwhile (the figures of such a run are not comparable)."""
    calls = await api_calls(url)
    with sampled(target.proc.pid, profile) if profile is not None else contextlib.nullcontext():
        used = cpu_seconds(target.proc.pid)
        seconds, latencies = await drive(url, target.token, chats, run.users, target.text, target.expect, rate=rate)
        cpu = cpu_seconds(target.proc.pid) - used
    run.calls += await api_calls(url) - calls
    run.updates += len(chats)
    run.rates.append(len(chats) / seconds)
    run.latencies += latencies
    run.cpu.append(cpu / len(chats))


class Chats:
    """Fresh chats (employees) handed out in order: every check-in is a first one."""

    def __init__(self, chats: list[int]) -> None:
        self.chats = chats
        self.position = 0

    def take(self, n: int) -> list[int]:
        taken = self.chats[self.position : self.position + n]
        self.position += n
        return taken


async def compare(echo: Target, bot: Target, url: str, chats: Chats, args: argparse.Namespace) -> list[Run]:
    """Echo and chronos measured in turns at each load, ``--repeat`` times, so that the machine's other
    load hits both alike; then the paced run and the /help run."""
    levels = [int(n) for n in args.levels.split(",")]
    warm = chats.take(args.warmup)
    await drive(url, echo.token, warm, max(levels), echo.text, echo.expect)
    await drive(url, bot.token, warm, max(levels), bot.text, bot.expect)
    runs: list[Run] = []
    for users in levels:
        pair = (Run(echo.name, "saturation", users), Run(bot.name, "saturation", users))
        for turn in range(args.repeat):
            await measure(pair[0], echo, url, chats.take(args.updates))
            await measure(pair[1], bot, url, chats.take(args.updates), profile=_profile(args, f"checkin-{users}", turn))
        runs += pair
    for target in (echo, bot):
        paced = Run(target.name, f"paced {args.rate:g}/s", args.users)
        await measure(paced, target, url, chats.take(args.paced), rate=args.rate)
        runs.append(paced)
    pipeline = Target("chronos bot /help (no write)", bot.proc, bot.token, "/help", "Here is")
    busiest = Run(pipeline.name, "saturation", max(levels))
    for turn in range(args.repeat):
        await measure(busiest, pipeline, url, warm, profile=_profile(args, "help", turn))
    return [*runs, busiest]


def _profile(args: argparse.Namespace, name: str, turn: int) -> Path | None:
    """Where py-spy writes the chronos bot's profile of this measurement (the last of each series only)."""
    if args.profile is None or turn != args.repeat - 1:
        return None
    args.profile.mkdir(parents=True, exist_ok=True)
    return args.profile / f"{name}.txt"


async def bench(args: argparse.Namespace) -> list[Run]:
    work = REPO / "var" / "bench-bot"
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "REDIS_", "BOT_"))}
    total = args.warmup + args.updates * args.repeat * len(args.levels.split(",")) * 2 + args.paced * 2
    chats = [FIRST_USER + i for i in range(total)]
    async with ScratchDatabase("bot") as db_url:
        await seed(db_url, total)
        emulator_args = [sys.executable, "-m", "sandbox.telegram", "--port", str(port), "--token", CHRONOS_TOKEN,
                         "--token", ECHO_TOKEN, "--log-level", "warning"]  # fmt: skip
        prefix = f"chronos-bench:{uuid.uuid4().hex[:8]}"
        bot_env = {**base_env, "DATABASE_URL": db_url, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": prefix,
                   "TELEGRAM_BOT_TOKEN": CHRONOS_TOKEN, "TELEGRAM_API_URL": f"{url}/bot",
                   "COMPANY_TIMEZONE": "Europe/Berlin", "LOG_LEVEL": "INFO", "BOT_USERNAME": "chronos_hr_bot",
                   "OUTBOX_POLL_SECONDS": "1"}  # fmt: skip
        echo_args = [sys.executable, str(Path(__file__)), "--echo-bot", ECHO_TOKEN, f"{url}/bot"]
        bot_args = [sys.executable, "-m", "chronos_cli.main", "bot"]
        with process(emulator_args, base_env, work / "emulator.log", "emulator on"):
            for token in (CHRONOS_TOKEN, ECHO_TOKEN):
                async with control(url, token) as client:
                    for chat in chats:
                        await client.ensure_user(chat, f"P{chat}", language_code="en")
            with (
                process(echo_args, base_env, work / "echo.log", "echo bot ready") as echo,
                process(bot_args, bot_env, work / "bot.log", "bot ready") as bot,
            ):
                runs = await compare(
                    Target("PTB echo bot", echo, ECHO_TOKEN, "hello", "echo"),
                    Target("chronos bot /checkin", bot, CHRONOS_TOKEN, "/checkin", "Checked in"),
                    url,
                    Chats(chats),
                    args,
                )
        await _forget_redis(prefix)
    return runs


async def _forget_redis(prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def report(runs: list[Run], args: argparse.Namespace) -> str:
    floors = {(r.mode, r.users): r.throughput for r in runs if r.bot.startswith("PTB")}
    rows: list[list[Any]] = [
        [r.bot, r.mode, r.users, r.updates, f"{r.throughput:.0f}", f"{r.throughput / floors[(r.mode, r.users)]:.0%}",
         f"{r.percentile(0.5):.1f}", f"{r.percentile(0.95):.1f}", f"{max(r.latencies) * 1000:.1f}",
         f"{r.bot_cpu * 1000:.1f}", r.calls_per_update()]
        for r in runs
    ]  # fmt: skip
    headers = ["bot", "load", "users", "updates", "replies/s", "of echo", "p50 ms", "p95 ms", "max ms", "bot CPU ms",
               "API calls/update"]  # fmt: skip
    ours = [r for r in runs if r.bot == "chronos bot /checkin"]
    top = max((r for r in ours if r.mode == "saturation"), key=lambda r: r.users)
    paced = next(r for r in ours if r.mode != "saturation")
    share = top.throughput / floors[(top.mode, top.users)]
    p95 = paced.percentile(0.95)
    echo_cpu = next(r.bot_cpu for r in runs if r.bot.startswith("PTB") and (r.mode, r.users) == (top.mode, top.users))
    verdict = (
        f"Goal: ≥ 60% of the echo bot's throughput at saturation and p95 < 100 ms paced → saturation with "
        f"{top.users} users: {share:.0%} of the echo bot ({'met' if share >= 0.6 else '**MISSED**'}), CPU per update"
        f" {top.bot_cpu * 1000:.1f} ms vs the echo bot's {echo_cpu * 1000:.1f} ms; {args.users} users at"
        f" {args.rate:g} check-ins/s: p95 {p95:.1f} ms ({'met' if p95 < 100 else '**MISSED**'})."
        f" Load average (1/5/15 min) at the end: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}."
    )
    notes = (
        f"Saturation: each user sends its next update as soon as its reply came; echo and chronos measured in "
        f"turns, {args.repeat} times per load, median replies/s. Paced: the users send "
        f"{args.rate:g} updates/s in total. Latency: update sent to the emulator → the reply is in the chat. "
        "Bot CPU: user + system time of the bot process per update. API calls/update: Bot API calls the bot made "
        "(the emulator counts them; long polls left out). Every check-in is a different employee "
        "(a stored punch); the emulator, both bots, PostgreSQL, Redis and this driver share the machine."
    )
    return f"{table(headers, rows)}\n\n{verdict}\n\n{notes}"


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--echo-bot":
        echo_bot(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="1,10,50", help="users at once for the saturation runs")
    parser.add_argument("--updates", type=int, default=200, help="check-ins per saturation measurement")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per load (median throughput)")
    parser.add_argument("--users", type=int, default=50, help="users of the paced run")
    parser.add_argument("--rate", type=float, default=10.0, help="check-ins per second of the paced run")
    parser.add_argument("--paced", type=int, default=400, help="check-ins in the paced run")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to bench/RESULTS.md")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="py-spy the chronos bot in the last /checkin and /help measurements (DIR/*.txt); "
                             "prints where its time went and does not record")  # fmt: skip
    args = parser.parse_args()
    runs = asyncio.run(bench(args))
    record("Telegram bot: check-ins through the emulator", report(runs, args),
           append=not args.no_record and args.profile is None)  # fmt: skip
    if args.profile is not None:
        for path in sorted(args.profile.glob("*.txt")):
            print(summary(path), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
