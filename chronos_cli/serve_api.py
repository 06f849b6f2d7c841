"""`chronos api [--workers N]`: serve the REST API with uvicorn on API_HOST:API_PORT."""

from __future__ import annotations

from typing import Annotated

import typer

from chronos_cli.runtime import settings_or_exit

app = typer.Typer(help="Serve the REST API (uvicorn on API_HOST:API_PORT).")


@app.callback(invoke_without_command=True)
def api(
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (one per core on a multi-core machine)")
    ] = 1,
) -> None:
    """Serve the REST API; stops on Ctrl-C."""
    from api.__main__ import serve

    settings = settings_or_exit("api")  # runs settings.require_service_ready("api")
    serve(settings, workers=workers)
