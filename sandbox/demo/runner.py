"""`chronos demo`: the whole product offline in one process.

A fresh SQLite database with the demo company, the Telegram Bot API emulator, two ZK device emulators
(TCP and UDP, different time zones) holding two weeks of punches, one sync and the processing of the
past days at start, then the API, the bot and the scheduler (short intervals) of `chronos all`, the web
chat, and a trickle of live punches. Everything stops on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from sandbox.demo.day_plan import PlannedPunch, due_punches
from sandbox.demo.punches import UNKNOWN_BADGE, Badge, device_records, stranger_records, users_for
from sandbox.demo.seed import PEOPLE, seed_demo
from sandbox.demo.status import demo_status
from sandbox.demo.workflows import show_workflows
from sandbox.telegram import TelegramEmulator
from sandbox.webchat.app import Persona, create_webchat_app
from sandbox.zk import DeviceConfig, EmulatedRecord, ZKEmulator
from shared.config import Settings, load_settings
from shared.domain.enums import DeviceProtocol, TokenRole
from shared.errors import ChronosError
from shared.model import Device, Employee, LeaveType
from shared.persistence import Database
from shared.persistence.migrate import upgrade_async
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.devices.sync import SyncOptions, sync_devices
from shared.services.leave.balances import accrue_month, allocate_year
from shared.services.org.tokens import create_token

log = logging.getLogger(__name__)
ZONE = "Europe/Berlin"
# code → (telegram user id, title shown in the web chat); each is linked to the bot from the start
PERSONAS = {
    "E006": (700006, "Engineer · employee"),
    "E004": (700004, "Head of Engineering · manager"),
    "E002": (700002, "HR partner"),
    "E007": (700007, "Engineer · employee (Arabic)"),
}
OFFICE = (52.5201, 13.4049)
STATUS_SECONDS = 5.0


@dataclass
class DemoPorts:
    web: int = 8080
    api: int = 8000
    telegram: int = 8081
    zk_tcp: int = 4370
    zk_udp: int = 4371
    smtp: int = 8025


@dataclass
class DemoInfo:
    web_url: str
    api_url: str
    telegram_url: str
    token: str
    smtp_url: str = ""
    devices: list[str] = field(default_factory=list)
    personas: list[Persona] = field(default_factory=list)


def demo_environment(
    database_url: str, ports: DemoPorts, telegram_url: str, token: str, smtp_port: int | None = None
) -> dict[str, str]:
    """What the services read from the environment in the demo (set before any Settings is built)."""
    return {
        # e-mail to the demo's own SMTP server; people without Telegram (most of the company) get e-mail
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port or ports.smtp}?starttls=0",
        "MAIL_FROM": "Chronos demo <chronos@demo.example>",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": f"{telegram_url}/bot",
        "TELEGRAM_FILE_URL": f"{telegram_url}/file/bot",
        "BOT_MODE": "polling",
        "API_HOST": "127.0.0.1",
        "API_PORT": str(ports.api),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports.api}",  # /feed links a calendar app on this machine can open
        "CONSOLE_URL": f"http://127.0.0.1:{ports.api}",  # the managers' menu button opens the console
        "CONSOLE_FRAME_ANCESTORS": f"http://127.0.0.1:{ports.web}",  # the web chat shows it in a frame
        "COMPANY_TIMEZONE": ZONE,
        "STAGE": "dev",
        "OUTBOX_POLL_SECONDS": "0.3",
        # the lateness policy the demo shows: 3 late arrivals within 30 days cost half a day of annual leave
        "LATENESS_COUNT": "3",
        "LATENESS_PERIOD": "rolling30",
        "LATENESS_DEDUCT_DAYS": "0.5",
        "LATENESS_LEAVE_TYPE": "ANNUAL",
        "SCHEDULER_RUN_AT_START": "hr_digest",
        "SCHEDULER_INTERVALS": ",".join(
            [
                "sync_devices=20s",
                "process_attendance=2m",
                "checkout_reminders=2m",
                "approval_reminders=10m",
                "hr_digest=off",
            ]
        ),
    }


async def prepare_database(url: str, today: date, *, keep: bool = False) -> tuple[Database, str]:
    """Schema, company, balances, linked personas and an admin token; returns the token. With ``keep`` and a
    database that already holds the company, only the schema is brought up to date and a new token is made."""
    await upgrade_async(url)
    db = Database.from_url(url)
    actor = Actor.system("demo")
    async with db.transaction() as session:
        seeded = keep and bool(await session.scalar(select(func.count(Employee.id))))
        if not seeded:
            await seed_demo(session, today=today, actor=actor)
            await allocate_year(session, year=today.year, actor=actor)
            monthly = await session.scalar(select(LeaveType.id).where(LeaveType.accrual == "monthly"))
            if monthly is not None:
                for month in range(1, today.month + 1):
                    await accrue_month(session, year=today.year, month=month, actor=actor)
            for code, (telegram_id, _title) in PERSONAS.items():
                employee = await session.scalar(select(Employee).where(Employee.code == code))
                assert employee is not None
                employee.telegram_user_id = telegram_id
        name = "demo" if not seeded else f"demo-{datetime.now(UTC):%Y%m%d-%H%M%S}"
        _row, token = await create_token(
            session, name=name, role=TokenRole.ADMIN, pepper=load_settings().secret_key, actor=actor
        )
    return db, token


def badges() -> tuple[list[Badge], list[Badge]]:
    """The office device (Engineering + People & Finance) and the warehouse device: every badge enrolled."""
    office, warehouse = [], []
    for index, (_code, name, department, _m, _r, _l, shift) in enumerate(PEOPLE, 1):
        badge = Badge(str(index), name, night=shift == "Night")
        (warehouse if department == "Warehouse" else office).append(badge)
    return office, warehouse


def punching(people: list[Badge]) -> list[Badge]:
    """The badges that punch on the devices: not the personas, whose check-ins are the visitor's to make."""
    personas = {str(index) for index, row in enumerate(PEOPLE, 1) if row[0] in PERSONAS}
    return [b for b in people if b.device_user_id not in personas]


