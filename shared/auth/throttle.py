"""Sign-in throttling: exponential backoff after repeated failures, counted in the service's store.

Three counts, each one document in the service's own store (so they hold across a restart
and for every replica reading that store):

- one account from one address: the attacker guessing one person's password;
- one account from every address: the same from many addresses; capped low, so whoever
  hammers an account cannot keep its owner out for more than a minute at a time;
- one address across accounts: one password tried on many accounts.

A success forgets the account's counts (not the address's, or an attacker with an account of
their own could reset it). Failures older than the window are forgotten; FerretDB has no TTL
index, so the adapter deletes such documents itself.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from shared.errors import Unauthorized
from shared.store.mongo import Store

WINDOW_S = 15 * 60
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    scope: str
    free: int  # failures allowed before any wait
    base_s: float  # the wait after the first failure beyond them; doubled for each further one
    cap_s: float

    def wait(self, failures: int, last_failure: float, now: float) -> float:
        """Seconds left to wait, after ``failures`` (the last at ``last_failure``), at ``now``."""
        if now - last_failure >= WINDOW_S or failures < self.free:
            return 0.0
        lock = min(self.cap_s, self.base_s * 2.0 ** min(failures - self.free, 32))
        return max(0.0, last_failure + lock - now)


PAIR = Limit("account and address", free=5, base_s=15, cap_s=300)
ACCOUNT = Limit("account", free=20, base_s=15, cap_s=60)
ADDRESS = Limit("address", free=20, base_s=15, cap_s=300)
LIMITS = (PAIR, ACCOUNT, ADDRESS)


@dataclass(frozen=True)
class Count:
    failures: int
    last_failure: float


def retry_after(counts: Mapping[Limit, Count], now: float) -> tuple[float, Limit | None]:
    """The longest wait any count imposes at ``now``, and the limit imposing it."""
    waits = [(limit.wait(count.failures, count.last_failure, now), limit) for limit, count in counts.items()]
    wait, limit = max(waits, key=lambda pair: pair[0], default=(0.0, None))
    return (wait, limit) if wait > 0 else (0.0, None)


class TooManyAttempts(Exception):
    """Sign-in refused before checking the password: wait ``retry_after_s`` seconds."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def _key(*parts: str) -> str:
    """No e-mail in clear in the store: a digest of the parts."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class LoginThrottle:
    COLLECTION = "login_failures"

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self.clock = clock

    async def ensure_indexes(self) -> None:
        await self._store.database()[self.COLLECTION].create_index("last_failure")

    @staticmethod
    def keys(email: str, address: str) -> dict[Limit, str]:
        email = email.lower()
        return {
            PAIR: _key("pair", email, address),
            ACCOUNT: _key("account", email),
            ADDRESS: _key("address", address),
        }

    @asynccontextmanager
    async def attempt(self, email: str, address: str) -> AsyncIterator[None]:
        """Refuse with ``TooManyAttempts`` while a count says wait; otherwise run the body and
        count its ``Unauthorized`` as a failure, or its success as a reset. Attempts at one
        account from one address take turns in this process, so a burst cannot outrun the count."""
        keys = self.keys(email, address)
        async with self._store.lock("login attempts", keys[PAIR]):
            wait, limit = await self._wait(keys)
            if limit is not None:
                log.warning(
                    "sign-in throttled: %s limit, address %s, account key %s…, retry after %d s",
                    limit.scope, address, keys[ACCOUNT][:12], math.ceil(wait),
                )  # fmt: skip
                raise TooManyAttempts(math.ceil(wait))
            try:
                yield
            except Unauthorized:
                await self._failed(keys)
                raise
            await self._store.database()[self.COLLECTION].delete_many(
                {"_id": {"$in": [keys[PAIR], keys[ACCOUNT]]}}
            )

    async def _wait(self, keys: Mapping[Limit, str]) -> tuple[float, Limit | None]:
        by_id = {key: limit for limit, key in keys.items()}
        found = self._store.database()[self.COLLECTION].find({"_id": {"$in": list(by_id)}})
        counts = {by_id[d["_id"]]: Count(d["failures"], d["last_failure"]) async for d in found}
        return retry_after(counts, self.clock())

    async def _failed(self, keys: Mapping[Limit, str]) -> None:
        """One more failure on each count, or the first of a new window."""
        now = self.clock()
        for key in keys.values():
            counted = await self._store.update(
                self.COLLECTION,
                {"_id": key, "last_failure": {"$gt": now - WINDOW_S}},
                {"$inc": {"failures": 1}, "$set": {"last_failure": now}},
            )
            if not counted:
                await self._store.update(
                    self.COLLECTION, {"_id": key}, {"$set": {"failures": 1, "last_failure": now}}, upsert=True
                )
        await self._store.database()[self.COLLECTION].delete_many({"last_failure": {"$lte": now - WINDOW_S}})
