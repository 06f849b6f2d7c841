"""Webhook mode: two `chronos bot` processes behind a round-robin forwarder handle one user's flow in turns.

Both processes share the database and Redis (sessions, user locks, the sender lease) as two replicas
would; the emulator delivers to one URL, so the test puts a tiny forwarder there that sends update 1 to
bot A, update 2 to bot B, and so on. Every step of the leave flow is therefore handled by the other
process than the step before, reading the state the previous one saved in Redis.
"""

from __future__ import annotations

import itertools
import json
import socket
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.telegram.server import serve_asgi
from tests.e2e.bot.conftest import MakeDeployment, next_monday, seed
from tests.e2e.bot.harness import BOB, MANAGER, has, reset_emulator, with_button

pytestmark = pytest.mark.e2e

SECRET = "webhook-secret-for-the-test"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def round_robin(targets: list[str], seen: list[tuple[int, str]]) -> Starlette:
    """POST /hook → the next target in turn, headers and body as they came; its status goes back."""
    turn = itertools.count()
    client = httpx.AsyncClient(trust_env=False, timeout=10)

    async def forward(request: Request) -> Response:
        body = await request.body()
        target = targets[next(turn) % len(targets)]
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", SECRET_HEADER.lower())}
        response = await client.post(target, content=body, headers=headers)
        seen.append((json.loads(body)["update_id"], target))
        return Response(status_code=response.status_code)

    return Starlette(routes=[Route("/hook", forward, methods=["POST"])])


async def test_two_webhook_bots_sharing_redis_alternate_one_users_flow(make_deployment: MakeDeployment) -> None:
    deployment = make_deployment("webhook", "postgres")
    reset_emulator(deployment.emulator)
    ports = [_free_port(), _free_port()]
    targets = [f"http://127.0.0.1:{port}/hook" for port in ports]
    seen: list[tuple[int, str]] = []
    async with serve_asgi(round_robin(targets, seen)) as forwarder:
        common = {"BOT_MODE": "webhook", "WEBHOOK_URL": f"{forwarder}/hook", "WEBHOOK_SECRET": SECRET,
                  "WEBHOOK_LISTEN": "127.0.0.1"}  # fmt: skip
        for label, port in zip("ab", ports, strict=True):
            deployment.process(label, WEBHOOK_PORT=str(port), **common).start()
        database, h = await seed(deployment)
        try:
            start = next_monday(h.today, weeks=2)
            types = await h.send(BOB, "/leave", with_button("lt:"))
            await h.press(BOB, data=f"lt:{h.company.annual_id}", message_id=types["message_id"])
            await h.pick_date(BOB, start)
            await h.wait_for(BOB, has("Now pick the last day"))
            await h.pick_date(BOB, start + timedelta(days=3))
            await h.press_then(BOB, has("Add a short reason"), data="hd:f")
            summary = await h.send(BOB, "Two replicas, one flow", has("Please check your request"))
            assert "4 working days" in summary["text"]
            await h.press_then(BOB, has("Sent to Max Manager"), data="lf:ok")
            approval = await h.wait_for(MANAGER, has("New leave request from Bob"))
            assert "Two replicas, one flow" in approval["text"]

            targets_in_order = [target for _update, target in seen]
            assert len(targets_in_order) >= 7
            assert targets_in_order == [targets[i % 2] for i in range(len(targets_in_order))]
            for process in deployment.processes:
                assert "Traceback" not in process.log()
        finally:
            deployment.stop_all()
            await h.control.aclose()
            await database.dispose()


async def test_the_webhook_refuses_a_wrong_secret(make_deployment: MakeDeployment) -> None:
    deployment = make_deployment("webhook-secret", "sqlite")
    reset_emulator(deployment.emulator)
    port = _free_port()
    deployment.process(
        BOT_MODE="webhook", WEBHOOK_URL="http://127.0.0.1:9/hook", WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
    ).start()  # fmt: skip
    try:
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
        async with httpx.AsyncClient(trust_env=False) as client:
            wrong = await client.post(f"http://127.0.0.1:{port}/hook", json=update, headers={SECRET_HEADER: "nope"})
            missing = await client.post(f"http://127.0.0.1:{port}/hook", json=update)
            garbage = await client.post(
                f"http://127.0.0.1:{port}/hook", content=b"not json", headers={SECRET_HEADER: SECRET}
            )
            health = await client.get(f"http://127.0.0.1:{port}/health")
        assert (wrong.status_code, missing.status_code, garbage.status_code) == (403, 403, 400)
        assert health.json() == {"status": "ok", "running": True}
    finally:
        deployment.stop_all()