def records_of(punches: list[PlannedPunch], zone: str) -> list[EmulatedRecord]:
    device_zone = ZoneInfo(zone)
    return [
        EmulatedRecord(p.device_user_id, p.moment.astimezone(device_zone).replace(tzinfo=None), status=1, punch=p.code)
        for p in punches
    ]


def start_devices(ports: DemoPorts, today: date, now: datetime) -> tuple[ZKEmulator, ZKEmulator]:
    office, warehouse = badges()
    london = "Europe/London"
    # the history holds everyone (the personas' past weeks too: their corrections and overtime are shown);
    # today's punches and the live ones leave the personas out: they check in when the visitor does
    office_records = device_records(office, zone=ZONE, today=today, now=now) + records_of(
        due_punches(punching(office), after=None, until=now, since_yesterday=False), ZONE
    )
    warehouse_records = (
        device_records(warehouse, zone=london, today=today, now=now)
        + stranger_records(zone=london, today=today)
        + records_of(due_punches(punching(warehouse), after=None, until=now, since_yesterday=False), london)
    )
    hq = ZKEmulator(DeviceConfig(
        serial="CHR-HQ-0001", device_name="HQ entrance", users=users_for(office), records=office_records,
        record_size=40, timezone=ZONE, port=ports.zk_tcp, tcp=True, udp=False,
    ))  # fmt: skip
    depot = ZKEmulator(DeviceConfig(
        serial="CHR-WH-0002", device_name="Warehouse gate", users=users_for(warehouse, extra=[UNKNOWN_BADGE]),
        records=warehouse_records, record_size=16, user_size=72, timezone=london,
        port=ports.zk_udp, tcp=False, udp=True,
    ))  # fmt: skip
    return hq.start(), depot.start()


async def register_devices(db: Database, hq: ZKEmulator, depot: ZKEmulator) -> list[int]:
    """The two devices (a kept database has them already: they are pointed at this run's emulators)."""
    wanted = [
        Device(name="HQ entrance", host=hq.host, port=hq.port, protocol=DeviceProtocol.TCP, timezone=ZONE,
               location="Berlin HQ, ground floor"),
        Device(name="Warehouse gate", host=depot.host, port=depot.port, protocol=DeviceProtocol.UDP,
               timezone="Europe/London", location="London depot"),
    ]  # fmt: skip
    async with db.transaction() as session:
        ids = []
        for device in wanted:
            existing = await session.scalar(select(Device).where(Device.name == device.name))
            if existing is None:
                session.add(device)
                await session.flush()
                ids.append(device.id)
            else:
                existing.host, existing.port = device.host, device.port
                ids.append(existing.id)
        return ids


async def catch_up(
    db: Database, settings: Settings, device_ids: list[int], today: date, *, showcase: bool = True
) -> None:
    """One sync of both devices and the processing of the past two weeks (and today so far)."""
    results = await sync_devices(db, device_ids=device_ids, options=SyncOptions.from_settings(settings))
    for result in results:
        log.info("demo sync %s: %s new punches (%s unmatched)", result.name, result.new, result.unmatched)
    async with db.transaction() as session:
        stats = await process_days(
            session, date_from=today - timedelta(days=14), date_to=today, now=datetime.now(UTC), company_timezone=ZONE
        )
    log.info("demo processed %d employee-days", stats.rows_written)
    if not showcase:  # a kept database shows them already
        return
    try:
        shown = await show_workflows(db, settings, today=today, now=datetime.now(UTC))
    except ChronosError as exc:  # a showcase only: the demo runs on without it
        log.warning("demo workflows not shown: %s", exc)
    else:
        log.info("demo workflows: %s", shown)


