"""The `chronos` command: every service and operator task behind one entry point."""

from __future__ import annotations

import typer

from chronos_cli import admin, all_in_one, db, demo, importer, jobs, privacy, serve_scheduler

app = typer.Typer(
    name="chronos",
    help="Chronos — HR assistant in Telegram: attendance, leave, approvals, HR digests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(admin.app, name="admin")
app.add_typer(importer.app, name="import")
app.add_typer(demo.app, name="demo")
app.add_typer(__import__("chronos_cli.serve_api", fromlist=["app"]).app, name="api")  # `chronos api`
app.add_typer(__import__("chronos_cli.serve_bot", fromlist=["app"]).app, name="bot")  # `chronos bot`
app.add_typer(serve_scheduler.app, name="scheduler")
app.add_typer(jobs.devices_app, name="devices")
app.add_typer(jobs.attendance_app, name="attendance")
app.add_typer(jobs.digest_app, name="digest")
app.add_typer(privacy.retention_app, name="retention")
app.add_typer(privacy.export_app, name="export")
app.add_typer(privacy.erase_app, name="erase")
app.add_typer(privacy.hold_app, name="legal-hold")
app.add_typer(all_in_one.app, name="all")


if __name__ == "__main__":
    app()
