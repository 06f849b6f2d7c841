"""The HR console in real Chromium: the API process serving /console over a seeded SQLite company.

Sign-in with the bot's one-time code (read from the outbox, where the bot would take it from), approving a
request on the approvals page (the employee's notification is in the outbox), the leave calendar and the
attendance heatmap rendering (screenshots in docs/console-*.png when CHRONOS_DOCS_SCREENSHOTS=1, always in
test-artifacts/), a manager refused another department's person (the 403 page), the Mini App path from
Telegram's signed initData, and Arabic right to left at phone width.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from sqlalchemy import select

from api.main import create_app
from shared.config import Settings
from shared.domain.enums import AttendanceStatus, DeviceStatus, Direction, LeaveStatus, PunchSource
from shared.domain.webapp_init_data import sign_init_data
from shared.model import Department, Device, Employee, LeaveRequest, OutboxMessage
from shared.persistence import Database
from shared.persistence.migrate import upgrade_async
from shared.redis_client import create_redis
from shared.services.actor import Actor
from shared.services.attendance.overrides import override_day
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.leave.balances import allocate_year
from shared.services.leave.requests import request_leave
from shared.services.timekeeping.corrections import request_correction
from tests.factories import make_company

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "424242:console-browser-test"
ZONE = "Europe/Berlin"
TIMEOUT_MS = 20_000


@dataclass
class Console:
    url: str
    db_url: str
    olga_id: int
    alice_request: int
    leave_month: str
    heat_month: str
    corrected: bool  # a correction was asked for in the heatmap's month (only when it is recent enough)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _working_days(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


async def _seed(url: str, now: datetime) -> tuple[int, int, date, date, bool]:
    await upgrade_async(url)
    db = Database.from_url(url)
    company = await make_company(db, holidays=())
    today = now.astimezone(ZoneInfo(ZONE)).date()
    month_start = today.replace(day=1)
    last_month = (month_start - timedelta(days=1)).replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    async with db.transaction() as s:
        await allocate_year(s, year=today.year, actor=Actor.system("test"))
        await allocate_year(s, year=next_month.year, actor=Actor.system("test"))
        sales = Department(name="Sales")
        s.add_all([sales, Device(name="HQ entrance", host="10.0.0.5", status=DeviceStatus.ONLINE,
                                 last_success_at=now, last_record_count=1250)])  # fmt: skip
        await s.flush()
        olga = Employee(code="OUT", full_name="Olga Outside", timezone=ZONE, department_id=sales.id,
                        hire_date=date(2020, 1, 1), shift_id=company.day_shift_id)  # fmt: skip
        s.add(olga)
        await s.flush()
        first, second = _working_days(next_month + timedelta(days=7), 2)
        alice = await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=company.annual_id, start=first,
            end=second, reason="Family visit", today=today, now=now,
        )  # fmt: skip
        bob_days = _working_days(next_month + timedelta(days=6), 3)  # overlaps Alice's
        await request_leave(
            s, actor=Actor.cli(), employee_id=company.bob_id, leave_type_id=company.annual_id, start=bob_days[0],
            end=bob_days[-1], today=today, now=now,
        )  # fmt: skip
        # Last month: Alice in on time most days and late on some; Bob forgets to check out; Olga never comes.
        for index, day in enumerate(_working_days(last_month, 18)):
            late = 35 if index % 4 == 0 else 0
            start = datetime(day.year, day.month, day.day, 9, late % 60, tzinfo=ZoneInfo(ZONE))
            for who, out in ((company.alice_id, True), (company.bob_id, index % 3 != 0), (company.manager_id, True)):
                await record_punch(s, actor=Actor.cli(), employee_id=who, direction=Direction.IN, instant=start,
                                   source=PunchSource.MANUAL, now=now, company_timezone=ZONE, note="seed")  # fmt: skip
                if out:
                    await record_punch(s, actor=Actor.cli(), employee_id=who, direction=Direction.OUT,
                                       instant=start + timedelta(hours=9), source=PunchSource.MANUAL,
                                       now=now, company_timezone=ZONE, note="seed")  # fmt: skip
        await process_days(s, date_from=last_month, date_to=month_start - timedelta(days=1), now=now,
                           company_timezone=ZONE, actor=Actor.cli())  # fmt: skip
        # HR sets one of Bob's days by hand; Bob asks for a forgotten check-out (corrections reach 14 days back).
        days = _working_days(last_month, 18)
        await override_day(s, actor=company.hr, employee_id=company.bob_id, day=days[6],
                           status=AttendanceStatus.PRESENT, reason="Client visit all day", now=now)  # fmt: skip
        recent = [d for d in days if (today - d).days <= 13 and days.index(d) % 3 == 0]  # his incomplete days
        if recent:
            await request_correction(s, actor=company.bob, employee_id=company.bob_id, day=recent[-1],
                                     at=dt_time(18), direction=Direction.OUT, reason="Forgot to badge out",
                                     now=now)  # fmt: skip
    await db.dispose()
    return olga.id, alice.id, next_month, last_month, bool(recent)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    db_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('console') / 'console.db'}"
    olga, request_id, leave_month, heat_month, corrected = asyncio.run(_seed(db_url, datetime.now(UTC)))
    settings = Settings(
        _env_file=None, database_url=db_url, api_secret_key="console-browser", telegram_bot_token=TOKEN,
        company_timezone=ZONE, stage="dev", api_request_timeout_seconds=120, console_refresh_seconds=2,
    )  # fmt: skip
    port = _free_port()
    app = create_app(settings, Database.from_url(db_url), create_redis(""), bot_username="chronos_demo_bot")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield Console(
            f"http://127.0.0.1:{port}", db_url, olga, request_id, f"{leave_month:%Y-%m}", f"{heat_month:%Y-%m}",
            corrected,
        )  # fmt: skip
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _query(url: str, statement):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        db = Database.from_url(url)
        try:
            async with db.session() as s:
                return (await s.execute(statement)).all()
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps an event loop running in this thread
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed: run `make browser-deps` (CI does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def shoot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if os.environ.get("CHRONOS_DOCS_SCREENSHOTS"):
        tab.screenshot(path=str(ROOT / "docs" / f"{name}.png"), full_page=True)


def new_tab(browser, *, width: int = 1280, height: int = 860):  # type: ignore[no-untyped-def]
    tab = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True).new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    return tab


def sign_in_with_code(tab, console: Console, login: str, chat_id: int) -> None:  # type: ignore[no-untyped-def]
    tab.goto(f"{console.url}/console/sign-in?lang=en")
    tab.fill("#login", login)
    tab.get_by_role("button", name="Send me a code").click()
    tab.locator("#code").wait_for()
    rows = _query(console.db_url, select(OutboxMessage.payload).where(OutboxMessage.chat_id == chat_id))
    code = re.search(r"\b(\d{6})\b", rows[-1][0]["text"]).group(1)
    tab.fill("#code", code)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(re.compile(r".*/console/approvals$"))


def test_a_manager_signs_in_with_the_bots_code_and_approves_from_the_approvals_page(browser, console):
    tab = new_tab(browser)
    sign_in_with_code(tab, console, "M1", 9002)
    card = tab.locator(f"#request-{console.alice_request}")
    assert "Alice" in card.inner_text() and "Family visit" in card.inner_text()
    assert "Bob" in tab.locator(f"#request-{console.alice_request} .overlaps").inner_text()
    shoot(tab, "console-approvals")
    card.get_by_role("button", name="Approve").click()
    tab.wait_for_url(re.compile(r".*/console/approvals$"))
    assert tab.locator(f"#request-{console.alice_request}").count() == 0
    status = _query(console.db_url, select(LeaveRequest.status).where(LeaveRequest.id == console.alice_request))
    assert status[0][0] is LeaveStatus.APPROVED
    told = [
        p["text"] for (p,) in _query(console.db_url, select(OutboxMessage.payload).where(OutboxMessage.chat_id == 9003))
    ]
    assert any("Max Manager" in text for text in told), "Alice is told in her chat (through the outbox)"

    # The calendar shows the approved leave; a cell opens the request.
    tab.goto(f"{console.url}/console/calendar?month={console.leave_month}")
    assert tab.locator("#leave-calendar td.leave-approved").count() >= 2
    shoot(tab, "console-calendar")
    tab.locator("#leave-calendar td.leave-approved a").first.click()
    tab.wait_for_url(re.compile(r".*/console/leaves/\d+$"))

    # The heatmap of last month, and the drill-down to a person's month.
    tab.goto(f"{console.url}/console/attendance?month={console.heat_month}")
    assert tab.locator("#heat-departments td.heat-4").count() >= 1
    assert tab.locator("#heat-people td[class^=heat-]:not(.heat-0)").count() >= 3
    shoot(tab, "console-heatmap")
    tab.locator("#heat-people th.name a").filter(has_text="Bob").click()
    tab.locator("#person-month").wait_for()
    assert tab.locator("#person-month .punch").count() >= 10
    assert tab.locator("#person-month .correction-pending").count() == (1 if console.corrected else 0)
    assert "Client visit all day" in tab.locator("#person-month .override").inner_text()
    shoot(tab, "console-person-month")

    # Another department's person: the 403 page, and nothing of hers on it.
    response = tab.goto(f"{console.url}/console/people/{console.olga_id}")
    assert response is not None and response.status == 403
    assert tab.locator("[data-status='403']").count() == 1 and "Olga" not in tab.content()


def test_hr_opens_the_console_as_a_mini_app_and_reads_it_in_arabic_at_phone_width(browser, console):
    tab = new_tab(browser, width=390, height=844)
    init_data = sign_init_data(user={"id": 9001, "first_name": "Hana"}, bot_token=TOKEN, now=datetime.now(UTC))
    tab.goto(f"{console.url}/console/telegram#{urlencode({'tgWebAppData': init_data, 'tgWebAppVersion': '8.0'})}")
    tab.wait_for_url(re.compile(r".*/console/approvals$"))
    assert "Hana HR" in (tab.locator(".who .me").text_content() or "")
    tab.select_option("select[name=locale]", "ar")
    tab.wait_for_function("document.documentElement.dir === 'rtl'")
    assert tab.get_attribute("html", "lang") == "ar"
    tab.goto(f"{console.url}/console/today")
    tab.locator("#board").wait_for()
    assert "HQ entrance" in tab.locator("#board").inner_text(), "device health on the Today page"
    refreshed = tab.wait_for_event("response", lambda r: r.url.endswith("/console/today/board"), timeout=10_000)
    assert refreshed.status == 200, "the board refreshes itself (htmx polling)"
    tab.locator("#board").wait_for()
    assert tab.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "no sideways scroll"
    shoot(tab, "console-today-ar")
    tab.goto(f"{console.url}/console/people")
    tab.get_by_role("link", name="Olga Outside").click()  # not linked to Telegram yet
    tab.locator(".invite form button").click()
    tab.locator("#invite-qr svg").wait_for()
    assert tab.locator("#invite-link").inner_text().startswith("https://t.me/chronos_demo_bot?start=")
    shoot(tab, "console-invitation-ar")


def test_forged_init_data_opens_nothing(browser, console):
    tab = new_tab(browser)
    init_data = sign_init_data(
        user={"id": 9001, "first_name": "Hana"}, bot_token="1:another-bot", now=datetime.now(UTC)
    )
    tab.goto(f"{console.url}/console/telegram#{urlencode({'tgWebAppData': init_data})}")
    tab.locator("[data-status='403']").wait_for()
    response = tab.goto(f"{console.url}/console/approvals")
    assert response is not None and "/console/sign-in" in tab.url
