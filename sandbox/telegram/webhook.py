"""Webhook delivery: POST pending updates to the bot's URL in order, retrying on failure."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx

from sandbox.telegram.dispatch import call_method
from sandbox.telegram.model import JSON, now
from sandbox.telegram.params import Params
from sandbox.telegram.store import BotState, EmulatorState, WebhookConfig

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def restart(state: EmulatorState, bot: BotState) -> None:
    """(Re)start the delivery task after setWebhook, or stop it after deleteWebhook."""
    task = state.webhook_tasks.pop(bot.token, None)
    if task is not None:
        task.cancel()
    if bot.webhook is not None and not state.closed:
        state.webhook_tasks[bot.token] = asyncio.create_task(
            _deliver_forever(state, bot, bot.webhook), name=f"webhook:{bot.account.id}"
        )


async def _deliver_forever(state: EmulatorState, bot: BotState, config: WebhookConfig) -> None:
    """Deliver one update at a time so the bot sees them in order, like a single connection."""
    failures = 0
    while not state.closed and bot.webhook is config:
        updates = bot.deliverable(1)
        if not updates:
            await bot.updates.wait(3600)
            continue
        update = updates[0]
        error = await _post(state, bot, config, update)
        if bot.webhook is not config:
            return
        if error is None:
            failures = 0
            config.delivered += 1
            bot.pending = [u for u in bot.pending if u["update_id"] != update["update_id"]]
            state.changes.bump()
            continue
        config.last_error_date = now()
        config.last_error_message = error
        delays = state.config.webhook_retry_delays or (1.0,)
        delay = delays[min(failures, len(delays) - 1)]
        failures += 1
        logger.info("webhook delivery of update %s failed (%s); retry in %.2fs", update["update_id"], error, delay)
        await asyncio.sleep(delay)


async def _post(state: EmulatorState, bot: BotState, config: WebhookConfig, update: JSON) -> str | None:
    """POST one update; returns None on success or Telegram's ``last_error_message``."""
    headers = {"Content-Type": "application/json"}
    if config.secret_token:
        headers[SECRET_HEADER] = config.secret_token
    try:
        response = await state.http.post(config.url, content=json.dumps(update), headers=headers)
    except httpx.TimeoutException:
        return "Read timeout expired"
    except httpx.ConnectError:
        return "Connection refused"
    except httpx.HTTPError as exc:
        return f"Connection error: {exc.__class__.__name__}"
    if not 200 <= response.status_code < 300:
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
    await _run_reply_method(state, bot, response)
    return None


async def _run_reply_method(state: EmulatorState, bot: BotState, response: httpx.Response) -> None:
    """Telegram executes a method the webhook answers with (``{"method": ..., ...}``)."""
    if "application/json" not in response.headers.get("content-type", ""):
        return
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("method"), str):
        values = {k: v for k, v in body.items() if k != "method"}
        status, result = await call_method(state, bot, body["method"], Params(values))
        if status != 200:
            logger.info("method %s from a webhook reply failed: %s", body["method"], result.get("description"))
