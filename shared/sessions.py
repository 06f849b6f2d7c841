"""Per-user conversation sessions in Redis, shared by every bot replica, and the per-user lock.

A session is a small JSON document (the flow the user is in, its step and collected answers) stored
under one key with a TTL and a version. Every update of a user runs under that user's lock, so two
replicas never interleave one user's updates.

The lock is short (``ttl``, BOT_LOCK_SECONDS) and renewed in the background while its holder works, so a
holder that dies frees the user within seconds. It is also a fence: a save made under the lock checks,
atomically with the write, that the lock is still ours (a holder that stalled past its TTL and lost the
lock to another replica writes nothing); the version lets a writer notice it lost a race.

Every fenced write is one Lua script, one round trip (for speed: an update of the bot used to spend three
on WATCH / MGET / MULTI…EXEC per write). A script also cannot be spoiled by our own lock keeper: a renewal
(PEXPIRE) between WATCH and EXEC made such a transaction fail as if the lock had been lost. The extra
commands a write carries (``also``) are data, ``(command, *args)`` tuples, run inside the script.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.errors import N_, Conflict

log = logging.getLogger(__name__)

# Renew our lock; take it again if it expired meanwhile and nobody took it (Redis was away for a while).
_RENEW = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
"""
# Run the commands packed in ARGV from index ARGV[start]: each is its length, then its words.
_RUN = """
local function run(start)
  local i = start
  while i <= #ARGV do
    local n = tonumber(ARGV[i])
    redis.call(unpack(ARGV, i + 1, i + n))
    i = i + n + 1
  end
end
"""
# Release our lock; first run the deferred commands (ARGV[2..]) if it is ours, or nobody's (as _FENCED).
_RELEASE = (
    _RUN
    + """
local holder = redis.call('get', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
run(2)
if holder then redis.call('del', KEYS[1]) end
return 1
"""
)
# Fenced commands: only while the lock (KEYS[1]) is ours, or nobody's (taken again for ARGV[2] ms).
_FENCED = (
    _RUN
    + """
local holder = redis.call('get', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
run(3)
return 1
"""
)
# Save a session (KEYS[1]) if its stored version is ARGV[1]; fenced by the lock KEYS[2] (token ARGV[4],
# ARGV[5] ms) when given. ARGV[2]: the new document ('' keeps it), ARGV[3] its TTL; then the commands.
_SAVE = (
    _RUN
    + """
if KEYS[2] then
  local holder = redis.call('get', KEYS[2])
  if holder and holder ~= ARGV[4] then return -1 end
end
local raw = redis.call('get', KEYS[1])
local current = 0
if raw then  -- we write the version first: read it without decoding the whole document
  current = tonumber(string.match(raw, '^{"version": (%d+),') or cjson.decode(raw)['version'] or 0)
end
if current ~= tonumber(ARGV[1]) then return -2 end
if KEYS[2] then redis.call('set', KEYS[2], ARGV[4], 'PX', ARGV[5]) end
if ARGV[2] ~= '' then redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
run(6)
return 1
"""
)
# Take the lock and, when it was free, read the session and whether KEYS[3] exists: one round trip.
_ACQUIRE_AND_LOAD = """
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
local peeked = 0
if KEYS[4] then peeked = redis.call('exists', KEYS[4]) end
return {1, redis.call('exists', KEYS[3]), peeked, redis.call('get', KEYS[2])}
"""
ACQUIRE_POLL_SECONDS = 0.05

Command = tuple[str | int | float, ...]
"""A Redis command as data, e.g. ``("RPUSH", key, "a", "b")``, for the scripts above."""


def packed(commands: Sequence[Command]) -> list[str | int | float]:
    """``commands`` as the scripts' ARGV tail: each command's length, then its words."""
    words: list[str | int | float] = []
    for command in commands:
        words.append(len(command))
        words.extend(command)
    return words


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
        self.stopping = False
        self.session: UserSession | None = None
        """The session as read when the lock was taken (``SessionStore.lock(..., marker=)``)."""
        self.marked = False
        """Whether the ``marker`` key existed when the lock was taken."""
        self.peeked = False
        """Whether the ``peek`` key existed when the lock was taken."""
        self.on_release: list[Command] = []
        """Commands run when the lock is released, while it is still ours (saves a round trip)."""
        self.released = False
        """Whether the release ran ``on_release`` (the lock was still ours, or nobody's)."""

    async def renew(self) -> bool:
        ok = bool(await self.redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))
        self.lost = self.lost or not ok
        return ok

    async def release(self) -> None:
        self.released = bool(await self.redis.eval(_RELEASE, 1, self.key, self.token, *packed(self.on_release)))

    async def keep(self) -> None:
        """Renew every third of the TTL until stopped (or the lock is gone).

        ``stopping`` ends the loop even when a cancellation is swallowed inside the Redis client (seen once:
        a full test run hung with the keeper renewing forever and the holder awaiting it)."""
        while not self.lost and not self.stopping:
            await asyncio.sleep(self.ttl_ms / 3000)
            if self.stopping:
                return
            try:
                await self.renew()
            except (RedisError, OSError):
                log.warning("could not renew a user lock", exc_info=True)
        if self.lost:
            log.warning("a user lock expired while its update was handled", extra={"lock": self.key})

    def lose(self) -> LockLost:
        """A fenced write found the lock held by someone else (ours expired while we worked and was taken).

        A lock that expired and nobody took (Redis was away for a while) does not count: the write takes it
        again, atomically, and the session's version still tells whether anybody wrote meanwhile."""
        self.lost = True
        return LockLost(N_("This conversation changed elsewhere; please start the step again."))


