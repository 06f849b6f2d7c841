"""Control API (JSON under ``/control``): read chats, wait for the bot, inject failures, stats."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.telegram import control_actions
from sandbox.telegram.control_actions import json_body
from sandbox.telegram.dispatch import known_methods
from sandbox.telegram.errors import ControlError
from sandbox.telegram.model import JSON
from sandbox.telegram.notify import wait_until
from sandbox.telegram.store import BotState, EmulatorState
from sandbox.telegram.transcript import chat_summary, message_entry, transcript

logger = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 300.0
Endpoint = Callable[[Request], Awaitable[Any]]


class SignedIntConvertor(Convertor[int]):
    """Chat ids in paths: groups have negative ids."""

    regex = "-?[0-9]+"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("sint", SignedIntConvertor())


def endpoint(func: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """Turn a handler's return value into JSON and a :class:`ControlError` into ``{"error": ...}``."""

    @functools.wraps(func)
    async def wrapper(request: Request) -> Response:
        try:
            result = await func(request)
        except ControlError as error:
            return error.response()
        return result if isinstance(result, Response) else JSONResponse(result)

    return wrapper


def state_of(request: Request) -> EmulatorState:
    return request.app.state.emulator  # type: ignore[no-any-return]


def bot_of(request: Request) -> BotState:
    """The bot a control call is about: ``?bot=<id|username|token>``, else the first bot."""
    return state_of(request).resolve_bot(request.query_params.get("bot"))


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def int_param(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.path_params.get(name, request.query_params.get(name))
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ControlError(400, f"{name} must be an integer") from None


def timeout_param(request: Request, default: float = 10.0) -> float:
    try:
        value = float(request.query_params.get("timeout", default))
    except ValueError:
        raise ControlError(400, "timeout must be a number of seconds") from None
    return min(max(value, 0.0), MAX_WAIT_SECONDS)


@endpoint
async def health(request: Request) -> JSON:
    state = state_of(request)
    bots = [{**b.account.to_api(), "token": b.token} for b in state.bots.values()]
    return {"ok": True, "bots": bots, "methods": known_methods(), "version": state.changes.version}


@endpoint
async def reset(request: Request) -> JSON:
    await state_of(request).reset()
    return {"ok": True}


@endpoint
async def bots(request: Request) -> Any:
    state = state_of(request)
    if request.method == "POST":
        body = await json_body(request)
        if not isinstance(body.get("token"), str):
            raise ControlError(400, "token is required")
        bot = state.add_bot(body["token"], username=body.get("username"), first_name=body.get("first_name"))
        return {**bot.account.to_api(), "token": bot.token}
    return [{**b.account.to_api(), "token": b.token} for b in state.bots.values()]


@endpoint
async def users(request: Request) -> list[JSON]:
    return [user.to_api() for user in state_of(request).users.values()]


@endpoint
async def version(request: Request) -> JSON:
    """Global change counter; ``?since=V&timeout=S`` waits until it moves past V."""
    state = state_of(request)
    since = int_param(request, "since")
    if since is not None:
        await wait_until(
            lambda: True if state.changes.version > since else None,
            [state.changes],
            timeout_param(request),
            request=request,
            closed=lambda: state.closed,
        )
    return {"version": state.changes.version}


@endpoint
async def chats(request: Request) -> list[JSON]:
    bot = bot_of(request)
    return [chat_summary(bot, chat) for chat in bot.chats.values()]


@endpoint
async def chat(request: Request) -> JSON:
    bot = bot_of(request)
    return chat_summary(bot, state_of(request).chat(bot, int_param(request, "chat_id") or 0))


@endpoint
async def chat_transcript(request: Request) -> JSON:
    bot = bot_of(request)
    chat_state = state_of(request).chat(bot, int_param(request, "chat_id") or 0)
    return transcript(bot, chat_state, base_url(request), after=int_param(request, "after", 0) or 0)


@endpoint
async def chat_message(request: Request) -> JSON:
    bot = bot_of(request)
    chat_state = state_of(request).chat(bot, int_param(request, "chat_id") or 0)
    record = chat_state.messages.get(int_param(request, "message_id") or 0)
    if record is None:
        raise ControlError(404, "no such message")
    return message_entry(record, base_url(request))


@endpoint
async def wait_bot_message(request: Request) -> JSON:
    """Long-poll for the first bot message after ``after_message_id`` (default: the user's last one)."""
    state, bot = state_of(request), bot_of(request)
    chat_state = state.chat(bot, int_param(request, "chat_id") or 0)
    after = int_param(request, "after_message_id")
    if after is None:
        after = max((m.message_id for m in chat_state.messages.values() if not m.from_bot), default=0)

    def found() -> JSON | None:
        for record in chat_state.messages.values():
            if record.from_bot and record.message_id > after:
                return message_entry(record, base_url(request))
        return None

    message = await wait_until(
        found, [chat_state.notifier], timeout_param(request), request=request, closed=lambda: state.closed
    )
    return {"message": message, "timed_out": message is None, "after_message_id": after}


@endpoint
async def chat_changes(request: Request) -> JSON:
    """Long-poll until the chat's version exceeds ``since``; returns the version."""
    state, bot = state_of(request), bot_of(request)
    chat_state = state.chat(bot, int_param(request, "chat_id") or 0)
    since = int_param(request, "since", 0) or 0
    await wait_until(
        lambda: True if chat_state.version > since else None,
        [chat_state.notifier],
        timeout_param(request),
        request=request,
        closed=lambda: state.closed,
    )
    return {"version": chat_state.version, "changed": chat_state.version > since}


@endpoint
async def callback_query(request: Request) -> JSON:
    """A callback query and its answer; ``?timeout=S`` waits for answerCallbackQuery."""
    state, bot = state_of(request), bot_of(request)
    record = bot.callbacks.get(request.path_params["query_id"])
    if record is None:
        raise ControlError(404, "unknown callback query id")
    await wait_until(
        lambda: True if record.answer is not None else None,
        [record.notifier],
        timeout_param(request, 0.0),
        request=request,
        closed=lambda: state.closed,
    )
    return record.to_control()


@endpoint
async def file_content(request: Request) -> Response:
    stored = state_of(request).files.get(request.path_params["file_id"])
    if stored is None:
        raise ControlError(404, "unknown file_id")
    headers = {}
    if stored.file_name:
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name, safe='')}"
    return Response(stored.data, media_type=stored.mime_type or "application/octet-stream", headers=headers)


