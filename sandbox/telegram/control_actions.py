"""Control API endpoints that act as a user (and the injection factory)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.telegram import actions
from sandbox.telegram.errors import ControlError
from sandbox.telegram.model import JSON, MessageRecord
from sandbox.telegram.store import EmulatorState
from sandbox.telegram.transcript import message_entry

Wrap = Callable[[Callable[[Request], Awaitable[Any]]], Callable[[Request], Awaitable[Response]]]


def add_injection(state: EmulatorState, body: JSON) -> JSON:
    """Validate and add a failure injection described by a control request body."""
    status, delay_ms = body.get("status"), body.get("delay_ms") or 0
    if status is None and not delay_ms:
        raise ControlError(400, "an injection needs a status (e.g. 429, 500) and/or delay_ms")
    if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
        raise ControlError(400, "status must be an HTTP error code (400-599)")
    count = body.get("count", 1)
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ControlError(400, "count must be a positive integer, or null for 'until cleared'")
    bot_id = body.get("bot_id")
    injection = state.injections.add(
        method=str(body.get("method") or "*"),
        remaining=count,
        status=status,
        retry_after=body.get("retry_after"),
        description=body.get("description"),
        delay_ms=int(delay_ms),
        bot_id=int(bot_id) if bot_id is not None else None,
    )
    return injection.to_control()


def _state(request: Request) -> EmulatorState:
    return request.app.state.emulator  # type: ignore[no-any-return]


def _context(request: Request) -> tuple[EmulatorState, Any, int]:
    state = _state(request)
    bot = state.resolve_bot(request.query_params.get("bot"))
    key = "chat_id" if "chat_id" in request.path_params else "user_id"
    return state, bot, int(request.path_params[key])


async def json_body(request: Request) -> JSON:
    """The request's JSON object body (``{}`` when empty)."""
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise ControlError(400, "the request body must be JSON") from None
    if not isinstance(data, dict):
        raise ControlError(400, "the request body must be a JSON object")
    return data


def _optional_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be an integer") from None


def _sent(request: Request, result: tuple[MessageRecord, int | None]) -> JSON:
    record, update_id = result
    return {"message": message_entry(record, str(request.base_url).rstrip("/")), "update_id": update_id}


async def ensure_user(request: Request) -> JSON:
    """``PUT /control/users/{id}`` with first_name, last_name, username, language_code, started."""
    state, bot, user_id = _context(request)
    body = await json_body(request)
    fields = {k: body.get(k) for k in ("first_name", "last_name", "username", "language_code", "is_premium")}
    user = actions.ensure_user(state, bot, user_id, started=body.get("started", True) is not False, **fields)
    chat = bot.chats.get(user_id)
    return {"user": user.to_api(), "chat_id": chat.id if chat else None}


async def block(request: Request) -> JSON:
    state, bot, user_id = _context(request)
    return {"update_id": actions.set_blocked(state, bot, user_id, True)}


async def unblock(request: Request) -> JSON:
    state, bot, user_id = _context(request)
    return {"update_id": actions.set_blocked(state, bot, user_id, False)}


async def send_text(request: Request) -> JSON:
    """``POST /control/chats/{id}/messages {"text": ..., "reply_to_message_id"?, "entities"?}``."""
    state, bot, chat_id = _context(request)
    body = await json_body(request)
    if not isinstance(body.get("text"), str):
        raise ControlError(400, "text is required")
    reply_to = _optional_int(body.get("reply_to_message_id"), "reply_to_message_id")
    from_user = _optional_int(body.get("from_user_id"), "from_user_id")
    return _sent(request, actions.send_text(state, bot, chat_id, body["text"], reply_to=reply_to,
                                            entities=body.get("entities"), from_user=from_user))  # fmt: skip


async def ensure_group(request: Request) -> JSON:
    """``PUT /control/groups/{id} {"title", "members": {user id: creator | administrator | member}, "type"?}``:
    create the group with the bot in it (a ``my_chat_member`` update), or change its title and members."""
    state, bot, chat_id = _context(request)
    body = await json_body(request)
    members = body.get("members")
    if not isinstance(members, dict) or not isinstance(body.get("title"), str):
        raise ControlError(400, "title (text) and members ({user id: status}) are required")
    try:
        parsed = {int(uid): str(status) for uid, status in members.items()}
    except ValueError:
        raise ControlError(400, "member ids must be integers") from None
    chat = actions.ensure_group(state, bot, chat_id, title=body["title"], members=parsed,
                                kind=str(body.get("type") or "group"))  # fmt: skip
    return {"chat": chat.chat_api(), "members": {str(k): v for k, v in chat.members.items()}}


