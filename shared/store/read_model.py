"""Writing a batch of read-model documents in few queries."""

from __future__ import annotations

from typing import Any

from pymongo.errors import BulkWriteError

from shared.events import Envelope
from shared.events import catalogue as c
from shared.store.mongo import Document, Store


async def upsert_many(collection: Any, documents: list[Document]) -> None:
    """Insert or replace ``documents`` by ``_id``: which exist in one read, the new ones in one
    insert, the others replaced one at a time."""
    if not documents:
        return
    newest = {document["_id"]: document for document in documents}  # a batch may repeat an id
    existing = {found["_id"] async for found in collection.find({"_id": {"$in": list(newest)}}, {"_id": 1})}
    replace = [document for document_id, document in newest.items() if document_id in existing]
    fresh = [document for document_id, document in newest.items() if document_id not in existing]
    if fresh:
        try:
            await collection.insert_many(fresh, ordered=False)
        except BulkWriteError as error:  # written meanwhile (a redelivery racing): replace those
            replace += [fresh[failure["index"]] for failure in error.details["writeErrors"]]
    for document in replace:
        await collection.replace_one({"_id": document["_id"]}, document, upsert=True)


async def set_newer_many(store: Store, collection: str, documents: list[Document]) -> None:
    """Keep the newest ``version`` of each document: the new ones in one insert, the fields of
    each whose stored version is older (or unset) ``$set`` one at a time under the document's
    lock (``Store.update``: an API request may be updating the same document), the rest left
    as they are (a replay, or older than what is stored)."""
    newest: dict[str, Document] = {}
    for document in documents:
        kept = newest.get(document["_id"])
        if kept is None or document["version"] > kept["version"]:
            newest[document["_id"]] = document
    if not newest:
        return
    found = store.database()[collection].find({"_id": {"$in": list(newest)}}, {"version": 1})
    stored = {document["_id"]: document.get("version") async for document in found}
    fresh = [document for key, document in newest.items() if key not in stored]
    older = [
        document
        for key, document in newest.items()
        if key in stored and (stored[key] is None or stored[key] < document["version"])
    ]
    if fresh:
        try:
            await store.database()[collection].insert_many(fresh, ordered=False)
        except BulkWriteError as error:  # written meanwhile: the version guard below decides
            older += [fresh[failure["index"]] for failure in error.details["writeErrors"]]
    for document in older:
        version = document["version"]
        fields = {key: value for key, value in document.items() if key != "_id"}
        await store.update(
            collection,
            {"_id": document["_id"], "$or": [{"version": {"$lt": version}}, {"version": None}]},
            {"$set": fields},
        )


async def ids_among(collection: Any, ids: set[str]) -> set[str]:
    """Which of ``ids`` have a document in ``collection`` (one query)."""
    if not ids:
        return set()
    return {found["_id"] async for found in collection.find({"_id": {"$in": list(ids)}}, {"_id": 1})}


def match_document(event: Envelope[c.MatchFound]) -> Document:
    """A match as the employer's candidates and the seeker's matches keep it, keyed by pair."""
    match = event.payload
    return {
        "_id": f"{match.vacancy_id}:{match.seeker_id}",
        **match.model_dump(mode="json"),
        "matched_at": event.occurred_at.isoformat(),
    }