@endpoint
async def updates(request: Request) -> JSON:
    bot = bot_of(request)
    hook = bot.webhook
    return {
        "pending": bot.pending,
        "next_update_id": bot.next_update_id,
        "allowed_updates": bot.allowed_updates,
        "webhook": None
        if hook is None
        else {
            "url": hook.url,
            "secret_token": hook.secret_token,
            "delivered": hook.delivered,
            "last_error_date": hook.last_error_date,
            "last_error_message": hook.last_error_message,
        },
    }


@endpoint
async def commands(request: Request) -> list[JSON]:
    bot = bot_of(request)
    return [
        {"scope": json.loads(scope), "language_code": language, "commands": items}
        for (scope, language), items in bot.commands.items()
    ]


@endpoint
async def injections(request: Request) -> Any:
    """``POST`` adds an injection, ``DELETE`` clears them all, ``GET`` lists them."""
    state = state_of(request)
    if request.method == "DELETE":
        state.injections.clear()
        return {"ok": True}
    if request.method == "POST":
        return control_actions.add_injection(state, await json_body(request))
    return state.injections.to_control()


@endpoint
async def flood(request: Request) -> JSON:
    """``PUT {"per_chat_per_second": 1, "global_per_second": 30}`` turns flood control on."""
    state = state_of(request)
    if request.method == "DELETE":
        state.flood.configure(None, None)
    elif request.method == "PUT":
        body = await json_body(request)
        state.flood.configure(body.get("per_chat_per_second"), body.get("global_per_second"))
    return state.flood.to_control()


@endpoint
async def stats(request: Request) -> JSON:
    state = state_of(request)
    if request.method == "DELETE":
        state.stats.calls.clear()
        state.stats.errors.clear()
    return state.stats.to_control()


def routes() -> list[Route]:
    """All control routes, mounted under ``/control`` by the app factory."""
    chat_path = "/control/chats/{chat_id:sint}"
    return [
        Route("/control/health", health, methods=["GET"]),
        Route("/control/reset", reset, methods=["POST"]),
        Route("/control/bots", bots, methods=["GET", "POST"]),
        Route("/control/users", users, methods=["GET"]),
        Route("/control/version", version, methods=["GET"]),
        Route("/control/chats", chats, methods=["GET"]),
        Route(chat_path, chat, methods=["GET"]),
        Route(f"{chat_path}/transcript", chat_transcript, methods=["GET"]),
        Route(f"{chat_path}/messages/{{message_id:int}}", chat_message, methods=["GET"]),
        Route(f"{chat_path}/wait", wait_bot_message, methods=["GET"]),
        Route(f"{chat_path}/changes", chat_changes, methods=["GET"]),
        Route("/control/callbacks/{query_id}", callback_query, methods=["GET"]),
        Route("/control/files/{file_id}", file_content, methods=["GET"]),
        Route("/control/updates", updates, methods=["GET"]),
        Route("/control/commands", commands, methods=["GET"]),
        Route("/control/injections", injections, methods=["GET", "POST", "DELETE"]),
        Route("/control/flood", flood, methods=["GET", "PUT", "DELETE"]),
        Route("/control/stats", stats, methods=["GET", "DELETE"]),
        *control_actions.routes(endpoint),
    ]
