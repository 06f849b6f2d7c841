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
    from shared.notify.files import TelegramFiles

    files = TelegramFiles(settings) if settings.telegram_bot_token else None
    return create_app(settings, Database.from_settings(settings), redis_from_settings(settings), files=files)


def serve(settings: Settings) -> None:
    import uvicorn

    settings.require_service_ready("api")
    configure_logging(service="api", stage=settings.stage, fmt=settings.effective_log_format, level=settings.log_level)
    uvicorn.run(
        bootstrap(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,  # our root handler formats uvicorn's records too (JSON in prod)
        proxy_headers=True,
        server_header=False,
    )


def main() -> None:
    serve(service_settings("api"))


if __name__ == "__main__":
    main()
