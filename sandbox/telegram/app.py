"""The emulator's ASGI application: Bot API, file downloads and the control API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# The method modules register their handlers with the dispatcher when imported.
from sandbox.telegram import control, methods_bot, methods_files, methods_messages, methods_updates  # noqa: F401
from sandbox.telegram.dispatch import bot_api_endpoint, file_download_endpoint, known_methods
from sandbox.telegram.store import EmulatorState

logger = logging.getLogger(__name__)


async def index(request: Request) -> JSONResponse:
    """A short description of where things are."""
    state: EmulatorState = request.app.state.emulator
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "service": "Chronos Telegram Bot API emulator",
            "base_url": f"{base}/bot",
            "base_file_url": f"{base}/file/bot",
            "control_url": f"{base}/control",
            "bots": [{"id": b.account.id, "username": b.account.username} for b in state.bots.values()],
            "methods": known_methods(),
        }
    )


def create_app(state: EmulatorState | None = None) -> Starlette:
    """Build the Starlette app around ``state`` (a fresh one when omitted)."""
    emulator_state = state or EmulatorState()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await emulator_state.aclose()

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/bot{token}/{method}", bot_api_endpoint, methods=["GET", "POST"]),
        Route("/file/bot{token}/{file_path:path}", file_download_endpoint, methods=["GET"]),
        *control.routes(),
    ]
    # The web chat UI may be served from another origin; the emulator has nothing to protect.
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.emulator = emulator_state
    return app
