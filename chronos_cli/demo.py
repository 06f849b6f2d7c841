"""`chronos demo …`: the demo company.

The console stays readable: start-up says what it does in a few lines, then the panel (URLs, token, personas)
and one status line that updates in place. Every log line goes to ``<data dir>/demo.log``. Enter prints the
panel again; Ctrl-C stops (a second Ctrl-C quits at once).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from chronos_cli.runtime import console, fail, open_database, run, settings_or_exit
from shared.log import configure_logging
from shared.persistence.migrate import upgrade_async

app = typer.Typer(help="The whole product offline: `chronos demo` runs it; `chronos demo seed` only seeds.")


def print_summary(summary: object) -> None:
    from sandbox.demo.seed import DemoSummary

    assert isinstance(summary, DemoSummary)
    table = Table(title="Demo company", show_lines=False)
    table.add_column("code")
    table.add_column("name")
    table.add_column("role")
    table.add_column("department")
    for row in summary.people:
        table.add_row(*row)
    console.print(table)
    console.print("Departments (head): " + "; ".join(f"{d} ({h})" for d, h in summary.departments.items()))
    console.print("Roles: " + ", ".join(f"{n} {r}" for r, n in sorted(summary.roles.items())))
    console.print("Shifts: " + ", ".join(summary.shifts))
    console.print("Leave types: " + ", ".join(summary.leave_types))
    console.print("Approval chains: " + "; ".join(summary.chains))
    console.print("Delegations: " + "; ".join(summary.delegations))
    console.print(f"Public holidays imported: {summary.holidays}")


@app.command("seed")
def seed() -> None:
    """Create the schema if needed and seed the demo company into an empty database."""
    settings = settings_or_exit()

    async def body() -> object:
        from sandbox.demo.seed import seed_demo

        await upgrade_async(settings.database_url)
        async with open_database(settings) as db, db.transaction() as session:
            return await seed_demo(session, today=date.today())

    print_summary(run(body, settings))


def status_text(numbers: dict[str, Any]) -> str:
    """The one status line: devices, who is in, what waits, and the keys that work."""
    devices = ", ".join(f"{d['name']} {d['status']}" for d in numbers.get("devices", []))
    today = numbers.get("today", {})
    return (
        f"● running · {devices} · in now {today.get('Checked in', 0)} · punches today {today.get('Punches', 0)}"
        f" · pending {today.get('Requests pending', 0)} — Enter: show the panel · Ctrl-C: stop"
    )


class Console:
    """The demo's console: the panel on demand and one status line rewritten in place (on a terminal)."""

    def __init__(self) -> None:
        self.info: Any = None
        self.lock = threading.Lock()
        self.tty = sys.stdout.isatty()
        self.line = ""

    def step(self, text: str) -> None:
        with self.lock:
            console.print(f"… {text}", highlight=False)

    def ready(self, info: Any) -> None:
        self.info = info
        self.panel()
        console.print("DEMO READY", highlight=False)
        sys.stdout.flush()

    def panel(self) -> None:
        from sandbox.demo.runner import summary

        if self.info is None:
            return
        with self.lock:
            self._clear()
            table = Table(title="Chronos demo is running — Ctrl-C to stop", show_header=False)
            table.add_column(no_wrap=True)
            table.add_column(overflow="fold")  # the token and the URLs are copied whole, never cut
            for label, value in summary(self.info):
                table.add_row(label, str(value))
            console.print(table)
            console.print(f"Open [bold]{self.info.web_url}[/] and chat as a persona.", highlight=False)
            self._draw()

    def status(self, numbers: dict[str, Any]) -> None:
        with self.lock:
            self.line = status_text(numbers)
            self._draw()

    def say(self, text: str) -> None:
        with self.lock:
            self._clear()
            console.print(text, highlight=False)
            self.line = ""

    def _draw(self) -> None:
        if self.tty and self.line:
            sys.stdout.write("\r\x1b[2K" + self.line[: max(20, console.width - 1)])
            sys.stdout.flush()

    def _clear(self) -> None:
        if self.tty and self.line:
            sys.stdout.write("\r\x1b[2K")
            sys.stdout.flush()


def _panel_on_enter(screen: Console) -> None:
    """Each Enter on the terminal prints the panel again (a daemon thread: it never holds the exit)."""
    if not sys.stdin or not sys.stdin.isatty():
        return

    def read() -> None:
        for _line in sys.stdin:
            screen.panel()

    threading.Thread(target=read, name="demo-enter", daemon=True).start()


def _check_ports(ports: Any) -> None:
    from sandbox.demo.ports import first_busy

    busy = first_busy([
        ("the web chat (--web-port)", ports.web, False),
        ("the REST API (--api-port)", ports.api, False),
        ("the Telegram emulator (--telegram-port)", ports.telegram, False),
        ("the ZK emulator over TCP (--zk-tcp-port)", ports.zk_tcp, False),
        ("the ZK emulator over UDP (--zk-udp-port)", ports.zk_udp, True),
        ("the local SMTP server (--smtp-port)", ports.smtp, False),
    ])  # fmt: skip
    if busy:
        what, port = busy
        fail(f"port {port} for {what} is in use: stop what listens there, or choose another port", code=2)


@app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    data_dir: Annotated[Path, typer.Option(help="where the demo database and demo.log live")] = Path("var/demo"),
    keep: Annotated[
        bool, typer.Option("--keep", help="reuse the database of the last run instead of a new one")
    ] = False,
    web_port: Annotated[int, typer.Option(help="web chat")] = 8080,
    api_port: Annotated[int, typer.Option(help="REST API")] = 8000,
    telegram_port: Annotated[int, typer.Option(help="Telegram Bot API emulator")] = 8081,
    zk_tcp_port: Annotated[int, typer.Option(help="ZK emulator (TCP)")] = 4370,
    zk_udp_port: Annotated[int, typer.Option(help="ZK emulator (UDP)")] = 4371,
    smtp_port: Annotated[int, typer.Option(help="Local SMTP server (its mails show in the web chat)")] = 8025,
) -> None:
    """Run the whole product offline: emulators, API, bot, scheduler and the web chat."""
    if ctx.invoked_subcommand is not None:
        return
    from sandbox.demo.runner import DemoPorts, run_demo

    settings = settings_or_exit()
    ports = DemoPorts(web=web_port, api=api_port, telegram=telegram_port, zk_tcp=zk_tcp_port, zk_udp=zk_udp_port,
                      smtp=smtp_port)  # fmt: skip
    _check_ports(ports)  # before anything is seeded or started
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = data_dir / "demo.log"
    configure_logging(service="demo", stage=settings.stage, fmt="console", level=settings.log_level, path=str(log_file))
    screen = Console()
    screen.step(f"Logs go to {log_file}")
    _panel_on_enter(screen)
    stop = asyncio.Event()

    async def stopping() -> None:
        """Once a signal set ``stop``: say so, and let a second Ctrl-C quit at once."""
        await stop.wait()
        screen.say("Stopping… (Ctrl-C again to quit at once)")
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, lambda: os._exit(130))

    async def main() -> None:
        watcher = asyncio.create_task(stopping())
        try:
            await run_demo(
                data_dir=data_dir, ports=ports, stop=stop, on_ready=screen.ready, keep=keep,
                on_status=screen.status, on_step=screen.step,
            )  # fmt: skip
        finally:
            watcher.cancel()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    screen.say("Stopped.")
