"""Console sessions in Redis: an opaque cookie value maps to who signed in, with an idle expiry.

The cookie carries a random token; Redis keeps only its SHA-256 (a dump of Redis signs nobody in). Each
request that finds the session pushes its expiry ``idle_seconds`` further; a session also ends
``max_seconds`` after it began, however busy. The CSRF token of the session's forms is stored with it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

from redis.asyncio import Redis

from shared.domain.enums import Role

COOKIE_TOKEN_BYTES = 32
MAX_COOKIE_LENGTH = 128


@dataclass(frozen=True)
class ConsoleSession:
    employee_id: int
    role: Role
    name: str
    locale: str
    csrf: str
    started_at: float
    via: str  # "code" or "telegram"


class ConsoleSessionStore:
    def __init__(self, redis: Redis, *, prefix: str, idle_seconds: int, max_seconds: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds

    def _key(self, token: str) -> str:
        return f"{self.prefix}:console:session:{hashlib.sha256(token.encode()).hexdigest()}"

    async def start(
        self, *, employee_id: int, role: Role, name: str, locale: str, via: str, now: datetime
    ) -> tuple[str, ConsoleSession]:
        """A new session: (the cookie value, the session)."""
        token = secrets.token_urlsafe(COOKIE_TOKEN_BYTES)
        session = ConsoleSession(employee_id, role, name, locale, secrets.token_urlsafe(24), now.timestamp(), via)
        await self.redis.set(self._key(token), json.dumps(asdict(session)), ex=self.idle_seconds)
        return token, session

    async def load(self, token: str | None, *, now: datetime) -> ConsoleSession | None:
        """The live session of a cookie value (its idle expiry renewed), or None."""
        if not token or len(token) > MAX_COOKIE_LENGTH:
            return None
        key = self._key(token)
        raw = await self.redis.get(key)
        if raw is None:
            return None
        doc = json.loads(raw)
        session = ConsoleSession(**{**doc, "role": Role(doc["role"])})
        if now.timestamp() - session.started_at > self.max_seconds:
            await self.redis.delete(key)
            return None
        await self.redis.expire(key, self.idle_seconds)
        return session

    async def update_locale(self, token: str, session: ConsoleSession, locale: str) -> ConsoleSession:
        changed = ConsoleSession(**{**asdict(session), "locale": locale})
        await self.redis.set(self._key(token), json.dumps(asdict(changed)), ex=self.idle_seconds)
        return changed

    async def end(self, token: str | None) -> None:
        if token and len(token) <= MAX_COOKIE_LENGTH:
            await self.redis.delete(self._key(token))
