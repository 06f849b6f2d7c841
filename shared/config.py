"""One Settings object for every service: the config contract of DESIGN.md, validated at start.

Every check fails fast with a one-line message that says what to change, because an operator reads it
in a container log: ``ConfigError: API_SECRET_KEY is a placeholder; set a random value ...``.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from shared.config_formats import parse_intervals, parse_smtp_url, redact_url
from shared.domain.enums import LatenessPeriod

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "ru", "ar")
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "placeholder", "dev-secret", "please-change-me", "xxx"}
)
ASYNC_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}
SERVICE_MODES = frozenset({"api", "bot", "scheduler"})


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names the variable and the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./chronos.db"
    redis_url: str = ""
    redis_prefix: str = "chronos"
    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = ""
    bot_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    company_timezone: str = "UTC"
    default_locale: str = "en"
    api_secret_key: str = ""
    stage: Literal["dev", "prod"] = "dev"
    log_format: Literal["console", "json", ""] = ""
    log_level: str = "INFO"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    cors_origins: str = ""
    hr_notify_decisions: bool = True
    device_sync_minutes: int = 5
    device_offline_minutes: int = 30
    device_sync_concurrency: int = 8
    device_clock_max_drift_seconds: int = 0
    # tell HR (once) when a device clock is off by more than this many seconds; 0 = never
    device_clock_alert_seconds: int = 300
    # a device sync (connect, read, store, clear, clock) gives up after this many seconds
    device_sync_deadline_seconds: float = 120.0
    # Redis leases of jobs and device syncs: renewed every third of this while held, free this long after a crash
    job_lock_ttl_seconds: float = 15.0
    digest_time: str = "08:00"
    # where the API is reached from outside (calendar apps fetch feeds at <this>/ical/<token>.ics); empty: no URLs
    public_base_url: str = ""
    group_post_time: str = "08:30"  # the morning "who's out" post to linked Telegram groups (company time)
    group_post_approvals: bool = False  # also post newly approved leave to the department's groups
    group_approvals_minutes: int = 5  # how often new approvals are looked for
    attendance_process_time: str = "00:30"
    reminder_pending_time: str = "09:00"
    escalate_after_days: int = 3
    checkout_reminder_minutes: int = 30
    bot_username: str = ""
    outbox_max_attempts: int = 8
    outbox_poll_seconds: float = 1.0
    outbox_lease_seconds: float = 5.0
    # Deadlines (see docs/reliability.md): nothing waits on a dependency without one.
    db_connect_timeout_seconds: float = 5.0
    db_pool_timeout_seconds: float = 10.0
    db_statement_timeout_seconds: float = 30.0
    redis_connect_timeout_seconds: float = 2.0
    redis_socket_timeout_seconds: float = 5.0
    telegram_timeout_seconds: float = 30.0
    api_request_timeout_seconds: float = 20.0
    # How long an API worker trusts a token it authenticated (0: ask the database on every request); a
    # revocation or deactivation made elsewhere (another worker, the CLI, the bot) takes effect within it.
    api_auth_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    bot_update_timeout_seconds: float = 20.0
    bot_lock_seconds: float = 3.0
    device_timeout_seconds: float = 10.0
    attendance_lookback_days: int = 14
    # Overtime: minutes beyond the shift count once they exceed the threshold; days off count whole.
    overtime_enabled: bool = True
    overtime_threshold_minutes: int = 30
    # Weekly overtime summary to managers (day of week, ISO 1 = Monday, at OVERTIME_SUMMARY_TIME).
    overtime_summary_weekday: int = 1
    overtime_summary_time: str = "09:30"
    # Approved overtime credits this leave type (its code; empty: decisions are recorded, nothing credited).
    toil_leave_type: str = "TOIL"
    toil_rate: Decimal = Decimal("1.0")
    toil_day_minutes: int = 480
    # Lateness policy: LATENESS_COUNT late arrivals (0 = off) within LATENESS_PERIOD (month | rolling30).
    lateness_count: int = 0
    lateness_period: LatenessPeriod = LatenessPeriod.MONTH
    lateness_deduct_days: Decimal = Decimal(0)
    lateness_leave_type: str = ""
    checkout_scan_minutes: int = 10
    ledger_time: str = "00:15"
    scheduler_misfire_grace_seconds: int = 300
    # The HR console (docs/console.md): the public base URL the bot's menu button opens (empty: no button)
    console_url: str = ""
    console_idle_seconds: int = 1800
    console_max_hours: int = 12
    console_code_minutes: int = 10
    console_init_data_max_age_seconds: int = 300
    console_refresh_seconds: int = 30
    # who may show the console in a frame besides itself (Telegram Web runs Mini Apps in an iframe)
    console_frame_ancestors: str = "https://web.telegram.org"
    # "sync_devices=10s,hr_digest=2m,accrual=off": run a job every interval instead of its schedule (demo, tests)
    scheduler_intervals: str = ""
    # people who left more than this many years ago are anonymised (nightly at RETENTION_TIME); 0 = never
    retention_years: int = 0
    retention_time: str = "03:30"
    # comma-separated jobs to run once when the scheduler starts (e.g. "accrual,carry_over" to catch up)
    scheduler_run_at_start: str = ""
    # E-mail (docs/email.md): empty SMTP_URL = no e-mail channel. smtp://user:pass@host:587?starttls=1, smtps://…
    smtp_url: str = ""
    mail_from: str = ""
    smtp_timeout_seconds: float = 30.0
    # a CA bundle (PEM) to trust for the SMTP server's certificate, e.g. a company CA; empty: the system's
    smtp_ca_file: str = ""
    mail_link_hours: int = 72

    @property
    def telegram_file_base_url(self) -> str:
        """TELEGRAM_FILE_URL, or the file URL that goes with TELEGRAM_API_URL (``…/bot`` → ``…/file/bot``)."""
        if self.telegram_file_url:
            return self.telegram_file_url
        base = self.telegram_api_url.rstrip("/")
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"

    @field_validator("company_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"COMPANY_TIMEZONE={value!r} is not an IANA time zone; use e.g. 'Europe/Berlin' or 'UTC'"
            ) from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"DEFAULT_LOCALE={value!r} is not a locale; use one of {SUPPORTED_LOCALES}") from exc
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"DEFAULT_LOCALE={value!r} has no catalog; use one of {SUPPORTED_LOCALES}")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(
                f"DATABASE_URL={redact_url(value)!r} is malformed; "
                "use e.g. 'postgresql+asyncpg://user:pass@host:5432/db' or 'sqlite+aiosqlite:///./chronos.db'"
            ) from exc
        if url.drivername not in ASYNC_DRIVERS:
            raise ValueError(f"DATABASE_URL uses driver {url.drivername!r}; use one of {sorted(ASYNC_DRIVERS)}")
        if url.drivername.startswith("postgresql") and not url.database:
            raise ValueError("DATABASE_URL names no database; append '/<dbname>'")
        return value

    @field_validator(
        "digest_time",
        "attendance_process_time",
        "reminder_pending_time",
        "ledger_time",
        "overtime_summary_time",
        "group_post_time",
        "retention_time",
    )
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError(f"{value!r} is not a time of day; use HH:MM such as '08:00'")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"PUBLIC_BASE_URL={value!r} is not a URL; use e.g. 'https://chronos.example.com'")
        return value.rstrip("/")

    @property
    def feed_domain(self) -> str:
        """The domain part of calendar event UIDs: the public host, so UIDs stay the same across restarts."""
        return urlsplit(self.public_base_url).hostname or "chronos.invalid"

    @field_validator("scheduler_intervals")
    @classmethod
    def _intervals(cls, value: str) -> str:
        parse_intervals(value)
        return value

    @field_validator(
        "checkout_scan_minutes", "attendance_lookback_days", "device_timeout_seconds", "outbox_lease_seconds",
        "db_connect_timeout_seconds", "db_pool_timeout_seconds", "db_statement_timeout_seconds",
        "redis_connect_timeout_seconds", "redis_socket_timeout_seconds", "telegram_timeout_seconds",
        "api_request_timeout_seconds", "bot_update_timeout_seconds", "bot_lock_seconds",
        "device_sync_deadline_seconds", "smtp_timeout_seconds", "mail_link_hours", "group_approvals_minutes",
    )  # fmt: skip
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"{value} must be positive")
        return value

    @field_validator("job_lock_ttl_seconds")
    @classmethod
    def _lock_ttl(cls, value: float) -> float:
        if value < 3:
            raise ValueError(f"JOB_LOCK_TTL_SECONDS={value} is too short; use at least 3 (it is renewed every third)")
        return value

    @field_validator("overtime_summary_weekday")
    @classmethod
    def _weekday(cls, value: int) -> int:
        if not 1 <= value <= 7:
            raise ValueError(f"OVERTIME_SUMMARY_WEEKDAY={value} must be 1 (Monday) to 7 (Sunday)")
        return value

    @field_validator("toil_day_minutes")
    @classmethod
    def _day_minutes(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"TOIL_DAY_MINUTES={value} must be at least 1")
        return value

    @field_validator("toil_rate", "lateness_deduct_days")
    @classmethod
    def _not_negative_amount(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError(f"{value} must be 0 or more")
        return value

    @field_validator("device_clock_alert_seconds", "overtime_threshold_minutes", "lateness_count", "retention_years")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"{value} must be 0 (off) or more")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        if value:
            parse_smtp_url(value)
        return value

    @model_validator(mode="after")
    def _mail_from(self) -> Settings:
        if self.smtp_url and "@" not in self.mail_from:
            raise ValueError(
                "SMTP_URL is set but MAIL_FROM is not an address; set e.g. MAIL_FROM='Chronos <hr@example.com>'"
            )
        return self

    @model_validator(mode="after")
    def _prod_secret(self) -> Settings:
        if self.stage == "prod" and self.api_secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "API_SECRET_KEY is empty or a placeholder while STAGE=prod; "
                "set a random value, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return self

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.stage == "prod" else "console")

    @property
    def secret_key(self) -> str:
        """Pepper for token/invitation hashes; a fixed dev value is acceptable only outside prod."""
        return self.api_secret_key or "chronos-dev-only-pepper"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.company_timezone)

    @property
    def scheduler_interval_overrides(self) -> dict[str, int | None]:
        """SCHEDULER_INTERVALS as {job: seconds}; ``None`` = the job is off."""
        return parse_intervals(self.scheduler_intervals)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_url)

    @property
    def mail_link_base(self) -> str:
        """The base of links in e-mails: PUBLIC_BASE_URL, else the API's own address."""
        return self.public_base_url or f"http://{self.api_host}:{self.api_port}"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    def require_service_ready(self, mode: str) -> None:
        """Checks that only matter once we know how the process runs (one service alone vs. all-in-one)."""
        if mode in SERVICE_MODES and self.stage == "prod" and not self.redis_url:
            raise ConfigError(
                f"REDIS_URL is empty but `chronos {mode}` runs on its own in prod; "
                "services that run apart must share a Redis, e.g. REDIS_URL=redis://redis:6379/0"
            )
        if mode in {"bot", "all"} and not self.telegram_bot_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is empty; get one from @BotFather and set it")
        if mode in {"bot", "all"} and self.bot_mode == "webhook" and not self.webhook_url:
            raise ConfigError("BOT_MODE=webhook needs WEBHOOK_URL (the public https URL Telegram posts to)")


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment (and .env); turn pydantic's report into one actionable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first.get("msg", exc)).removeprefix("Value error, ")
        field = ".".join(str(p) for p in first.get("loc", ()))
        if field and field.upper() not in message:
            message = f"{field.upper()}: {message}"
        raise ConfigError(message) from None


@functools.cache
def get_settings() -> Settings:
    return load_settings()
