"""The demo's web chat opens a menu button's Mini App the way Telegram does: the URL with ``#tgWebAppData=``
signed by the bot token for the persona, which the console's check accepts; unknown personas get nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.webchat.app import Persona, create_webchat_app
from shared.domain.webapp_init_data import verify_init_data

TOKEN = "777:webchat-token"


async def _no_status() -> dict[str, object]:
    return {}


def _app():  # type: ignore[no-untyped-def]
    persona = Persona(telegram_user_id=501, name="Lukas Weber", role="manager", locale="en", title="Head")
    return create_webchat_app(
        control_url="http://127.0.0.1:9", personas=[persona], status=_no_status, links={}, bot_token=TOKEN
    )


async def test_the_web_chat_signs_init_data_for_the_persona_that_the_console_accepts():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://chat") as client:
        answer = await client.get("/demo/webapp", params={"user": 501, "url": "http://127.0.0.1:8000/console/telegram"})
    assert answer.status_code == 200
    url = urlsplit(answer.json()["url"])
    assert url.path == "/console/telegram"
    init_data = parse_qs(url.fragment)["tgWebAppData"][0]
    user = verify_init_data(init_data, bot_token=TOKEN, now=datetime.now(UTC), max_age_seconds=60)
    assert user.telegram_user_id == 501 and user.first_name == "Lukas Weber"


async def test_the_web_chat_signs_nothing_for_an_unknown_persona_or_a_strange_url():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://chat") as client:
        stranger = await client.get("/demo/webapp", params={"user": 999, "url": "http://127.0.0.1/console"})
        script = await client.get("/demo/webapp", params={"user": 501, "url": "javascript:alert(1)"})
    assert stranger.status_code == 404 and script.status_code == 404