async def live_punches(
    devices: tuple[ZKEmulator, ZKEmulator],
    stop: asyncio.Event,
    *,
    since: datetime,
    every: float = 10.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """The day goes on: the punches of each person's shift are written to their device as they fall due."""
    office, warehouse = badges()
    plan = ((devices[0], punching(office), ZONE), (devices[1], punching(warehouse), "Europe/London"))
    last = since
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except TimeoutError:
            now = clock()
            for device, people, zone in plan:
                due = due_punches(people, after=last, until=now)
                if due:
                    device.add_records(records_of(due, zone))
            last = now


async def run_demo(
    *,
    data_dir: Path,
    ports: DemoPorts,
    stop: asyncio.Event,
    on_ready: Callable[[DemoInfo], None] | None = None,
    keep: bool = False,
    on_status: Callable[[dict[str, Any]], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> None:
    """Run the demo until ``stop``; ``on_step`` hears each start-up step, ``on_status`` the side panel's
    numbers every few seconds once it runs."""
    from chronos_cli.all_in_one import api_server, run_services, serving

    try:
        from sandbox.mail.server import LocalSmtpServer
    except ModuleNotFoundError as exc:  # aiosmtpd comes with the demo extra
        raise RuntimeError("chronos demo needs aiosmtpd: `make install`, or pip install 'chronos-hr[demo]'") from exc

    step = on_step or (lambda _text: None)
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / "demo.db"
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{database}"
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(ZONE)).date()
    mail = await LocalSmtpServer(port=ports.smtp).start()
    try:
        async with TelegramEmulator(port=ports.telegram) as telegram:
            os.environ.update(demo_environment(url, ports, telegram.url, telegram.token, mail.port))
            from shared.config import get_settings

            get_settings.cache_clear()
            settings = load_settings()
            kept = keep and database.exists()
            step("Preparing the database" + (" (kept from the last run)" if kept else ""))
            db, token = await prepare_database(url, today, keep=keep)
            devices = start_devices(ports, today, now)
            try:
                device_ids = await register_devices(db, *devices)
                step("Reading two weeks of punches from the emulated devices")
                await catch_up(db, settings, device_ids, today, showcase=not kept)
                personas = await _personas(db, telegram)
                web = create_webchat_app(
                    control_url=telegram.url,
                    personas=personas,
                    status=lambda: demo_status(db, ZONE),
                    mailbox=mail.mailbox,
                    links={
                        "HR console": f"http://127.0.0.1:{ports.api}/console",
                        "API docs": f"http://127.0.0.1:{ports.api}/docs",
                        "Metrics (send the demo token as a Bearer token)": f"http://127.0.0.1:{ports.api}/metrics",
                        "Health": f"http://127.0.0.1:{ports.api}/health/ready",
                        "token": token,
                    },
                    bot_token=telegram.token,
                )
                web_server = api_server(settings, web, host="127.0.0.1", port=ports.web)
                step("Starting the API, the bot, the scheduler and the web chat")
                async with serving(web_server, stop):
                    info = DemoInfo(
                        web_url=f"http://127.0.0.1:{ports.web}",
                        api_url=f"http://127.0.0.1:{ports.api}",
                        telegram_url=telegram.url,
                        smtp_url=f"smtp://127.0.0.1:{mail.port}",
                        token=token,
                        devices=[f"HQ entrance tcp://{devices[0].host}:{devices[0].port}", f"Warehouse gate udp://{devices[1].host}:{devices[1].port}"],
                        personas=personas,
                    )  # fmt: skip

                    async def announce(stop_event: asyncio.Event) -> None:
                        await asyncio.sleep(1.0)
                        if on_ready:
                            on_ready(info)

                    async def trickle(stop_event: asyncio.Event) -> None:
                        await live_punches(devices, stop_event, since=now)

                    async def status(stop_event: asyncio.Event) -> None:
                        while on_status is not None and not stop_event.is_set():
                            with contextlib.suppress(Exception):  # a status line never stops the demo
                                on_status(await demo_status(db, ZONE))
                            with contextlib.suppress(TimeoutError):
                                await asyncio.wait_for(stop_event.wait(), timeout=STATUS_SECONDS)

                    await run_services(settings, stop, extra=[announce, trickle, status])
            finally:
                for device in devices:
                    device.stop()
                await db.dispose()
    finally:
        await mail.stop()


async def _personas(db: Database, telegram: TelegramEmulator) -> list[Persona]:
    personas = []
    async with db.session() as session, telegram.client() as client:
        for code, (telegram_id, title) in PERSONAS.items():
            employee = await session.scalar(select(Employee).where(Employee.code == code))
            assert employee is not None
            locale = employee.locale or "en"
            first, _, last = employee.full_name.partition(" ")
            await client.ensure_user(telegram_id, first, last_name=last or None, language_code=locale)
            personas.append(Persona(telegram_id, employee.full_name, employee.role.value, locale, title, OFFICE))
    return personas


def summary(info: DemoInfo) -> list[tuple[str, Any]]:
    return [
        ("Web chat", info.web_url),
        ("HR console (or the managers' menu button in the chat)", f"{info.api_url}/console"),
        ("API docs", f"{info.api_url}/docs"),
        ("Metrics (Bearer: the demo token)", f"{info.api_url}/metrics"),
        ("Telegram emulator", info.telegram_url),
        ("SMTP server (mails shown in the web chat)", info.smtp_url),
        ("Demo API token (admin)", info.token),
        *(("Device", d) for d in info.devices),
        *(("Persona", f"{p.name} — {p.title} ({p.locale})") for p in info.personas),
    ]
