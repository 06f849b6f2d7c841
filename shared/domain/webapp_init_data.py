"""Telegram Mini App ``initData``: checking its signature and age, and signing one (the demo and the tests).

Telegram's rule (core.telegram.org/bots/webapps, "Validating data received via the Mini App"): the
``data_check_string`` is every field but ``hash``, as ``key=value`` lines sorted by key and joined by
``\\n``; ``secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token)``; the data is genuine when
``hex(HMAC_SHA256(key=secret_key, msg=data_check_string)) == hash``. ``auth_date`` (Unix seconds) says when
Telegram signed it; older than ``max_age`` is refused, so a leaked URL stops working soon.

Pure: no clock reads (``now`` is passed), no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

MAX_INIT_DATA_LENGTH = 4096
CLOCK_SKEW_SECONDS = 30  # a signature a little "from the future" is a clock difference, not an attack


class InitDataRefused(ValueError):
    """Why ``initData`` was refused: ``reason`` is one of malformed, signature, expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    telegram_user_id: int
    first_name: str
    language_code: str | None
    auth_date: int


def _secret(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signature(fields: dict[str, str], bot_token: str) -> str:
    return hmac.new(_secret(bot_token), data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def verify_init_data(raw: str, *, bot_token: str, now: datetime, max_age_seconds: int) -> WebAppUser:
    """The Telegram user ``raw`` speaks for, or :class:`InitDataRefused`."""
    if not raw or len(raw) > MAX_INIT_DATA_LENGTH or not bot_token:
        raise InitDataRefused("malformed")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise InitDataRefused("malformed") from exc
    fields = dict(pairs)
    if len(fields) != len(pairs) or "hash" not in fields:
        raise InitDataRefused("malformed")
    if not hmac.compare_digest(signature(fields, bot_token), fields["hash"]):
        raise InitDataRefused("signature")
    try:
        auth_date = int(fields.get("auth_date", ""))
        user = json.loads(fields.get("user", ""))
        user_id = int(user["id"])
    except (ValueError, TypeError, KeyError) as exc:
        raise InitDataRefused("malformed") from exc
    age = now.timestamp() - auth_date
    if age > max_age_seconds or age < -CLOCK_SKEW_SECONDS:
        raise InitDataRefused("expired")
    language = user.get("language_code")
    return WebAppUser(
        user_id, str(user.get("first_name", "")), language if isinstance(language, str) else None, auth_date
    )


def sign_init_data(*, user: dict[str, object], bot_token: str, now: datetime, query_id: str = "") -> str:
    """A valid ``initData`` string for ``user`` signed with ``bot_token`` at ``now`` (what Telegram sends)."""
    fields = {"auth_date": str(int(now.timestamp())), "user": json.dumps(user, separators=(",", ":"))}
    if query_id:
        fields["query_id"] = query_id
    fields["hash"] = signature(fields, bot_token)
    return urlencode(fields)
