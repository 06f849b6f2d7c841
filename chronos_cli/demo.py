"""`chronos demo …`: the demo company."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from chronos_cli.runtime import console, open_database, run, settings_or_exit
from shared.persistence.migrate import upgrade_async

app = typer.Typer(help="The demo company.")


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
