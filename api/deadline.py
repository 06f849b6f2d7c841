"""The request budget: an answer must start within API_REQUEST_TIMEOUT_SECONDS, or the request is given up.

Every dependency call has its own deadline (database connect / checkout / statement, Redis socket), but a
request may make many calls; this bounds the whole. When the budget runs out before the response started,
the work is cancelled (a database transaction in flight rolls back) and the caller gets 503 with
``Retry-After`` in the usual error shape. A response that already started (a download) is let finish.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import over_budget

logger = logging.getLogger(__name__)


class DeadlineMiddleware:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        deadline: asyncio.Timeout | None = None

        async def send_and_note(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if deadline is not None:
                    deadline.reschedule(None)  # the answer is on its way: no more budget to enforce
            await send(message)

        try:
            async with asyncio.timeout(self.seconds) as deadline:
                await self.app(scope, receive, send_and_note)
        except TimeoutError:
            if started:
                raise
            logger.warning(
                "request over its %.1f s budget: %s %s", self.seconds, scope.get("method"), scope.get("path")
            )
            await over_budget(Request(scope))(scope, receive, send)
