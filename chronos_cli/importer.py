"""`chronos import …`: bulk data in from files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from chronos_cli.runtime import console, err_console, open_database, run, settings_or_exit
from shared.i18n import CatalogMissing, translator
from shared.services.actor import Actor
from shared.services.org.importer import ImportReport, import_employees

app = typer.Typer(help="Import data from files.", no_args_is_help=True)


def _problem_text(message: str, params: dict[str, str], locale: str) -> str:
    try:
        return translator(locale).gettext(message).format(**params)
    except CatalogMissing:
        return message.format(**params)


@app.command("employees")
def employees(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV with a header row")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="write the valid rows, skip the bad")] = False,
) -> None:
    """Create or update employees by code from a CSV file; nothing is written if any row is bad."""
    settings = settings_or_exit()
    text = file.read_text(encoding="utf-8-sig")

    async def body() -> ImportReport:
        async with open_database(settings) as db:
            with Progress(TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
                task = bar.add_task("rows", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                async with db.transaction() as session:
                    return await import_employees(
                        session, text=text, actor=Actor.cli(), skip_invalid=skip_invalid, progress=progress
                    )

    report = run(body, settings)
    for problem in report.problems:
        reason = _problem_text(problem.message, problem.params, settings.default_locale)
        err_console.print(f"{file.name}:{problem.line}: {reason}", highlight=False, markup=False)
    if not report.written:
        err_console.print(
            f"[bold red]Nothing was written:[/] {len({p.line for p in report.problems})} bad row(s). "
            "Fix them, or run again with --skip-invalid to import the valid rows."
        )
        raise typer.Exit(1)
    console.print(
        f"[green]Imported[/] {report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        + (f", skipped lines {', '.join(map(str, report.skipped_lines))}" if report.skipped_lines else "")
        + (f"; new departments: {', '.join(report.departments_created)}" if report.departments_created else "")
    )
