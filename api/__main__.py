"""`python -m api` (and `chronos api`): build the clients from Settings and serve the app with uvicorn."""

from __future__ import annotations

from fastapi import FastAPI

from shared.bootstrap import service_settings
from shared.config import Settings
from shared.log import configure_logging
from shared.persistence import Database
from shared.redis_client import redis_from_settings


def bootstrap(settings: Settings) -> FastAPI:
    """The app with its real clients: engine from DATABASE_URL, Redis from REDIS_URL (in-process if empty)."""
    from api.main import create_app

    return create_app(settings, Database.from_settings(settings), redis_from_settings(settings))


def worker_app() -> FastAPI:
    """The app of one uvicorn worker process (``--workers N``): settings from the environment, like its parent."""
    return bootstrap(service_settings("api"))


def serve(settings: Settings, *, workers: int = 1) -> None:
    import uvicorn

    settings.require_service_ready("api")
    configure_logging(service="api", stage=settings.stage, fmt=settings.effective_log_format, level=settings.log_level)
    options = {
        "host": settings.api_host,
        "port": settings.api_port,
        "log_config": None,  # our root handler formats uvicorn's records too (JSON in prod)
        "proxy_headers": True,
        "server_header": False,
    }
    if workers > 1:  # each worker is a process of its own: uvicorn imports the app factory in each
        uvicorn.run("api.__main__:worker_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    else:
        uvicorn.run(bootstrap(settings), **options)  # type: ignore[arg-type]


def main() -> None:
    serve(service_settings("api"))


if __name__ == "__main__":
    main()
