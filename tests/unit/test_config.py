"""Settings fail fast with one actionable line."""

from __future__ import annotations

import pytest

from shared.config import ConfigError, load_settings

PG = "postgresql+asyncpg://u:p@db:5432/chronos"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    for name in ("DATABASE_URL", "REDIS_URL", "API_SECRET_KEY", "STAGE", "COMPANY_TIMEZONE", "DEFAULT_LOCALE"):
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_describe_a_laptop_install():
    s = load_settings()
    assert s.database_url.startswith("sqlite+aiosqlite")
    assert s.redis_url == ""
    assert s.stage == "dev"
    assert s.effective_log_format == "console"


def test_prod_logs_are_json_by_default():
    assert load_settings(stage="prod", api_secret_key="x" * 32).effective_log_format == "json"


@pytest.mark.parametrize("secret", ["", "change-me", "CHANGEME", "secret", "  "])
def test_a_placeholder_secret_is_refused_in_prod(secret):
    with pytest.raises(ConfigError, match="API_SECRET_KEY"):
        load_settings(stage="prod", api_secret_key=secret)


def test_a_placeholder_secret_is_fine_in_dev():
    assert load_settings(stage="dev", api_secret_key="change-me").secret_key == "change-me"


@pytest.mark.parametrize(
    "url",
    ["not a url", "postgresql://u@h/db", "mysql+aiomysql://u@h/db", "postgresql+asyncpg://u@h", "sqlite:///x.db"],
    ids=["garbage", "sync-driver", "unsupported-database", "no-database-name", "sync-sqlite"],
)
def test_a_malformed_or_sync_database_url_is_refused(url):
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings(database_url=url)


def test_a_password_in_a_bad_url_is_not_echoed():
    with pytest.raises(ConfigError) as info:
        load_settings(database_url="mysql://user:hunter2@h/db")
    assert "hunter2" not in str(info.value)


def test_an_unknown_timezone_is_refused_with_an_example():
    with pytest.raises(ConfigError, match=r"COMPANY_TIMEZONE.*Europe/Berlin"):
        load_settings(company_timezone="Mars/Olympus")


@pytest.mark.parametrize("locale", ["xx", "de", "english"])
def test_an_unknown_or_untranslated_locale_is_refused(locale):
    with pytest.raises(ConfigError, match="DEFAULT_LOCALE"):
        load_settings(default_locale=locale)


def test_a_service_alone_in_prod_needs_redis():
    s = load_settings(stage="prod", api_secret_key="k" * 32, database_url=PG, telegram_bot_token="1:x")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        s.require_service_ready("bot")
    s.require_service_ready("all")  # one process may keep the in-process store


def test_the_bot_needs_a_token():
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        load_settings().require_service_ready("bot")


def test_webhook_mode_needs_a_public_url():
    s = load_settings(telegram_bot_token="1:x", bot_mode="webhook")
    with pytest.raises(ConfigError, match="WEBHOOK_URL"):
        s.require_service_ready("bot")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PG)
    monkeypatch.setenv("COMPANY_TIMEZONE", "Asia/Riyadh")
    s = load_settings()
    assert s.database_url == PG
    assert s.tz.key == "Asia/Riyadh"


def test_error_messages_are_one_line():
    with pytest.raises(ConfigError) as info:
        load_settings(digest_time="25:99")
    assert "\n" not in str(info.value)
    assert "HH:MM" in str(info.value)


def test_the_deadlines_have_defaults_and_must_be_positive():
    s = load_settings()
    assert (s.db_connect_timeout_seconds, s.db_pool_timeout_seconds, s.db_statement_timeout_seconds) == (5, 10, 30)
    assert (s.redis_connect_timeout_seconds, s.redis_socket_timeout_seconds) == (2, 5)
    assert (s.api_request_timeout_seconds, s.bot_lock_seconds, s.outbox_lease_seconds) == (20, 3, 5)
    with pytest.raises(ConfigError, match="DB_STATEMENT_TIMEOUT_SECONDS"):
        load_settings(db_statement_timeout_seconds=0)
