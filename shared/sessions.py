"""Per-user conversation sessions in Redis, shared by every bot replica, and the per-user lock.

A session is a small JSON document (the flow the user is in, its step and collected answers) stored
under one key with a TTL and a version. Every update of a user runs under that user's lock, so two
replicas never interleave one user's updates.

The lock is short (``ttl``, BOT_LOCK_SECONDS) and renewed in the background while its holder works, so a
holder that dies frees the user within seconds. It is also a fence: a save made under the lock checks,
atomically with the write, that the lock is still ours (a holder that stalled past its TTL and lost the
lock to another replica writes nothing); the version lets a writer notice it lost a race.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError

from shared.errors import N_, Conflict

log = logging.getLogger(__name__)

# Renew our lock; take it again if it expired meanwhile and nobody took it (Redis was away for a while).
_RENEW = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# Take the lock and, when it was free, read the session and whether KEYS[3] exists: one round trip.
_ACQUIRE_AND_LOAD = """
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
return {1, redis.call('exists', KEYS[3]), redis.call('get', KEYS[2])}
"""
ACQUIRE_POLL_SECONDS = 0.05


@dataclass
class UserSession:
    user_id: int
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0

    @property
    def flow(self) -> str | None:
        return self.data.get("flow")

    @property
    def step(self) -> str | None:
        return self.data.get("step")


class SessionBusy(Conflict):
    """Another update of the same user holds the lock for too long."""


class LockLost(Conflict):
    """The user's lock expired while we worked and someone else may hold it: nothing was written."""


def _lost() -> Conflict:
    return Conflict(N_("This conversation changed elsewhere; please start the step again."))


class UserLock:
    """A held user lock: its key, our token, and whether a renewal found it gone."""

    def __init__(self, redis: Redis, key: str, token: str, ttl_ms: int) -> None:
        self.redis = redis
        self.key = key
        self.token = token
        self.ttl_ms = ttl_ms
        self.lost = False
        self.session: UserSession | None = None
        """The session as read when the lock was taken (``SessionStore.lock(..., marker=)``)."""
        self.marked = False
        """Whether the ``marker`` key existed when the lock was taken."""

    async def renew(self) -> bool:
        ok = bool(await self.redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))
        self.lost = self.lost or not ok
        return ok

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.key, self.token)

    async def keep(self) -> None:
        """Renew every third of the TTL until cancelled (or the lock is gone)."""
        while not self.lost:
            await asyncio.sleep(self.ttl_ms / 3000)
            try:
                await self.renew()
            except (RedisError, OSError):
                log.warning("could not renew a user lock", exc_info=True)
        log.warning("a user lock expired while its update was handled", extra={"lock": self.key})

    def check(self, current: str | bytes | None) -> None:
        """Raise :class:`LockLost` unless ``current`` (the lock key's value) is our token, or nobody's (it
        expired while Redis was away: the save takes it again, atomically, and the session's version
        still tells whether anybody wrote meanwhile)."""
        if isinstance(current, bytes):
            current = current.decode()
        if current is not None and current != self.token:
            self.lost = True
            raise LockLost(N_("This conversation changed elsewhere; please start the step again."))

    def retake(self, pipe: Pipeline) -> None:
        """Inside a fenced transaction: hold the lock again for a full TTL."""
        pipe.set(self.key, self.token, px=self.ttl_ms)


