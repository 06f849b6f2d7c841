"""Async client for the emulator's control API: act as users, read chats, inject failures."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

import httpx

logger = logging.getLogger(__name__)

JSON = dict[str, Any]


class ControlAPIError(Exception):
    """The control API refused a request (``status`` and the server's ``message``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class EmulatorClient:
    """Drive the Telegram emulator the way a user (and a test harness) would.

    ``url`` is the emulator's root (``TelegramEmulator.url``). ``bot`` selects the bot
    (id, username or token) when several share the emulator; by default the first one.
    """

    def __init__(
        self, url: str, *, bot: str | int | None = None, timeout: float = 30.0, http: httpx.AsyncClient | None = None
    ) -> None:
        self.url = url.rstrip("/").removesuffix("/control")  # accept the root or the control URL
        self.bot = None if bot is None else str(bot)
        self.timeout = timeout
        self._own_http = http is None
        # Plain HTTP on loopback: skip building an SSL context (it costs ~0.1 s per client).
        self._http = http or httpx.AsyncClient(timeout=timeout, trust_env=False, verify=False)

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _call(self, method: str, path: str, *, wait: float = 0.0, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", None) or {})
        if self.bot is not None:
            params["bot"] = self.bot
        timeout = httpx.Timeout(self.timeout + wait)
        response = await self._http.request(
            method, f"{self.url}/control{path}", params=params, timeout=timeout, **kwargs
        )
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise ControlAPIError(response.status_code, message)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    # ----- emulator -----
    async def health(self) -> JSON:
        return await self._call("GET", "/health")  # type: ignore[no-any-return]

    async def reset(self) -> None:
        """Forget users, chats, updates, files, injections and stats (bots stay registered)."""
        await self._call("POST", "/reset")

    async def add_bot(self, token: str, *, username: str | None = None, first_name: str | None = None) -> JSON:
        body = {"token": token, "username": username, "first_name": first_name}
        return await self._call("POST", "/bots", json=body)  # type: ignore[no-any-return]

    async def version(self, *, since: int | None = None, timeout: float = 10.0) -> int:
        """The global change counter; with ``since``, waits until it moves past that value."""
        params: JSON = {} if since is None else {"since": since, "timeout": timeout}
        result = await self._call("GET", "/version", params=params, wait=timeout)
        return int(result["version"])

    # ----- users acting -----
    async def ensure_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
    ) -> JSON:
        """Create/update a user; ``started`` opens their chat with the bot (as pressing Start)."""
        body = {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "started": started,
        }
        return await self._call("PUT", f"/users/{user_id}", json=body)  # type: ignore[no-any-return]

    async def send_text(
        self, chat_id: int, text: str, *, reply_to: int | None = None, from_user: int | None = None
    ) -> JSON:
        """The user sends ``text`` (in a group: member ``from_user``); returns ``{"message", "update_id"}``."""
        body = {"text": text, "reply_to_message_id": reply_to, "from_user_id": from_user}
        return await self._call("POST", f"/chats/{chat_id}/messages", json=body)  # type: ignore[no-any-return]

    async def ensure_group(self, chat_id: int, title: str, members: dict[int, str], *, kind: str = "group") -> JSON:
        """A group (negative id) with the bot in it; ``members``: {user id: creator | administrator | member}."""
        body = {"title": title, "members": {str(k): v for k, v in members.items()}, "type": kind}
        return await self._call("PUT", f"/groups/{chat_id}", json=body)  # type: ignore[no-any-return]

    async def start_bot(self, chat_id: int, payload: str | None = None) -> JSON:
        """The user opens the bot, optionally through a ``t.me/<bot>?start=<payload>`` deep link."""
        return await self.send_text(chat_id, f"/start {payload}" if payload else "/start")

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> JSON:
        """The user edits their message (the bot gets ``edited_message``)."""
        path = f"/chats/{chat_id}/messages/{message_id}/edit"
        return await self._call("POST", path, json={"text": text})  # type: ignore[no-any-return]

    async def press_button(
        self, chat_id: int, *, text: str | None = None, data: str | None = None, message_id: int | None = None,
        from_user: int | None = None,
    ) -> JSON:  # fmt: skip
        """Press an inline button by label or callback data (on ``message_id`` or the latest message
        that has it). Returns the callback query record; its ``id`` is ``callback_query_id``."""
        body = {"text": text, "data": data, "message_id": message_id, "from_user_id": from_user}
        return await self._call("POST", f"/chats/{chat_id}/press", json=body)  # type: ignore[no-any-return]

    async def callback_answer(self, callback_query_id: str, *, timeout: float = 0.0) -> JSON:
        """The callback query and the bot's answer; waits up to ``timeout`` for the answer."""
        params = {"timeout": timeout}
        path = f"/callbacks/{callback_query_id}"
        return await self._call("GET", path, params=params, wait=timeout)  # type: ignore[no-any-return]

    async def wait_callback_answer(self, callback_query_id: str, *, timeout: float = 5.0) -> JSON:
        """Like :meth:`callback_answer` but raises :class:`TimeoutError` if the bot never answers."""
        record = await self.callback_answer(callback_query_id, timeout=timeout)
        if not record["answered"]:
            raise TimeoutError(f"callback query {callback_query_id} was not answered within {timeout}s")
        return record

    async def share_location(
        self,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        horizontal_accuracy: float | None = None,
        reply_to: int | None = None,
    ) -> JSON:
        body = {
            "latitude": latitude,
            "longitude": longitude,
            "horizontal_accuracy": horizontal_accuracy,
            "reply_to_message_id": reply_to,
        }
        return await self._call("POST", f"/chats/{chat_id}/location", json=body)  # type: ignore[no-any-return]

    async def share_contact(
        self, chat_id: int, phone_number: str, *, first_name: str | None = None, user_id: int | None = None
    ) -> JSON:
        body = {"phone_number": phone_number, "first_name": first_name, "user_id": user_id}
        return await self._call("POST", f"/chats/{chat_id}/contact", json=body)  # type: ignore[no-any-return]

    async def send_document(
        self,
        chat_id: int,
        content: bytes,
        filename: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> JSON:
        """The user uploads a document; the bot receives it and can getFile/download it."""
        return await self._upload("document", chat_id, content, filename, mime_type, caption, reply_to)

    async def send_photo(
        self, chat_id: int, content: bytes, *, filename: str = "photo.jpg", caption: str | None = None
    ) -> JSON:
        """The user sends a picture (PNG/JPEG/GIF/WebP bytes)."""
        return await self._upload("photo", chat_id, content, filename, None, caption, None)

    async def _upload(
        self,
        kind: str,
        chat_id: int,
        content: bytes,
        filename: str,
        mime_type: str | None,
        caption: str | None,
        reply_to: int | None,
    ) -> JSON:
        data = {"caption": caption, "mime_type": mime_type, "reply_to_message_id": reply_to}
        form = {key: str(value) for key, value in data.items() if value is not None}
        files = {"file": (filename, content, mime_type or "application/octet-stream")}
        return await self._call("POST", f"/chats/{chat_id}/{kind}", data=form, files=files)  # type: ignore[no-any-return]

    async def block_bot(self, user_id: int) -> JSON:
        return await self._call("POST", f"/users/{user_id}/block")  # type: ignore[no-any-return]

    async def unblock_bot(self, user_id: int) -> JSON:
        return await self._call("POST", f"/users/{user_id}/unblock")  # type: ignore[no-any-return]

    # ----- reading -----
    async def chat(self, chat_id: int) -> JSON:
        return await self._call("GET", f"/chats/{chat_id}")  # type: ignore[no-any-return]

    async def transcript(self, chat_id: int, *, after: int = 0) -> JSON:
        """``{"chat", "version", "messages": [...], "callback_queries": [...]}``."""
        params = {"after": after}
        return await self._call("GET", f"/chats/{chat_id}/transcript", params=params)  # type: ignore[no-any-return]

    async def messages(self, chat_id: int) -> list[JSON]:
        return (await self.transcript(chat_id))["messages"]  # type: ignore[no-any-return]

    async def message(self, chat_id: int, message_id: int) -> JSON:
        return await self._call("GET", f"/chats/{chat_id}/messages/{message_id}")  # type: ignore[no-any-return]

    async def wait_for_bot_message(self, chat_id: int, *, after: int | None = None, timeout: float = 5.0) -> JSON:
        """The first bot message with id > ``after`` (default: after the user's latest message).

        Raises :class:`TimeoutError` if none arrives within ``timeout`` seconds.
        """
        params: JSON = {"timeout": timeout}
        if after is not None:
            params["after_message_id"] = after
        result = await self._call("GET", f"/chats/{chat_id}/wait", params=params, wait=timeout)
        if result["message"] is None:
            raise TimeoutError(
                f"no bot message after #{result['after_message_id']} in chat {chat_id} within {timeout}s"
            )
        return result["message"]  # type: ignore[no-any-return]

    async def wait_for_change(self, chat_id: int, *, since: int, timeout: float = 5.0) -> int:
        """Wait until the chat's version exceeds ``since`` (edits, answers, deletions...)."""
        params = {"since": since, "timeout": timeout}
        result = await self._call("GET", f"/chats/{chat_id}/changes", params=params, wait=timeout)
        return int(result["version"])

    async def download(self, url_or_file_id: str) -> bytes:
        """Bytes of a file: a transcript ``download_url`` or a file_id."""
        if url_or_file_id.startswith(("http://", "https://")):
            response = await self._http.get(url_or_file_id)
            response.raise_for_status()
            return response.content
        return await self._call("GET", f"/files/{url_or_file_id}")  # type: ignore[no-any-return]

    async def pending_updates(self) -> JSON:
        return await self._call("GET", "/updates")  # type: ignore[no-any-return]

    async def commands(self) -> list[JSON]:
        """Every command list the bot set: ``[{"scope", "language_code", "commands"}]``."""
        return await self._call("GET", "/commands")  # type: ignore[no-any-return]

    # ----- faults and numbers -----
    async def inject(
        self,
        method: str = "*",
        *,
        status: int | None = None,
        retry_after: int | None = None,
        count: int | None = 1,
        delay_ms: int = 0,
        description: str | None = None,
    ) -> JSON:
        """Make the next ``count`` calls of ``method`` (``*``: any) fail with ``status`` and/or be
        ``delay_ms`` slow. ``count=None`` keeps it until :meth:`clear_injections`."""
        body = {
            "method": method,
            "status": status,
            "retry_after": retry_after,
            "count": count,
            "delay_ms": delay_ms,
            "description": description,
        }
        return await self._call("POST", "/injections", json=body)  # type: ignore[no-any-return]

    async def injections(self) -> list[JSON]:
        return await self._call("GET", "/injections")  # type: ignore[no-any-return]

    async def clear_injections(self) -> None:
        await self._call("DELETE", "/injections")

    async def set_flood_limits(
        self, *, per_chat_per_second: float | None = 1, global_per_second: float | None = 30
    ) -> JSON:
        """Answer 429 like Telegram when the bot sends faster than these limits."""
        body = {"per_chat_per_second": per_chat_per_second, "global_per_second": global_per_second}
        return await self._call("PUT", "/flood", json=body)  # type: ignore[no-any-return]

    async def clear_flood_limits(self) -> None:
        await self._call("DELETE", "/flood")

    async def stats(self) -> JSON:
        """``{"calls": {method: n}, "errors": {method: n}, "total": n}``."""
        return await self._call("GET", "/stats")  # type: ignore[no-any-return]

    async def reset_stats(self) -> None:
        await self._call("DELETE", "/stats")
