"""The service's database handle: PyMongo's native async client, opened at start-up."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import BaseModel
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]


class Store:
    """One client and database per service process; handlers get the database injected.

    ``timeout_s`` bounds finding the store and connecting to it: with the store down, an
    operation raises ``ServerSelectionTimeoutError`` (or ``AutoReconnect`` on a connection it
    had) after at most that long. A connection that stops answering without closing is
    interrupted (``AutoReconnect``) once the driver's heartbeat (every 10 s) times out.
    """

    def __init__(self, url: str, database: str, *, timeout_s: float = 10.0) -> None:
        self._url = url
        self._database_name = database
        self._timeout_s = timeout_s
        self._client: AsyncMongoClient[Document] | None = None
        self._locks: weakref.WeakValueDictionary[tuple[str, object], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @asynccontextmanager
    async def lock(self, collection: str, document_id: object) -> AsyncIterator[None]:
        """Hold while updating one document: this process's updates of it then take turns.

        FerretDB v1 runs a filtered update as a read and then a write, outside any
        transaction (FerretDB issue #3040): two concurrent updates of one document can
        both match a guard, or one can overwrite the other. MongoDB's updates are atomic,
        where this lock is merely redundant. On FerretDB, run one replica per service.
        """
        key = (collection, document_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            yield

    async def open(self) -> None:
        timeout_ms = int(self._timeout_s * 1000)
        client: AsyncMongoClient[Document] = AsyncMongoClient(
            self._url,
            tz_aware=True,
            uuidRepresentation="standard",
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
        )
        await client.admin.command("ping")
        self._client = client

    async def update(
        self, collection: str, query: Document, update: Document, *, upsert: bool = False
    ) -> int:
        """``update_one`` under the document's lock; returns how many documents matched.

        An upsert that finds no document inserts one, and an insert of the same ``_id``
        elsewhere (another process, a batch insert) may come first: the duplicate key is then
        retried once, as the update it has become. A guarded upsert whose guard the stored
        document fails still raises ``DuplicateKeyError``."""
        async with self.lock(collection, query["_id"]):
            try:
                result = await self.database()[collection].update_one(query, update, upsert=upsert)
            except DuplicateKeyError:
                if not upsert:
                    raise
                result = await self.database()[collection].update_one(query, update, upsert=upsert)
        return result.matched_count + (1 if result.upserted_id is not None else 0)

    async def find_and_update(self, collection: str, query: Document, update: Document) -> Document | None:
        """``find_one_and_update`` under the document's lock; the document after, or None."""
        async with self.lock(collection, query["_id"]):
            document: Document | None = await self.database()[collection].find_one_and_update(
                query, update, return_document=ReturnDocument.AFTER
            )
        return document

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    def database(self) -> AsyncDatabase[Document]:
        if self._client is None:
            raise RuntimeError("the store is not open: call Store.open() at start-up")
        return self._client[self._database_name]

    async def ping(self) -> bool:
        """Whether the store answers within the timeout."""
        if self._client is None:
            return False
        try:
            reply = await asyncio.wait_for(self._client.admin.command("ping"), self._timeout_s)
        except Exception:  # noqa: BLE001 - readiness only asks "does it answer"
            return False
        return bool(reply.get("ok"))


def as_document(model: BaseModel) -> Document:
    """A model with an ``id`` as a JSON-typed document keyed by ``_id``."""
    document = model.model_dump(mode="json")
    document["_id"] = document.pop("id")
    return document


def from_document(document: Document) -> Document:
    """A stored document with its ``_id`` also as ``id``, ready for ``Model.model_validate``."""
    return {**document, "id": document["_id"]}


async def drop_databases(url: str, prefix: str) -> list[str]:
    """Drop every database whose name starts with ``prefix`` (a test's or a benchmark's own)."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(url)
    try:
        ours = [name for name in await client.list_database_names() if name.startswith(prefix)]
        for name in ours:
            await client.drop_database(name)
        return ours
    finally:
        await client.close()
