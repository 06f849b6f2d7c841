"""`chronos api [--host H] [--port P] [--workers N]`: serve the REST API with uvicorn (API_HOST:API_PORT unless
--host / --port say otherwise)."""

from __future__ import annotations

from typing import Annotated

import typer

from chronos_cli.runtime import fail, listen_overrides, settings_or_exit


def api(
    host: Annotated[str | None, typer.Option("--host", help="address to listen on (default: API_HOST)")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="port to listen on (default: API_PORT)")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="worker processes (more than 1 needs REDIS_URL)")
    ] = 1,
) -> None:
    """Serve the REST API; stops on Ctrl-C."""
    from api.__main__ import serve

    listen_overrides(API_HOST=host, API_PORT=port)  # in the environment: every worker reads the same settings
    settings = settings_or_exit("api")  # runs settings.require_service_ready("api")
    if workers > 1 and not settings.redis_url:
        fail("--workers above 1 needs REDIS_URL: the workers share sessions, caches and limits through Redis", code=2)
    serve(settings, workers=workers)