async def edit_text(request: Request) -> JSON:
    state, bot, chat_id = _context(request)
    body = await json_body(request)
    if not isinstance(body.get("text"), str):
        raise ControlError(400, "text is required")
    message_id = int(request.path_params["message_id"])
    return {"update_id": actions.edit_text(state, bot, chat_id, message_id, body["text"])}


async def press(request: Request) -> JSON:
    """``POST /control/chats/{id}/press {"text"|"data", "message_id"?}`` → the callback query."""
    state, bot, chat_id = _context(request)
    body = await json_body(request)
    callback = actions.press_button(
        state,
        bot,
        chat_id,
        message_id=_optional_int(body.get("message_id"), "message_id"),
        text=body.get("text"),
        data=body.get("data"),
        from_user=_optional_int(body.get("from_user_id"), "from_user_id"),
    )
    return {**callback.to_control(), "callback_query_id": callback.id}


async def location(request: Request) -> JSON:
    state, bot, chat_id = _context(request)
    body = await json_body(request)
    try:
        latitude, longitude = float(body["latitude"]), float(body["longitude"])
    except (KeyError, TypeError, ValueError):
        raise ControlError(400, "latitude and longitude are required numbers") from None
    accuracy = body.get("horizontal_accuracy")
    result = actions.share_location(
        state,
        bot,
        chat_id,
        latitude,
        longitude,
        horizontal_accuracy=float(accuracy) if accuracy is not None else None,
        reply_to=_optional_int(body.get("reply_to_message_id"), "reply_to_message_id"),
    )
    return _sent(request, result)


async def contact(request: Request) -> JSON:
    state, bot, chat_id = _context(request)
    body = await json_body(request)
    if not isinstance(body.get("phone_number"), str):
        raise ControlError(400, "phone_number is required")
    result = actions.share_contact(
        state,
        bot,
        chat_id,
        body["phone_number"],
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
        user_id=_optional_int(body.get("user_id"), "user_id"),
    )
    return _sent(request, result)


def _file_sender(kind: str) -> Callable[[Request], Awaitable[JSON]]:
    async def send(request: Request) -> JSON:
        """Multipart: ``file`` (required), ``caption``, ``reply_to_message_id``, ``mime_type``."""
        state, bot, chat_id = _context(request)
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ControlError(400, "multipart field 'file' is required")
        data = await upload.read()
        caption, mime = form.get("caption"), form.get("mime_type")
        result = actions.send_file(
            state,
            bot,
            chat_id,
            kind,
            data,
            file_name=upload.filename,
            mime_type=mime if isinstance(mime, str) and mime else None,
            caption=caption if isinstance(caption, str) and caption else None,
            reply_to=_optional_int(form.get("reply_to_message_id"), "reply_to_message_id"),
        )
        return _sent(request, result)

    return send


def routes(wrap: Wrap) -> list[Route]:
    """The act-as-a-user routes, wrapped by the control API's error/JSON handling."""
    chat_path = "/control/chats/{chat_id:sint}"
    return [
        Route("/control/groups/{chat_id:sint}", wrap(ensure_group), methods=["PUT", "POST"]),
        Route("/control/users/{user_id:int}", wrap(ensure_user), methods=["PUT", "POST"]),
        Route("/control/users/{user_id:int}/block", wrap(block), methods=["POST"]),
        Route("/control/users/{user_id:int}/unblock", wrap(unblock), methods=["POST"]),
        Route(f"{chat_path}/messages", wrap(send_text), methods=["POST"]),
        Route(f"{chat_path}/messages/{{message_id:int}}/edit", wrap(edit_text), methods=["POST"]),
        Route(f"{chat_path}/press", wrap(press), methods=["POST"]),
        Route(f"{chat_path}/location", wrap(location), methods=["POST"]),
        Route(f"{chat_path}/contact", wrap(contact), methods=["POST"]),
        Route(f"{chat_path}/document", wrap(_file_sender("document")), methods=["POST"]),
        Route(f"{chat_path}/photo", wrap(_file_sender("photo")), methods=["POST"]),
    ]
