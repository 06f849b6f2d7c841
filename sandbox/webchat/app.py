"""The demo's web chat: pick a persona and talk to the real bot through the Telegram emulator.

Plain HTML/CSS/JS (no build step) served by a small Starlette app that also forwards `/tg/…` to the
emulator's control API (one origin for the page) and answers `/demo/…` with the personas, the side
panel's status and the mailbox of the demo's local SMTP server (`/demo/mail`, `/demo/mail/{id}`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from shared.domain.webapp_init_data import sign_init_data

if TYPE_CHECKING:
    from sandbox.mail.server import Mailbox

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "keep-alive", "host"}


@dataclass(frozen=True)
class Persona:
    telegram_user_id: int
    name: str
    role: str
    locale: str
    title: str
    location: tuple[float, float] | None = None  # where "share location" says they are


StatusProvider = Callable[[], Awaitable[dict[str, Any]]]


def create_webchat_app(
    *,
    control_url: str,
    personas: list[Persona],
    status: StatusProvider,
    links: dict[str, str],
    bot_token: str = "",
    mailbox: Mailbox | None = None,
) -> Starlette:
    """``control_url``: the emulator root; ``links``: API docs, metrics, demo token for the side panel."""
    http = httpx.AsyncClient(base_url=control_url.rstrip("/"), timeout=httpx.Timeout(60.0), trust_env=False)

    async def index(_: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def personas_view(_: Request) -> Response:
        return JSONResponse({"personas": [asdict(p) for p in personas], "links": links})

    async def status_view(_: Request) -> Response:
        try:
            return JSONResponse(await status())
        except Exception as exc:  # the panel must not break the chat
            log.exception("demo status failed")
            return JSONResponse({"error": str(exc)}, status_code=503)

    async def webapp_view(request: Request) -> Response:
        """A menu button's Mini App URL for a persona, with initData signed by the bot token, the way
        Telegram opens it (``#tgWebAppData=…``), so the demo opens the console offline."""
        user_id = int(request.query_params.get("user", "0") or 0)
        persona = next((p for p in personas if p.telegram_user_id == user_id), None)
        url = request.query_params.get("url", "")
        if persona is None or not bot_token or not url.startswith(("http://", "https://")):
            return JSONResponse({"error": "unknown persona or url"}, status_code=404)
        init_data = sign_init_data(
            user={"id": user_id, "first_name": persona.name, "language_code": persona.locale},
            bot_token=bot_token,
            now=datetime.now(UTC),
        )
        return JSONResponse({"url": f"{url}#{urlencode({'tgWebAppData': init_data, 'tgWebAppVersion': '8.0'})}"})

    async def mail_list(_: Request) -> Response:
        mails = mailbox.mails if mailbox is not None else []
        return JSONResponse({"mails": [m.summary() for m in reversed(mails)]})

    async def mail_view(request: Request) -> Response:
        found = mailbox.get(int(request.path_params["mail_id"])) if mailbox is not None else None
        if found is None:
            return JSONResponse({"error": "no such mail"}, status_code=404)
        return JSONResponse(found.view())

    async def forward(request: Request) -> Response:
        path = request.path_params["path"]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        upstream = await http.request(
            request.method,
            f"/control/{path}",
            params=list(request.query_params.multi_items()),
            content=await request.body(),
            headers=headers,
        )
        keep = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS | {"content-encoding"}}
        return Response(upstream.content, status_code=upstream.status_code, headers=keep)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await http.aclose()

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", index),
            Route("/demo/personas", personas_view),
            Route("/demo/status", status_view),
            Route("/demo/webapp", webapp_view),
            Route("/demo/mail", mail_list),
            Route("/demo/mail/{mail_id:int}", mail_view),
            Route("/tg/{path:path}", forward, methods=["GET", "POST", "PUT", "DELETE"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
    )