class SessionStore:
    def __init__(self, redis: Redis, *, prefix: str = "chronos", ttl_seconds: int = 24 * 3600) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds

    def key(self, user_id: int) -> str:
        return f"{self.prefix}:session:{user_id}"

    def lock_key(self, user_id: int) -> str:
        return f"{self.prefix}:lock:user:{user_id}"

    async def load(self, user_id: int) -> UserSession:
        return self._session(user_id, await self.redis.get(self.key(user_id)))

    @staticmethod
    def _session(user_id: int, raw: str | bytes | None) -> UserSession:
        if not raw:
            return UserSession(user_id)
        doc = json.loads(raw)
        return UserSession(user_id, doc.get("data", {}), int(doc.get("version", 0)))

    async def save(
        self,
        session: UserSession,
        *,
        lock: UserLock | None = None,
        write: bool = True,
        also: Callable[[Pipeline], None] | None = None,
    ) -> UserSession:
        """Store ``session`` if nobody saved since it was loaded (and, given ``lock``, if the lock is still
        ours); ``also`` queues more commands into the same atomic transaction. ``write=False`` checks and
        runs ``also`` without rewriting an unchanged session. Bumps and returns the version written."""
        key = self.key(session.user_id)
        watched = [key] if lock is None else [key, lock.key]
        async with self.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(*watched)
                values = await pipe.mget(watched)
                if lock is not None:
                    lock.check(values[1])
                current = int(json.loads(values[0]).get("version", 0)) if values[0] else 0
                if current != session.version:
                    raise _lost()
                pipe.multi()
                if lock is not None:
                    lock.retake(pipe)
                if write:
                    doc = {"version": current + 1, "data": session.data}
                    pipe.set(key, json.dumps(doc, default=str), ex=self.ttl_seconds)
                if also is not None:
                    also(pipe)
                await pipe.execute()
            except WatchError as exc:
                if lock is not None:
                    lock.lost = True
                    raise LockLost(N_("This conversation changed elsewhere; please start the step again.")) from exc
                raise _lost() from exc
        if write:
            session.version += 1
        return session

    async def fenced(self, lock: UserLock, commands: Callable[[Pipeline], None]) -> None:
        """Run ``commands`` atomically, only while ``lock`` is still ours."""
        async with self.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(lock.key)
                lock.check(await pipe.get(lock.key))
                pipe.multi()
                lock.retake(pipe)
                commands(pipe)
                await pipe.execute()
            except WatchError as exc:
                lock.lost = True
                raise LockLost(N_("This conversation changed elsewhere; please start the step again.")) from exc

    async def clear(self, user_id: int) -> None:
        await self.redis.delete(self.key(user_id))

    async def ttl(self, user_id: int) -> int:
        return int(await self.redis.ttl(self.key(user_id)))

    async def _acquire(self, user_id: int, key: str, token: str, ttl_ms: int, marker: str | None) -> UserLock | None:
        if marker is None:
            return (
                UserLock(self.redis, key, token, ttl_ms)
                if await self.redis.set(key, token, nx=True, px=ttl_ms)
                else None
            )
        found = await self.redis.eval(_ACQUIRE_AND_LOAD, 3, key, self.key(user_id), marker, token, ttl_ms)
        if not found or not int(found[0]):
            return None
        held = UserLock(self.redis, key, token, ttl_ms)
        held.marked = bool(int(found[1]))
        held.session = self._session(user_id, found[2] if len(found) > 2 else None)
        return held

    @contextlib.asynccontextmanager
    async def lock(
        self, user_id: int, *, ttl: float = 3.0, wait: float = 10.0, marker: str | None = None
    ) -> AsyncIterator[UserLock]:
        """Hold the user's lock: their updates run one at a time across every replica.

        ``ttl`` bounds how long a dead holder blocks others (the lock is renewed while we hold it);
        ``wait`` how long we queue for it before :class:`SessionBusy`. With ``marker`` (a key) the lock is
        taken, the session read and the marker's existence checked in one round trip: ``lock.session`` and
        ``lock.marked``.
        """
        key = self.lock_key(user_id)
        token = uuid.uuid4().hex
        ttl_ms = max(100, int(ttl * 1000))
        deadline = time.monotonic() + wait
        while (held := await self._acquire(user_id, key, token, ttl_ms, marker)) is None:
            if time.monotonic() >= deadline:
                raise SessionBusy(N_("Still working on your previous message; please try again in a moment."))
            await asyncio.sleep(ACQUIRE_POLL_SECONDS)
        keeper = asyncio.create_task(held.keep(), name=f"lock-keeper-{user_id}")
        try:
            yield held
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            try:
                await held.release()
            except (RedisError, OSError):  # it expires on its own within ttl
                log.warning("could not release a user lock", extra={"user_id": user_id}, exc_info=True)