KEEPER_STOP_SECONDS = 1.0


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
        also: Sequence[Command] = (),
    ) -> UserSession:
        """Store ``session`` if nobody saved since it was loaded (and, given ``lock``, if the lock is still
        ours); ``also``: more commands in the same atomic step. ``write=False`` checks and runs ``also``
        without rewriting an unchanged session. Bumps and returns the version written."""
        doc = json.dumps({"version": session.version + 1, "data": session.data}, default=str) if write else ""
        keys = [self.key(session.user_id)] if lock is None else [self.key(session.user_id), lock.key]
        fence: list[str | int] = ["", 0] if lock is None else [lock.token, lock.ttl_ms]
        done = int(await self.redis.eval(_SAVE, len(keys), *keys, session.version, doc, self.ttl_seconds, *fence,
                                         *packed(also)))  # fmt: skip
        if done == -1:
            assert lock is not None
            raise lock.lose()
        if done == -2:
            raise _lost()
        if write:
            session.version += 1
        return session

    async def fenced(self, lock: UserLock, commands: Sequence[Command]) -> None:
        """Run ``commands`` atomically, only while ``lock`` is still ours."""
        if not await self.redis.eval(_FENCED, 1, lock.key, lock.token, lock.ttl_ms, *packed(commands)):
            raise lock.lose()

    async def clear(self, user_id: int) -> None:
        await self.redis.delete(self.key(user_id))

    async def ttl(self, user_id: int) -> int:
        return int(await self.redis.ttl(self.key(user_id)))

    async def _acquire(
        self, user_id: int, key: str, token: str, ttl_ms: int, marker: str | None, peek: str | None
    ) -> UserLock | None:
        if marker is None:
            return (
                UserLock(self.redis, key, token, ttl_ms)
                if await self.redis.set(key, token, nx=True, px=ttl_ms)
                else None
            )
        keys = [key, self.key(user_id), marker] if peek is None else [key, self.key(user_id), marker, peek]
        found = await self.redis.eval(_ACQUIRE_AND_LOAD, len(keys), *keys, token, ttl_ms)
        if not found or not int(found[0]):
            return None
        held = UserLock(self.redis, key, token, ttl_ms)
        held.marked = bool(int(found[1]))
        held.peeked = bool(int(found[2]))
        held.session = self._session(user_id, found[3] if len(found) > 3 else None)
        return held

    @contextlib.asynccontextmanager
    async def lock(
        self, user_id: int, *, ttl: float = 3.0, wait: float = 10.0, marker: str | None = None, peek: str | None = None
    ) -> AsyncIterator[UserLock]:
        """Hold the user's lock: their updates run one at a time across every replica.

        ``ttl`` bounds how long a dead holder blocks others (the lock is renewed while we hold it);
        ``wait`` how long we queue for it before :class:`SessionBusy`. With ``marker`` (a key) the lock is
        taken, the session read and the marker's existence checked in one round trip: ``lock.session`` and
        ``lock.marked``; and whether the key ``peek`` exists: ``lock.peeked``.
        """
        key = self.lock_key(user_id)
        token = uuid.uuid4().hex
        ttl_ms = max(100, int(ttl * 1000))
        deadline = time.monotonic() + wait
        while (held := await self._acquire(user_id, key, token, ttl_ms, marker, peek)) is None:
            if time.monotonic() >= deadline:
                raise SessionBusy(N_("Still working on your previous message; please try again in a moment."))
            await asyncio.sleep(ACQUIRE_POLL_SECONDS)
        keeper = asyncio.create_task(held.keep(), name=f"lock-keeper-{user_id}")
        try:
            yield held
        finally:
            held.stopping = True
            keeper.cancel()
            # Bounded: a keeper stuck in a Redis call is left to finish on its own (it renews nothing more).
            await asyncio.wait({keeper}, timeout=KEEPER_STOP_SECONDS)
            try:
                await held.release()
            except (RedisError, OSError):  # it expires on its own within ttl
                log.warning("could not release a user lock", extra={"user_id": user_id}, exc_info=True)
