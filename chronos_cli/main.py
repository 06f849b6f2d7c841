"""The `chronos` command: every service and operator task behind one entry point."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from chronos_cli import admin, all_in_one, db, demo, importer, jobs, privacy, serve_api, serve_bot, serve_scheduler
from chronos_cli.help_style import flags_show_no_type

flags_show_no_type()
app = typer.Typer(
    name="chronos",
    help="Chronos — HR assistant in Telegram: attendance, leave, approvals, HR digests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def chronos_version() -> str:
    try:
        return version("chronos-hr")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        print(f"chronos {chronos_version()}")
        raise typer.Exit()


@app.callback()
def main(
    _version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """Chronos — HR assistant in Telegram: attendance, leave, approvals, HR digests."""


app.add_typer(db.app, name="db")
app.add_typer(admin.app, name="admin")
app.add_typer(importer.app, name="import")
app.add_typer(demo.app, name="demo")
# the services take no subcommand: plain commands, so their help shows no "COMMAND [ARGS]"
app.command("api")(serve_api.api)
app.command("bot")(serve_bot.bot)
app.command("scheduler")(serve_scheduler.scheduler)
app.command("all")(all_in_one.all_services)
app.add_typer(jobs.devices_app, name="devices")
app.add_typer(jobs.attendance_app, name="attendance")
app.add_typer(jobs.digest_app, name="digest")
app.add_typer(privacy.retention_app, name="retention")
app.add_typer(privacy.export_app, name="export")
app.add_typer(privacy.erase_app, name="erase")
app.add_typer(privacy.hold_app, name="legal-hold")


if __name__ == "__main__":
    app()
