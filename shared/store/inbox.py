"""Processed event ids, under a unique index, so a redelivered event changes nothing.

The id is recorded after the handler's writes succeed. Handlers keep their own
writes idempotent (upserts and sets keyed by ids), so a crash between those writes
and this record leads to a harmless replay.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from uuid import UUID

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.store.mongo import Document, Store


class ProcessedEvents:
    """Processed event ids, spread over ``BUCKETS`` collections by the id's first byte.

    Most lookups are of ids never seen (a new event). FerretDB's SQLite backend answered a
    lookup of an absent id by reading the whole collection, so with one collection every
    event read every event processed before it; a bucket holds 1/256 of them. On
    PostgreSQL with the project's FerretDB patch, and on MongoDB, a lookup is an index
    probe and the buckets are merely smaller indexes.
    """

    PREFIX = "processed_events_"

    def __init__(self, store: Store) -> None:
        self._store = store

    @classmethod
    def bucket(cls, event_id: UUID) -> str:
        """The name of the collection that records ``event_id``."""
        return f"{cls.PREFIX}{event_id.bytes[0]:02x}"

    def collection(self, event_id: UUID) -> AsyncCollection[Document]:
        return self._store.database()[self.bucket(event_id)]

    async def seen(self, event_id: UUID) -> bool:
        return await self.collection(event_id).find_one({"_id": str(event_id)}, {"_id": 1}) is not None

    async def record(self, event_id: UUID, event_type: str, topic: str) -> None:
        document = {"_id": str(event_id), "event_type": event_type, "topic": topic, "at": datetime.now(UTC)}
        with contextlib.suppress(DuplicateKeyError):  # a replay after a crash recorded it first
            await self.collection(event_id).insert_one(document)
