"""Telegram Mini App initData: accepted when signed with the bot token as Telegram specifies and fresh;
refused when tampered with, signed by another bot, malformed or too old."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.webapp_init_data import InitDataRefused, sign_init_data, verify_init_data

TOKEN = "123456:console-test-token"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def init_data(user_id: int, *, at: datetime = NOW, token: str = TOKEN) -> str:
    return sign_init_data(user={"id": user_id, "first_name": "Max"}, bot_token=token, now=at)


def test_init_data_signed_with_the_bot_token_is_accepted_and_names_the_user():
    now = NOW
    user = verify_init_data(
        init_data(9002, at=now), bot_token=TOKEN, now=now + timedelta(seconds=10), max_age_seconds=300
    )
    assert user.telegram_user_id == 9002 and user.first_name == "Max"


def test_the_check_follows_telegrams_recipe_byte_for_byte():
    """secret = HMAC_SHA256(key="WebAppData", msg=token); hash = HMAC_SHA256(secret, sorted key=value lines)."""
    now = NOW
    fields = dict(parse_qsl(init_data(7, at=now)))
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    assert fields["hash"] == hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda f: {**f, "user": f["user"].replace("7", "8")}, "signature"),  # someone else's id
        (lambda f: {**f, "auth_date": str(int(f["auth_date"]) + 1)}, "signature"),
        (lambda f: {**f, "hash": "0" * 64}, "signature"),
        (lambda f: {k: v for k, v in f.items() if k != "hash"}, "malformed"),
    ],
)
def test_tampered_init_data_is_refused(tamper, reason):
    now = NOW
    fields = dict(parse_qsl(init_data(7, at=now)))
    with pytest.raises(InitDataRefused) as refused:
        verify_init_data(urlencode(tamper(fields)), bot_token=TOKEN, now=now, max_age_seconds=300)
    assert refused.value.reason == reason


def test_init_data_signed_by_another_bot_or_too_old_is_refused():
    now = NOW
    with pytest.raises(InitDataRefused, match="signature"):
        verify_init_data(init_data(7, at=now, token="999:other"), bot_token=TOKEN, now=now, max_age_seconds=300)
    with pytest.raises(InitDataRefused, match="expired"):
        verify_init_data(init_data(7, at=now), bot_token=TOKEN, now=now + timedelta(seconds=301), max_age_seconds=300)
    with pytest.raises(InitDataRefused, match="expired"):
        verify_init_data(init_data(7, at=now + timedelta(hours=1)), bot_token=TOKEN, now=now, max_age_seconds=300)


@given(st.text(max_size=300))
def test_any_text_is_either_refused_with_a_reason_or_never_accepted_without_the_signature(raw):
    try:
        verify_init_data(raw, bot_token=TOKEN, now=NOW, max_age_seconds=300)
    except InitDataRefused as refused:
        assert refused.reason in {"malformed", "signature", "expired"}
    else:
        raise AssertionError("unsigned text was accepted")
