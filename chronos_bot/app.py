"""The PTB Application: per-user ordered concurrency, the rate limiter, handlers; and the outbox sender's Bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, BaseUpdateProcessor, ExtBot
from telegram.request import HTTPXRequest

from chronos_bot.inbox import DurableQueue, Inbox, RecordingBot
from chronos_bot.registration import AnyApplication, register
from chronos_bot.turn import BotDeps
from shared.config import Settings
from shared.notify.files import file_url

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 16
REPLY_RETRIES = 2
# Enough connections for the replies in flight; httpcore scans its whole pool on every request, so a
# pool of hundreds of idle connections costs more CPU than queueing a reply for a millisecond.
HTTP_CONNECTIONS = 16
CONNECT_TIMEOUT = 5.0


def telegram_request(settings: Settings, *, connections: int = HTTP_CONNECTIONS) -> HTTPXRequest:
    """Bot API calls with deadlines: connect in 5 s; an answer within TELEGRAM_TIMEOUT_SECONDS, longer than
    Telegram's slow answers (a sendMessage that takes 7 s is received, not retried and sent twice); a
    free connection of the pool within the same time."""
    wait = settings.telegram_timeout_seconds
    return HTTPXRequest(
        connection_pool_size=connections, connect_timeout=CONNECT_TIMEOUT, read_timeout=wait, write_timeout=wait,
        pool_timeout=wait,
    )  # fmt: skip


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Many updates at once, but one user's updates one after the other, in the order they arrived.

    PTB starts ``do_process_update`` in arrival order; each update of a user waits for the previous
    update of the same user before running (a chain of futures per user). Across replicas the user's
    Redis lock does the same job. Once an update is handled, it leaves the ``inbox``.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES, *, inbox: Inbox | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._tails: dict[int, asyncio.Future[None]] = {}
        self.inbox = inbox

    async def _done(self, update: object) -> None:
        if self.inbox is not None and isinstance(update, Update):
            await self.inbox.done(update.update_id)

    @staticmethod
    def _user_of(update: object) -> int | None:
        if isinstance(update, Update) and update.effective_user is not None:
            return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user_id = self._user_of(update)
        if user_id is None:
            try:
                await coroutine
            finally:
                await self._done(update)
            return
        previous = self._tails.get(user_id)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[user_id] = mine
        try:
            if previous is not None:
                await asyncio.shield(previous)
            await coroutine
        finally:
            mine.set_result(None)
            if self._tails.get(user_id) is mine:
                del self._tails[user_id]
            await self._done(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: the chains end with their updates."""


def build_application(settings: Settings, deps: BotDeps, *, inbox: Inbox | None = None) -> AnyApplication:
    """The Application with every handler; no updater in webhook mode (our own ASGI app feeds it).

    With an ``inbox``, every update is recorded in Redis before Telegram is told we have it, and taken
    out once handled (``inbox.DurableQueue``): a killed process's updates are resumed by a live one.

    Replies go through an ``AIORateLimiter`` that retries 429s but has no global rate (a reply answers
    one user's message); notifications, which fan out, go through the sender's Bot (``sender_bot``).
    """
    limiter = AIORateLimiter(overall_max_rate=0, max_retries=REPLY_RETRIES)
    builder = ApplicationBuilder().concurrent_updates(PerUserUpdateProcessor(inbox=inbox)).job_queue(None)
    # (timed work belongs to the scheduler service)
    if inbox is not None and settings.bot_mode != "webhook":  # each getUpdates answer recorded in one round trip
        bot = RecordingBot(
            settings.telegram_bot_token, base_url=settings.telegram_api_url, base_file_url=file_url(settings),
            request=telegram_request(settings), get_updates_request=HTTPXRequest(connection_pool_size=1),
            rate_limiter=limiter, inbox=inbox,
        )  # fmt: skip
        builder = builder.bot(bot)
    else:
        builder = (
            builder.token(settings.telegram_bot_token)
            .base_url(settings.telegram_api_url)
            .base_file_url(file_url(settings))
            .rate_limiter(limiter)
            .request(telegram_request(settings))
        )
    if inbox is not None:
        builder = builder.update_queue(DurableQueue(inbox))
    if settings.bot_mode == "webhook":
        builder = builder.updater(None)
    app = builder.build()
    register(app, deps, inbox=inbox)
    return app


def sender_bot(settings: Settings) -> ExtBot[Any]:
    """The Bot the outbox sender uses: PTB's rate limiter with Telegram's flood limits (30/s overall).

    ``max_retries=0``: a 429 comes back to the sender, which waits ``retry_after`` per message and keeps
    the chat's order.
    """
    return ExtBot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=file_url(settings),
        rate_limiter=AIORateLimiter(),
        request=telegram_request(settings),
    )
