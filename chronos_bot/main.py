"""Start the bot: build the clients from Settings, then poll (default) or serve the webhook, plus the outbox sender.

``python -m chronos_bot`` and ``chronos bot`` end up in :func:`run`. SIGINT/SIGTERM stop it cleanly: the
updater (or webhook server) stops taking updates, the updates in hand finish, the sender lets go of its
lease. A crash (SIGKILL) loses nothing either: updates wait in the Redis inbox until a live process (this
one restarted, or another replica) resumes them, sessions and replies live in Redis, notifications in the
outbox table; the user's lock and the sender's lease expire within seconds (see docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from redis.exceptions import RedisError
from telegram import Update

from chronos_bot import commands
from chronos_bot.app import MAX_CONCURRENT_UPDATES, build_application, sender_bot
from chronos_bot.inbox import Inbox, InboxKeeper
from chronos_bot.journal import UpdateJournal
from chronos_bot.limits import AttemptLimiter
from chronos_bot.registration import AnyApplication
from chronos_bot.turn import BotDeps
from chronos_bot.webhook import WebhookServer, create_webhook_app, webhook_path
from shared.config import ConfigError, Settings
from shared.notify.sender import OutboxSender
from shared.notify.smtp import mailer_for
from shared.persistence import Database
from shared.redis_client import redis_from_settings
from shared.services.console.signin import console_chats
from shared.services.org.invitations import bot_username_key
from shared.sessions import SessionStore

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10
INVITE_ATTEMPTS = 5
INVITE_WINDOW = 3600


def pool_options(database_url: str) -> dict[str, object]:
    """A connection per update in flight, kept open: with fewer, PostgreSQL connections are opened and
    closed all the time under load (the pool's overflow), which costs more than the updates themselves."""
    if not database_url.startswith("postgresql"):
        return {}
    # No pre-ping (a round trip per checkout, two per update): connections are recycled every 5 minutes
    # instead, and one that died with the server fails its attempt (the pipeline runs the update again).
    return {
        "pool_size": MAX_CONCURRENT_UPDATES + 4,
        "max_overflow": 8,
        "pool_pre_ping": False,
        "pool_recycle": 300,
    }


def build_deps(settings: Settings) -> BotDeps:
    """The clients every handler shares: database, Redis, sessions, the wrong-code limiter."""
    redis = redis_from_settings(settings)
    return BotDeps(
        settings=settings,
        db=Database.from_settings(settings, **pool_options(settings.database_url)),
        redis=redis,
        sessions=SessionStore(redis, prefix=settings.redis_prefix),
        limiter=AttemptLimiter(
            redis, prefix=settings.redis_prefix, name="invite", limit=INVITE_ATTEMPTS, window_seconds=INVITE_WINDOW
        ),
        journal=UpdateJournal(redis, prefix=settings.redis_prefix),
    )


async def announce(app: AnyApplication, deps: BotDeps) -> None:
    """Tell Telegram our commands (per language) and publish our @username for the API's invite links."""
    await commands.publish_defaults(app.bot, default_locale=deps.settings.default_locale)
    if deps.settings.console_url:  # managers' and HR's menu button opens the console (a Mini App)
        async with deps.db.session() as session:
            people = await console_chats(session)
        for chat_id, locale in people:
            await commands.publish_console_button(
                app.bot, chat_id, locale or deps.settings.default_locale, console_url=deps.settings.console_url
            )
    if not deps.settings.bot_username and app.bot.username:
        await deps.redis.set(bot_username_key(deps.settings.redis_prefix), app.bot.username)


def _quiet_sender_rate_limits() -> None:
    """The sender's limiter never retries (``max_retries=0``): a 429 is the sender's to wait for, not an error."""
    logging.getLogger("telegram.ext.AIORateLimiter").addFilter(
        lambda record: "maximum of 0 retries" not in record.getMessage()
    )


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM).

    The caller checked the settings for how it runs (``require_service_ready("bot")`` for `chronos bot`,
    ``"all"`` for `chronos all`, where an in-process Redis is fine).
    """
    if settings.bot_mode == "webhook" and settings.stage == "prod" and not settings.webhook_secret:
        raise ConfigError("BOT_MODE=webhook in prod needs WEBHOOK_SECRET (Telegram sends it in a header we check)")
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    _quiet_sender_rate_limits()
    deps = build_deps(settings)
    inbox = Inbox(deps.redis, prefix=settings.redis_prefix)
    app = build_application(settings, deps, inbox=inbox)
    notifier = sender_bot(settings)
    sender = OutboxSender(
        deps.db, notifier, deps.redis, max_attempts=settings.outbox_max_attempts,
        poll_seconds=settings.outbox_poll_seconds, prefix=settings.redis_prefix,
        lease_seconds=settings.outbox_lease_seconds, mailer=mailer_for(settings),
    )  # fmt: skip
    deps.wake_sender = sender.wake.set
    server: WebhookServer | None = None
    try:
        async with notifier, app:
            await announce(app, deps)
            await app.start()
            keeper, keeper_stop = InboxKeeper(inbox, app.update_queue, app.bot), asyncio.Event()
            with contextlib.suppress(RedisError, OSError):  # else the keeper's next round does it
                await keeper.round()  # this process beats, and resumes the updates of a process that died
            keeping = asyncio.create_task(keeper.run(keeper_stop), name="inbox-keeper")
            if settings.bot_mode == "webhook":
                server = await _start_webhook(app, settings)
            else:
                assert app.updater is not None
                await app.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES)
            sending = asyncio.create_task(sender.run(stop), name="outbox-sender")
            log.info("bot ready", extra={"mode": settings.bot_mode, "username": app.bot.username})
            await stop.wait()
            log.info("bot stopping")
            if server is not None:
                await server.stop()
            elif app.updater is not None:
                await app.updater.stop()
            await app.stop()  # the updates in hand are handled (and leave the inbox)
            keeper_stop.set()
            await sending
            await keeping
    finally:
        await deps.db.dispose()
        await deps.redis.aclose()


async def _start_webhook(app: AnyApplication, settings: Settings) -> WebhookServer:
    """Serve our ASGI app, then point Telegram at WEBHOOK_URL (with the secret it must send back)."""
    asgi = create_webhook_app(app, path=webhook_path(settings.webhook_url), secret=settings.webhook_secret)
    server = WebhookServer(asgi, host=settings.webhook_listen, port=settings.webhook_port)
    await server.start()
    await app.bot.set_webhook(
        settings.webhook_url, secret_token=settings.webhook_secret or None, allowed_updates=Update.ALL_TYPES
    )
    return server


def run(settings: Settings) -> None:
    """Serve on uvloop when it is installed (it comes with uvicorn[standard]), else on asyncio's loop.

    The heap imported so far (PTB, SQLAlchemy and the models, Babel, the handlers: ~190k objects) is frozen
    out of the garbage collector, as in the API's workers: under load every young collection promotes the
    objects of the updates in flight, and each full collection then walked that whole heap with the event
    loop stopped (~0.1 s a time on this machine)."""
    gc.collect()
    gc.freeze()
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve(settings))
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(settings))
