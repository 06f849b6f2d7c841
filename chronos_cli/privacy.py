"""Personal data from the command line: `chronos retention run [--dry-run]`, `chronos export person CODE`,
`chronos erase person CODE --yes`, `chronos legal-hold set|lift CODE`.

The real retention run is the scheduler's job (same Redis lock, a JobRun with trigger "cli"); --dry-run only
reads and prints who would be anonymised. Export, erasure and holds call the same services as the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chronos_cli.jobs import run_job, summary
from chronos_cli.runtime import console, fail, open_database, run, settings_or_exit
from shared.i18n import translator
from shared.model import utcnow
from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.privacy.retention import erase_employee, run_retention, set_legal_hold
from shared.services.privacy.subject_access import employee_by_code, export_person

retention_app = typer.Typer(help="Data retention: anonymise people who left long ago.", no_args_is_help=True)
export_app = typer.Typer(help="Subject access: everything stored about a person.", no_args_is_help=True)
erase_app = typer.Typer(help="Erasure on request: anonymise a person now.", no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds: stop a person's data from being anonymised.", no_args_is_help=True)


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print who would be anonymised; write nothing")] = False,
) -> None:
    """Anonymise everyone who left more than RETENTION_YEARS ago and is not under a legal hold."""
    settings = settings_or_exit()
    if settings.retention_years <= 0:
        fail("RETENTION_YEARS is 0 (personal data is kept); set it to the years to keep data after leaving", code=2)
    if not dry_run:
        summary(run_job(settings, "retention", "Anonymising"))
        return

    async def body() -> None:
        async with open_database(settings) as db, db.session() as session:
            report = await run_retention(
                session, actor=Actor.cli(), today=today_in(settings.company_timezone), now=utcnow(),
                years=settings.retention_years, dry_run=True,
            )  # fmt: skip
        table = Table("code", "left on", "outcome", title=f"Left before {report.cutoff}: dry run, nothing written")
        for item in report.due:
            table.add_row(item.code, str(item.leaving_date), "would be anonymised")
        for item in report.held:
            table.add_row(item.code, str(item.leaving_date), "kept: legal hold")
        console.print(table)
        console.print(f"{len(report.due)} would be anonymised, {len(report.held)} kept under a legal hold.")

    run(body, settings)


@export_app.command("person")
def export_person_command(
    code: Annotated[str, typer.Argument(help="the employee's code")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="zip file to write")] = None,
) -> None:
    """Write the subject-access archive of one person (person.json + person.xlsx in a zip)."""
    settings = settings_or_exit()

    async def body() -> tuple[str, bytes]:
        async with open_database(settings) as db, db.transaction() as session:
            employee = await employee_by_code(session, code)
            return await export_person(
                session, actor=Actor.cli(), employee_id=employee.id, now=utcnow(),
                t=translator(settings.default_locale),
            )  # fmt: skip

    name, content = run(body, settings)
    target = output or Path(name)
    target.write_bytes(content)
    console.print(f"Wrote {target} ({len(content)} bytes).")


@erase_app.command("person")
def erase_person_command(
    code: Annotated[str, typer.Argument(help="the employee's code")],
    yes: Annotated[bool, typer.Option("--yes", help="confirm: this cannot be undone")] = False,
) -> None:
    """Anonymise one person now (refused while a legal hold applies)."""
    if not yes:
        fail("erasure cannot be undone; add --yes to confirm", code=2)
    settings = settings_or_exit()

    async def body() -> dict[str, int]:
        async with open_database(settings) as db, db.transaction() as session:
            employee = await employee_by_code(session, code)
            return await erase_employee(session, actor=Actor.cli(), employee_id=employee.id, now=utcnow())

    counts = run(body, settings)
    console.print(f"Anonymised {code}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _hold(code: str, hold: bool, reason: str | None) -> None:
    settings = settings_or_exit()

    async def body() -> None:
        async with open_database(settings) as db, db.transaction() as session:
            employee = await employee_by_code(session, code)
            await set_legal_hold(session, actor=Actor.cli(), employee_id=employee.id, hold=hold, reason=reason)

    run(body, settings)
    console.print(f"Legal hold {'set on' if hold else 'lifted from'} {code}.")


@hold_app.command("set")
def hold_set(
    code: Annotated[str, typer.Argument(help="the employee's code")],
    reason: Annotated[str, typer.Option("--reason", help="why (e.g. the case it is for)")],
) -> None:
    """Put a legal hold on a person: retention and erasure leave their data alone."""
    _hold(code, True, reason)


@hold_app.command("lift")
def hold_lift(code: Annotated[str, typer.Argument(help="the employee's code")]) -> None:
    """Lift a person's legal hold."""
    _hold(code, False, None)
