"""The API killed with SIGKILL at random points while clients decide on leave requests: every decision is
made once, with one ledger entry and one notification, however often a client had to try again.

Clients act like well-behaved integrations: a request that got no answer (the connection died with the
process) or a 503 is sent again (honouring Retry-After) until a definite answer comes; a 409 saying the
request was already decided the way we asked counts as done. The random schedule is printed
(FAULT_SEED=<n> repeats it).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from shared.domain.enums import LeaveStatus, LedgerKind
from shared.model import AuditLog, LeaveLedgerEntry, LeaveRequest, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.leave.requests import request_leave
from shared.services.org.tokens import create_token
from tests.conftest import RUN_ID, TEST_REDIS_URL, _wipe
from tests.factories import Company, make_company
from tests.faults.proxy import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

REPO = Path(__file__).resolve().parents[2]
PEPPER = "api-faults-pepper"
KILLS = 5
HR_CHAT, EMPLOYEE_CHATS = 9001, (9003, 9004)
REQUESTS = 12  # half approved (and of those, every third cancelled again), half rejected


class ApiProcess:
    """`chronos api` as a subprocess on a port of its own."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = int(env["API_PORT"])
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "chronos_cli.main", "api"], cwd=REPO, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"the API exited with {self.proc.returncode}:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        raise TimeoutError("the API did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


async def _requests(db: Database, company: Company, today: datetime) -> list[int]:
    ids = []
    async with db.transaction() as session:
        for year in (today.year, today.year + 1):
            await allocate_year(session, year=year, actor=Actor.system("faults"))
    for number in range(REQUESTS):
        actor = company.alice if number % 2 else company.bob
        start = (today + timedelta(days=7 * (number // 2 + 1))).date()
        start -= timedelta(days=start.weekday())  # a Monday
        async with db.transaction() as session:
            request = await request_leave(
                session, actor=actor, employee_id=actor.employee_id, leave_type_id=company.annual_id,
                start=start, end=start, today=today.date(), now=today,
            )  # fmt: skip
            ids.append(request.id)
    return ids


async def _until_definite(client: httpx.AsyncClient, path: str, body: dict, *done: LeaveStatus) -> int:
    """POST until the answer is definite (the request is in one of the ``done`` states); the number of tries."""
    tries = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        tries += 1
        try:
            response = await client.post(path, json=body)
        except httpx.TransportError:  # the process died under us: try again
            await asyncio.sleep(0.2)
            continue
        if response.status_code == 503:
            await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 1.0))
            continue
        if response.status_code == 200:
            assert response.json()["status"] in {d.value for d in done}
            return tries
        assert response.status_code == 409, response.text  # decided already: by our own earlier try
        error = response.json()["error"]
        status = {d["field"]: d["message"] for d in error["details"]}.get("status") or error["code"].removeprefix(
            "already_"
        )
        assert status in {d.value for d in done}, response.text
        return tries
    raise AssertionError(f"{path}: no definite answer within 90 s")


async def test_killing_the_api_at_random_points_decides_everything_once(pg_url: str, tmp_path: Path) -> None:
    seed_value = int(os.environ.get("FAULT_SEED") or time.time())
    print(f"FAULT_SEED={seed_value}")
    rng = random.Random(seed_value)
    db = Database.from_url(pg_url)
    await _wipe(db)
    company = await make_company(db)
    now = datetime.now(UTC)
    ids = await _requests(db, company, now)
    async with db.transaction() as session:
        _row, token = await create_token(session, name="faults", role="admin", pepper=PEPPER, actor=Actor.cli())
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": TEST_REDIS_URL, "REDIS_PREFIX": f"chronos-test:{RUN_ID}:api",
           "API_SECRET_KEY": PEPPER, "API_PORT": str(free_port()), "API_HOST": "127.0.0.1", "STAGE": "dev",
           "LOG_FORMAT": "console", "COMPANY_TIMEZONE": "Europe/Berlin"}  # fmt: skip
    api = ApiProcess(env, tmp_path / "api.log")
    await asyncio.to_thread(api.start)
    approve = [i for n, i in enumerate(ids) if n % 2 == 0]
    reject = [i for n, i in enumerate(ids) if n % 2 == 1]
    cancel = approve[::3]
    tries: list[int] = []
    over = asyncio.Event()

    async def killer() -> None:
        try:
            for _ in range(KILLS):
                await asyncio.sleep(rng.uniform(0.2, 1.5))
                api.kill()
                await asyncio.to_thread(api.start)
        finally:
            over.set()

    async def client_work(client: httpx.AsyncClient) -> None:
        while not over.is_set():  # decide again and again while the API keeps dying: every try is a repeat
            for request_id in approve:  # a later round finds the cancelled ones cancelled
                tries.append(await _until_definite(client, f"/api/v1/leaves/{request_id}/approve", {},
                                                   LeaveStatus.APPROVED, LeaveStatus.CANCELLED))  # fmt: skip
            for request_id in reject:
                tries.append(await _until_definite(client, f"/api/v1/leaves/{request_id}/reject",
                                                   {"reason": "busy week"}, LeaveStatus.REJECTED))  # fmt: skip
            for request_id in cancel:
                tries.append(await _until_definite(client, f"/api/v1/leaves/{request_id}/cancel", {},
                                                   LeaveStatus.CANCELLED))  # fmt: skip

    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(base_url=api.url, headers=headers, timeout=30) as client:
            await asyncio.gather(killer(), client_work(client), client_work(client))
        print("tries per call:", Counter(tries))
        await _assert_decided_once(db, approve, reject, cancel)
    finally:
        api.stop()
        await db.dispose()


async def _assert_decided_once(db: Database, approve: list[int], reject: list[int], cancel: list[int]) -> None:
    async with db.session() as session:
        requests = {r.id: r for r in await session.scalars(select(LeaveRequest))}
        audits = Counter((a.action, a.entity_id) for a in await session.scalars(
            select(AuditLog).where(AuditLog.entity == "leave_request")))  # fmt: skip
        ledger = Counter((e.kind, e.request_id) for e in await session.scalars(
            select(LeaveLedgerEntry).where(LeaveLedgerEntry.request_id.is_not(None))))  # fmt: skip
        told = Counter(
            _kind(r.chat_id, r.payload.get("text", "")) for r in await session.scalars(select(OutboxMessage))
        )
    for request_id in approve:
        cancelled = request_id in cancel
        assert requests[request_id].status is (LeaveStatus.CANCELLED if cancelled else LeaveStatus.APPROVED)
        assert audits[("approve", str(request_id))] == 1
        assert ledger[(LedgerKind.TAKEN, request_id)] == 1
        assert ledger[(LedgerKind.REVERSAL, request_id)] == (1 if cancelled else 0)
    for request_id in reject:
        assert requests[request_id].status is LeaveStatus.REJECTED
        assert audits[("reject", str(request_id))] == 1
        assert ledger[(LedgerKind.TAKEN, request_id)] == 0
    assert sum(n for (action, _), n in audits.items() if action == "cancel") == len(cancel)
    # one notice per decision to the employee (in their language) and one to HR
    assert told["employee approved"] == told["hr approved"] == len(approve), told
    assert told["employee rejected"] == told["hr rejected"] == len(reject), told


def _kind(chat_id: int, text: str) -> str:
    if chat_id == HR_CHAT:
        return next((f"hr {k}" for k in ("approved", "rejected") if f"leave was {k} by" in text), "hr other")
    if chat_id in EMPLOYEE_CHATS:
        return {"✅": "employee approved", "❌": "employee rejected"}.get(text[:1], "employee other")
    return "other"
