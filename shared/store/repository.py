"""The base of every service's store adapter: its database by collection, and its outbox relay."""

from __future__ import annotations

from typing import Any

from shared.store.mongo import Store
from shared.store.outbox import OutboxRelay


class Repository:
    def __init__(self, store: Store, relay: OutboxRelay) -> None:
        self._store = store
        self._relay = relay

    def __getitem__(self, collection: str) -> Any:
        return self._store.database()[collection]
