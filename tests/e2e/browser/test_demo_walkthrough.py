"""The README walk-through in a real browser: `chronos demo` as a subprocess, the web chat in Chromium.

The employee requests leave with the buttons and the calendar, the manager approves it, the employee
sees the approval, HR asks for the digest and downloads the XLSX. Screenshots of every persona are
saved to test-artifacts/ when a step fails (and to docs/ when CHRONOS_DOCS_SCREENSHOTS=1).
"""

from __future__ import annotations

import calendar
import io
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import httpx
import pytest
from openpyxl import load_workbook

from sandbox.demo.punches import last_working_day

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHRONOS = str(Path(sys.executable).with_name("chronos"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT_MS = 20_000


def free_ports(n: int) -> list[int]:
    import socket

    sockets, ports = [], []
    for _ in range(n):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


def berlin_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin")).date()


def leave_dates(today: date) -> tuple[date, date]:
    """Two consecutive working days next month (the calendar's "»" page), clear of Berlin's holidays."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    off = holidays.country_holidays("DE", subdiv="BE", years=year)
    for day in range(1, calendar.monthrange(year, month)[1]):
        first, second = date(year, month, day), date(year, month, day + 1)
        if all(d.weekday() < 5 and d not in off for d in (first, second)):
            return first, second
    raise AssertionError("no two working days next month")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    web, api, telegram, zk_tcp, zk_udp, smtp = free_ports(6)
    workdir = tmp_path_factory.mktemp("demo")
    command = [
        CHRONOS, "demo", "--data-dir", str(workdir / "var"), "--web-port", str(web), "--api-port", str(api),
        "--telegram-port", str(telegram), "--zk-tcp-port", str(zk_tcp), "--zk-udp-port", str(zk_udp),
        "--smtp-port", str(smtp),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN"}}
    env["COLUMNS"] = "200"
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "DEMO READY" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(120):
            raise AssertionError("chronos demo did not get ready:\n" + "".join(lines[-60:]))
        assert httpx.get(f"http://127.0.0.1:{api}/health/ready", timeout=5).status_code == 200
        yield {"web": f"http://127.0.0.1:{web}", "api": f"http://127.0.0.1:{api}", "log": lines}  # type: ignore[dict-item]
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, "".join(lines[-40:])


@pytest.fixture
def page(demo: dict[str, str], request: pytest.FixtureRequest) -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed: run `make browser-deps` (CI does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto(demo["web"])
        yield tab
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        browser.close()


def be(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    tab.get_by_role("button", name=name).first.click()
    tab.wait_for_function("name => document.getElementById('chat-title').textContent === name", arg=name)


def last_bot(tab):  # type: ignore[no-untyped-def]
    return tab.locator("#messages .msg:not(.me)").last


def send(tab, text: str) -> None:  # type: ignore[no-untyped-def]
    tab.fill("#text", text)
    tab.press("#text", "Enter")


def press(tab, label: str, *, exact: bool = True) -> None:  # type: ignore[no-untyped-def]
    button = last_bot(tab).locator(".inline button").filter(has_text=label)
    if exact:
        button = last_bot(tab).get_by_role("button", name=label, exact=True)
    button.first.click()


def shoot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if os.environ.get("CHRONOS_DOCS_SCREENSHOTS"):
        (ROOT / "docs").mkdir(exist_ok=True)
        tab.screenshot(path=str(ROOT / "docs" / f"{name}.png"))


def test_leave_is_requested_approved_and_hr_downloads_the_digest(page, demo):  # type: ignore[no-untyped-def]
    tab = page
    start, end = leave_dates(berlin_today())

    # The employee asks for two days off next month, entirely with buttons.
    be(tab, "Jonas Becker")
    send(tab, "/leave")
    tab.locator("#messages .msg:not(.me) .inline button").filter(has_text="Annual leave").first.click()
    tab.get_by_text("Pick the first day of your leave").last.wait_for()
    press(tab, "»")
    month = calendar.month_name[start.month]
    tab.locator("#messages .msg:not(.me)").filter(has_text=month).last.wait_for()
    press(tab, str(start.day))
    tab.get_by_text("Now pick the last day").last.wait_for()
    press(tab, str(end.day))
    tab.get_by_text("Whole days, or half days?").last.wait_for()
    press(tab, "Whole days")
    tab.get_by_text("Add a short reason").last.wait_for()
    send(tab, "Family visit")
    tab.get_by_text("Please check your request").last.wait_for()
    assert "Lukas Weber" in last_bot(tab).inner_text()
    shoot(tab, "1-employee-requests-leave")
    press(tab, "✅ Confirm")
    tab.locator("#messages .msg:not(.me)").filter(has_text="Lukas Weber").last.wait_for()

    # The manager gets the request with the team's overlaps and approves it with a button.
    be(tab, "Lukas Weber")
    request = tab.locator("#messages .msg").filter(has_text="New leave request from Jonas Becker").last
    request.wait_for(timeout=30_000)
    assert "Family visit" in request.inner_text()
    shoot(tab, "2-manager-approves")
    request.get_by_role("button", name="✅ Approve").click()
    tab.locator("#messages .msg").filter(has_text="Approved by Lukas Weber").last.wait_for(timeout=30_000)

    # The employee sees the approval.
    be(tab, "Jonas Becker")
    tab.locator("#messages .msg").filter(has_text="Your leave was approved by Lukas Weber").last.wait_for(
        timeout=30_000
    )

    # HR reads the digest and downloads its spreadsheet.
    be(tab, "Olga Ivanova")
    send(tab, f"/digest {last_working_day(berlin_today()).isoformat()}")
    link = tab.locator("#messages .msg .doc a").filter(has_text=".xlsx").last
    link.wait_for(timeout=30_000)
    shoot(tab, "3-hr-reads-the-digest")
    with tab.expect_download() as download_info:
        link.click()
    content = Path(download_info.value.path()).read_bytes()
    book = load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) >= 2
    exceptions = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert exceptions, "the demo's yesterday has exceptions (late, missing check-out, …)"


def test_the_arabic_persona_chats_right_to_left(page, demo):  # type: ignore[no-untyped-def]
    tab = page
    be(tab, "Layla Mansour")
    assert tab.get_attribute("#chat", "dir") == "rtl"
    send(tab, "/help")
    last_bot(tab).wait_for()
    keyboard = tab.locator("#keyboard button")
    keyboard.first.wait_for()
    assert keyboard.count() >= 6


def test_the_managers_menu_button_opens_the_console_inside_the_chat(page, demo):  # type: ignore[no-untyped-def]
    """The bot set a web_app menu button for managers at start; the web chat opens it as Telegram does (with
    initData signed by the bot token), and the console signs the manager in inside the frame."""
    tab = page
    be(tab, "Lukas Weber")
    button = tab.locator("#menu-button")
    button.wait_for()
    assert "console" in button.inner_text().lower()
    button.click()
    frame = tab.frame_locator("#webapp-frame")
    frame.locator("h1").filter(has_text="Waiting on you").wait_for(timeout=30_000)
    assert "Lukas Weber" in (frame.locator(".who .me").text_content() or "")
    shoot(tab, "console-mini-app")
    tab.click("#webapp-close")
    be(tab, "Jonas Becker")
    jonas = tab.evaluate("state.current.telegram_user_id")
    tab.locator(f"#messages[data-chat='{jonas}']").wait_for(state="attached")  # his transcript is on screen
    assert tab.locator("#menu-button").is_hidden(), "employees have no console button"
    assert tab.locator("#webapp").is_hidden()


def test_the_mailbox_shows_the_digest_mailed_to_hr_without_telegram(page, demo):  # type: ignore[no-untyped-def]
    tab = page
    first = tab.locator("#mails li button").first
    first.wait_for(timeout=60_000)  # the digest of the scheduler's start, to HR people who have no Telegram
    tab.locator("#mails li button", has_text="Chronos").first.click()
    tab.locator("#mail-view[open]").wait_for()
    assert "List-Unsubscribe" in tab.inner_text("#mail-headers")
    assert ".xlsx" in tab.inner_text("#mail-attachments")
