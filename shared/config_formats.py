"""The formats of the settings whose value has parts: SCHEDULER_INTERVALS and SMTP_URL (and hiding a URL's password)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

_UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_intervals(value: str) -> dict[str, int | None]:
    """``"sync_devices=10s, hr_digest=2m, accrual=off"`` → ``{"sync_devices": 10, "hr_digest": 120, "accrual": None}``.

    Only the format is checked here; the scheduler refuses names that are not jobs.
    """
    found: dict[str, int | None] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, amount = (x.strip() for x in item.partition("="))
        if amount == "off" and name:
            found[name] = None
            continue
        number, unit = amount[:-1], amount[-1:]
        if not name or unit not in _UNITS or not number.isdigit() or int(number) < 1:
            raise ValueError(
                f"SCHEDULER_INTERVALS item {item!r} is not JOB=<n>s|<n>m|<n>h or JOB=off; e.g. 'sync_devices=10s'"
            )
        found[name] = int(number) * _UNITS[unit]
    return found


@dataclass(frozen=True)
class SmtpServer:
    """SMTP_URL taken apart: ``smtp://[user:pass@]host[:port][?starttls=1]`` or ``smtps://…`` (TLS at once)."""

    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool


def parse_smtp_url(value: str) -> SmtpServer:
    url = urlsplit(value)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise ValueError(
            f"SMTP_URL={redact_url(value)!r} is not smtp://[user:pass@]host[:port][?starttls=1] or smtps://…"
        )
    query = parse_qs(url.query)
    flag = (query.get("starttls") or ["0"])[0].lower()
    if flag not in ("0", "1", "true", "false", "yes", "no"):
        raise ValueError(f"SMTP_URL starttls={flag!r}; use starttls=1 or starttls=0")
    tls = url.scheme == "smtps"
    try:
        port = url.port or (465 if tls else 25)
    except ValueError as exc:
        raise ValueError(f"SMTP_URL={redact_url(value)!r} has a bad port") from exc
    return SmtpServer(
        host=url.hostname,
        port=port,
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=tls,
        start_tls=not tls and flag in ("1", "true", "yes"),
    )


def redact_url(url: str) -> str:
    _head, sep, tail = url.rpartition("@")
    return f"***@{tail}" if sep else url
