"""Webhook mode: a small ASGI app that checks Telegram's secret header and queues the update for PTB."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from chronos_bot.registration import AnyApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(webhook_url: str) -> str:
    return urlsplit(webhook_url).path or "/"


def create_webhook_app(application: AnyApplication, *, path: str, secret: str) -> Starlette:
    """POST ``path``: 403 without the right secret, 400 for a body that is not an update, else queued → 200."""

    async def receive(request: Request) -> Response:
        if secret and not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            log.warning(
                "webhook call with a wrong secret token", extra={"client": getattr(request.client, "host", None)}
            )
            return Response(status_code=403)
        try:
            payload = json.loads(await request.body())
            update = Update.de_json(payload, application.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "running": application.running})

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/health", health, methods=["GET"])])


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handlers: main() owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield


class WebhookServer:
    """The webhook ASGI app served by uvicorn inside the bot's event loop."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        self.host = host
        self.port = port
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=3)
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        sock.listen(1024)
        self.port = sock.getsockname()[1]
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="webhook-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the webhook server stopped during start-up")
            await asyncio.sleep(0.01)
        log.info("webhook server listening", extra={"host": self.host, "port": self.port})

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
