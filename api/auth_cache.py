"""A short in-process memory of authenticated tokens, so a busy integration does not cost a query per request.

An entry is the token's :class:`~shared.services.org.tokens.TokenGrant` (who, which role, its expiry, its
employee's access facts) keyed by the token's keyed hash, kept for ``API_AUTH_CACHE_SECONDS``. Each hit is
checked again against the clock (expiry, leaving date), so only a *revocation* or a *deactivation* can go
unnoticed, and only for that long: that is the revocation budget (docs/performance.md). The worker that
serves a revocation, a deactivation or an employee change forgets everything at once; the other workers
(``chronos api --workers N``) and changes made by the CLI or the bot are bounded by the TTL.
``API_AUTH_CACHE_SECONDS=0`` turns the memory off.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.services.org.tokens import TokenGrant

MAX_ENTRIES = 10_000  # tokens are few; a flood of distinct bad tokens is never stored (only live ones are)


class AuthCache:
    """Grants by token digest, each trusted from the request instant it was read for ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.ttl = timedelta(seconds=seconds)
        self._entries: dict[str, tuple[datetime, TokenGrant]] = {}

    def get(self, digest: str, *, now: datetime) -> TokenGrant | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if not entry[0] <= now < entry[0] + self.ttl:  # expired, or the clock went back
            del self._entries[digest]
            return None
        return entry[1]

    def put(self, digest: str, grant: TokenGrant, *, now: datetime) -> None:
        if not self.ttl:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (now, grant)

    def clear(self) -> None:
        """Forget every token (a token was revoked, an employee deactivated or changed)."""
        self._entries.clear()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ForgetTokensOnWrite:
    """Pure ASGI middleware: after any successful write (the route's transaction has committed by the time
    its answer starts) the worker forgets every cached token, so a revocation, a deactivation or a changed
    leaving date served here takes effect on the next request. Writes are rare next to reads; the price
    is one token query per cached token afterwards."""

    def __init__(self, app: ASGIApp, *, cache: AuthCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_and_forget(message: Message) -> None:
            if message["type"] == "http.response.start" and int(message["status"]) < 400:
                self.cache.clear()
            await send(message)

        await self.app(scope, receive, send_and_forget)
