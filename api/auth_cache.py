"""A short in-process memory of authenticated tokens, so a busy integration does not cost a query per request.

An entry is the token's :class:`~shared.services.org.tokens.TokenGrant` (who, which role, its expiry, its
employee's access facts) keyed by the token's keyed hash, kept for ``API_AUTH_CACHE_SECONDS``. Each hit is
checked again against the clock (expiry, leaving date), so only a *revocation* or a *deactivation* can go
unnoticed, and only for that long: that is the revocation budget (docs/performance.md). The worker that
serves a revocation, a deactivation or an employee change forgets everything at once (any successful
write does: ``api.middleware.RequestMiddleware``); the other workers
(``chronos api --workers N``) and changes made by the CLI or the bot are bounded by the TTL.
``API_AUTH_CACHE_SECONDS=0`` turns the memory off.

A token that is not remembered is looked up once at a time: requests that need the same token while its
lookup is in flight wait for that lookup instead of each running their own (when an entry of a busy token
expires, every request in flight would otherwise miss at once, and each would also note the token's use).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from shared.services.org.tokens import TokenGrant

MAX_ENTRIES = 10_000  # tokens are few; a flood of distinct bad tokens is never stored (only live ones are)


_RETRY = object()  # the outcome of a lookup whose request was cancelled: a waiter looks the token up itself


class AuthCache:
    """Grants by token digest, each trusted from the request instant it was read for ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.ttl = timedelta(seconds=seconds)
        self._entries: dict[str, tuple[datetime, TokenGrant]] = {}
        self._lookups: dict[str, asyncio.Future[object]] = {}  # by digest: the lookup in flight
        self._generation = 0  # bumped by clear(): a lookup begun before a clear is neither joined nor kept

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
        self._lookups.clear()  # lookups in flight may have read before the change: later requests don't wait
        self._generation += 1

    async def load(
        self, digest: str, lookup: Callable[[], Awaitable[TokenGrant | None]], *, now: datetime
    ) -> TokenGrant | None:
        """The grant ``lookup`` finds for ``digest`` (None: refuse the token), one lookup per token at a time.

        A request that finds a lookup of its token in flight waits for its outcome (an error included);
        otherwise it runs ``lookup`` itself and keeps a grant it returns (unless the cache was cleared
        meanwhile: the read may predate the write that cleared it). ``lookup`` returns only a live grant.
        """
        while True:
            pending = self._lookups.get(digest)
            if pending is None:
                break
            # shield: a waiter given up (its client left, its budget ran out) must not cancel the lookup
            outcome = await asyncio.shield(pending)
            if outcome is _RETRY:
                continue
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome  # type: ignore[return-value]
        if not self.ttl:
            return await lookup()
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._lookups[digest] = future
        generation = self._generation
        try:
            grant = await lookup()
        except asyncio.CancelledError:
            future.set_result(_RETRY)
            raise
        except Exception as error:
            future.set_result(error)  # a result, not set_exception: nobody waiting is not an error
            raise
        else:
            future.set_result(grant)
            if grant is not None and generation == self._generation:
                self.put(digest, grant, now=now)
            return grant
        finally:
            if self._lookups.get(digest) is future:
                del self._lookups[digest]
