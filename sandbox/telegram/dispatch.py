"""Bot API request dispatch: token check, failure injection, call statistics, method registry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.telegram.errors import ApiError
from sandbox.telegram.params import Params
from sandbox.telegram.store import TOKEN_PATTERN, BotState, EmulatorState

logger = logging.getLogger(__name__)

NOT_FOUND = ApiError(404, "Not Found")
UNAUTHORIZED = ApiError(401, "Unauthorized")


@dataclass
class CallContext:
    """What a Bot API method handler works with."""

    state: EmulatorState
    bot: BotState
    request: Request | None = None
    description: str | None = None
    """Optional ``description`` of a successful answer (e.g. "Webhook was set")."""


Handler = Callable[[CallContext, Params], Awaitable[Any]]
_METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for a Bot API method (names are case-insensitive, like Telegram's)."""

    def register(handler: Handler) -> Handler:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


def known_methods() -> list[str]:
    """Canonical names of the implemented Bot API methods."""
    return sorted(name for name, _ in _METHODS.values())


async def call_method(
    state: EmulatorState, bot: BotState, method: str, params: Params, request: Request | None = None
) -> tuple[int, dict[str, Any]]:
    """Run one Bot API call; returns the HTTP status and the JSON body."""
    entry = _METHODS.get(method.lower())
    name = entry[0] if entry is not None else method
    state.stats.calls[name] += 1
    injection = state.injections.take(name, bot.account.id)
    if injection is not None:
        if injection.delay_ms:
            await asyncio.sleep(injection.delay_ms / 1000)
        error = injection.error()
        if error is not None:
            logger.info("injected %s for %s", error.status, name)
            state.stats.errors[name] += 1
            return error.status, error.payload()
    if entry is None:
        state.stats.errors[name] += 1
        return NOT_FOUND.status, NOT_FOUND.payload()
    context = CallContext(state=state, bot=bot, request=request)
    try:
        result = await entry[1](context, params)
    except ApiError as error:
        logger.debug("%s failed: %s", name, error.description)
        state.stats.errors[name] += 1
        return error.status, error.payload()
    body: dict[str, Any] = {"ok": True, "result": result}
    if context.description:
        body["description"] = context.description
    return 200, body


def authorize(state: EmulatorState, token: str) -> BotState:
    """The bot for ``token``: 404 for a malformed token, 401 for an unknown one (like Telegram)."""
    if not TOKEN_PATTERN.match(token):
        raise NOT_FOUND
    bot = state.bot_for_token(token)
    if bot is None:
        raise UNAUTHORIZED
    return bot


async def bot_api_endpoint(request: Request) -> Response:
    """``GET|POST /bot{token}/{method}``."""
    state: EmulatorState = request.app.state.emulator
    try:
        bot = authorize(state, request.path_params["token"])
        params = await Params.from_request(request)
    except ApiError as error:
        return error.response()
    status, body = await call_method(state, bot, request.path_params["method"], params, request)
    return JSONResponse(body, status_code=status)


async def file_download_endpoint(request: Request) -> Response:
    """``GET /file/bot{token}/{file_path}``: the bytes of a file obtained with getFile."""
    state: EmulatorState = request.app.state.emulator
    try:
        bot = authorize(state, request.path_params["token"])
    except ApiError as error:
        return error.response()
    state.stats.calls["file_download"] += 1
    stored = state.files_by_path.get((bot.token, request.path_params["file_path"]))
    if stored is None:
        state.stats.errors["file_download"] += 1
        return NOT_FOUND.response()
    return Response(stored.data, media_type=stored.mime_type or "application/octet-stream")
