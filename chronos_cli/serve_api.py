"""`chronos api`: serve the REST API with uvicorn on API_HOST:API_PORT."""

from __future__ import annotations

import typer

from chronos_cli.runtime import settings_or_exit

app = typer.Typer(help="Serve the REST API (uvicorn on API_HOST:API_PORT).")


@app.callback(invoke_without_command=True)
def api() -> None:
    """Serve the REST API; stops on Ctrl-C."""
    from api.__main__ import serve

    settings = settings_or_exit("api")  # runs settings.require_service_ready("api")
    serve(settings)
