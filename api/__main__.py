"""`python -m api [--workers N]` (and `chronos api`): build the clients from Settings and serve the app with uvicorn.

One worker serves the app object directly. Several workers (one per core on a multi-core machine) are
separate processes started by uvicorn, each building its own clients through :func:`app_from_env`; their
Prometheus instruments then live in ``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary directory unless set)
and ``/metrics`` adds them up across the workers.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
from pathlib import Path

from fastapi import FastAPI

from shared.bootstrap import service_settings
from shared.config import Settings
from shared.log import configure_logging
from shared.persistence import Database
from shared.redis_client import redis_from_settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def bootstrap(settings: Settings) -> FastAPI:
    """The app with its real clients: engine from DATABASE_URL, Redis from REDIS_URL (in-process if empty)."""
    from api.main import create_app
    from shared.notify.files import TelegramFiles

    files = TelegramFiles(settings) if settings.telegram_bot_token else None
    return create_app(settings, Database.from_settings(settings), redis_from_settings(settings), files=files)


def app_from_env() -> FastAPI:
    """The app of one worker process (``uvicorn --factory api.__main__:app_from_env``)."""
    app = bootstrap(service_settings("api"))
    freeze_startup_heap()
    return app


def freeze_startup_heap() -> None:
    """Move everything built so far (modules, routes, schemas, validators: ~250k objects) out of the
    garbage collector's sight, for good: they live as long as the process.

    Under load every young collection promotes the objects of the requests in flight, so the oldest
    generation is collected again and again, and each full collection walked the whole startup heap:
    0.1-0.5 s with the event loop stopped, on every request in flight (issue 13: most of the API's
    p95 and a share of its CPU). Frozen objects are still reference-counted; only cycles among them
    would never be freed, and they are the app itself."""
    gc.collect()
    gc.freeze()


def metrics_directory() -> Path:
    """An empty directory for the workers' metric files (old files would add stale counts)."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
    else:
        path = Path(tempfile.mkdtemp(prefix="chronos-metrics-"))
        os.environ[MULTIPROC_ENV] = str(path)
    return path


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
    if workers <= 1:
        app = bootstrap(settings)
        freeze_startup_heap()
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    directory = metrics_directory()  # before any worker imports prometheus_client
    try:
        uvicorn.run("api.__main__:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    finally:
        if os.environ.get(MULTIPROC_ENV) == str(directory) and directory.name.startswith("chronos-metrics-"):
            shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description="Serve the Chronos REST API.")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    args = parser.parse_args(argv)
    serve(service_settings("api"), workers=max(1, args.workers))


if __name__ == "__main__":
    main()
