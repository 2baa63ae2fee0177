"""The service's database handle: PyMongo's native async client, opened at start-up."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


class Store:
    """One client and database per service process; handlers get the database injected."""

    def __init__(self, url: str, database: str) -> None:
        self._url = url
        self._database_name = database
        self._client: AsyncMongoClient[Document] | None = None

    async def open(self) -> None:
        client: AsyncMongoClient[Document] = AsyncMongoClient(
            self._url, tz_aware=True, uuidRepresentation="standard", serverSelectionTimeoutMS=10_000
        )
        await client.admin.command("ping")
        self._client = client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    def database(self) -> AsyncDatabase[Document]:
        if self._client is None:
            raise RuntimeError("the store is not open: call Store.open() at start-up")
        return self._client[self._database_name]

    async def ping(self) -> bool:
        if self._client is None:
            return False
        try:
            reply = await self._client.admin.command("ping")
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
