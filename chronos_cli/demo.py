"""`chronos demo …`: the demo company."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chronos_cli.runtime import console, open_database, run, settings_or_exit
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


@app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    data_dir: Annotated[Path, typer.Option(help="where the demo database lives (recreated each run)")] = Path(
        "var/demo"
    ),
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
    import asyncio

    from sandbox.demo.runner import DemoPorts, run_demo, summary

    settings_or_exit()
    ports = DemoPorts(web=web_port, api=api_port, telegram=telegram_port, zk_tcp=zk_tcp_port, zk_udp=zk_udp_port,
                      smtp=smtp_port)  # fmt: skip

    def ready(info: object) -> None:
        table = Table(title="Chronos demo is running — Ctrl-C to stop", show_header=False)
        for label, value in summary(info):  # type: ignore[arg-type]
            table.add_row(label, str(value))
        console.print(table)
        console.print(f"Open [bold]{info.web_url}[/] and chat as a persona.", highlight=False)  # type: ignore[attr-defined]
        console.print("DEMO READY", highlight=False)

    try:
        asyncio.run(run_demo(data_dir=data_dir, ports=ports, stop=asyncio.Event(), on_ready=ready))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
