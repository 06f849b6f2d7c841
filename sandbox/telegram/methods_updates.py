"""Bot API methods for receiving updates: getUpdates (long polling) and webhooks."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from sandbox.telegram import webhook
from sandbox.telegram.dispatch import CallContext, api_method
from sandbox.telegram.errors import ApiError, bad_request
from sandbox.telegram.model import JSON
from sandbox.telegram.notify import wait_until
from sandbox.telegram.params import Params
from sandbox.telegram.store import WebhookConfig

logger = logging.getLogger(__name__)

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
TERMINATED = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(params: Params) -> list[str] | None:
    value: Any = params.json("allowed_updates", what="allowed updates")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_request("can't parse allowed updates JSON object")
    return value


@api_method("getUpdates")
async def get_updates(ctx: CallContext, params: Params) -> list[JSON]:
    """Long polling: confirm updates below ``offset``, then wait up to ``timeout`` for new ones."""
    bot = ctx.bot
    if bot.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    offset = params.integer("offset")
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout = max(params.number("timeout") or 0.0, 0.0)
    allowed = _allowed_updates(params)
    if allowed is not None:
        bot.allowed_updates = allowed
    bot.confirm(offset)
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.updates.bump()  # an older long poll of this bot now ends with 409, as on Telegram

    def ready() -> list[JSON] | str | None:
        if bot.poll_generation != generation:
            return TERMINATED
        if bot.webhook is not None:
            return WEBHOOK_ACTIVE
        return bot.deliverable(limit) or None

    result = await wait_until(ready, [bot.updates], timeout, request=ctx.request, closed=lambda: ctx.state.closed)
    if isinstance(result, str):
        raise ApiError(409, result)
    return result if result is not None else []


@api_method("setWebhook")
async def set_webhook(ctx: CallContext, params: Params) -> bool:
    """Deliver updates by POSTing them to ``url`` (plain http is accepted for local receivers)."""
    bot = ctx.bot
    url = params.string("url") or ""
    if not url:
        return await delete_webhook(ctx, params)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = params.string("secret_token")
    if secret is not None and not _SECRET_TOKEN.match(secret):
        raise bad_request("bad webhook: Secret token contains unallowed characters")
    max_connections = params.integer("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = _allowed_updates(params)
    if allowed is not None:
        bot.allowed_updates = allowed
    if params.boolean("drop_pending_updates"):
        bot.pending.clear()
    previous = bot.webhook
    unchanged = previous is not None and (previous.url, previous.secret_token) == (url, secret)
    bot.webhook = WebhookConfig(
        url=url, secret_token=secret, max_connections=max_connections, ip_address=params.string("ip_address")
    )
    bot.updates.bump()
    webhook.restart(ctx.state, bot)
    ctx.state.changes.bump()
    logger.info("bot %s: webhook set to %s", bot.account.id, url)
    ctx.description = "Webhook is already set" if unchanged else "Webhook was set"
    return True


@api_method("deleteWebhook")
async def delete_webhook(ctx: CallContext, params: Params) -> bool:
    """Stop webhook delivery (pending updates stay for getUpdates unless dropped)."""
    bot = ctx.bot
    if params.boolean("drop_pending_updates"):
        bot.pending.clear()
    if bot.webhook is None:
        ctx.description = "Webhook is already deleted"
        return True
    bot.webhook = None
    webhook.restart(ctx.state, bot)
    ctx.state.changes.bump()
    ctx.description = "Webhook was deleted"
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(ctx: CallContext, params: Params) -> JSON:
    """The current webhook, its pending update count and its last delivery error."""
    bot = ctx.bot
    info: JSON = {"url": "", "has_custom_certificate": False, "pending_update_count": len(bot.pending)}
    hook = bot.webhook
    if hook is not None:
        info["url"] = hook.url
        info["max_connections"] = hook.max_connections
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
    return info


@api_method("logOut")
async def log_out(ctx: CallContext, params: Params) -> bool:
    """Accepted and ignored: there is no cloud server to log out from."""
    return True


@api_method("close")
async def close(ctx: CallContext, params: Params) -> bool:
    """Accepted and ignored."""
    return True
