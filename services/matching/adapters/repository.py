"""The matching service's store: the matchable market (its read model), published matches
(each with its outbox), outcomes to learn from, and erasure records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from uuid import UUID

from pymongo.errors import BulkWriteError

from services.matching.domain.matcher import Match
from shared.events import Envelope, Event
from shared.events import catalogue as c
from shared.store.mongo import Document
from shared.store.outbox import outbox, staged
from shared.store.repository import Repository

PRODUCER = "matching"
OUTBOX_COLLECTIONS = ("matches",)


class MatchingStore(Repository):
    async def ensure_indexes(self) -> None:
        await self["matches"].create_index([("seeker_id", 1), ("published_on", 1)])
        await self["matches"].create_index("vacancy_id")
        await self["outcomes"].create_index("seeker_id")
        await self["outcomes"].create_index("at")

    # --- the market ---------------------------------------------------------------

    async def stored(self, collection: str, entity_ids: list[str]) -> dict[str, Document]:
        """The stored documents of these entities (read by id, side by side), by id."""
        documents = await asyncio.gather(*(self[collection].find_one({"_id": i}) for i in entity_ids))
        return {document["_id"]: document for document in documents if document is not None}

    async def save_states(
        self, collection: str, states: dict[str, tuple[int, Document]], stored: dict[str, Document]
    ) -> None:
        """Store each entity's new version and state; ``stored`` is what was read before. New
        entities go in one insert: on FerretDB an insert costs the same at any collection
        size, while a replace reads the whole collection."""
        documents = {entity_id: {"_id": entity_id, "version": version, **state}
                     for entity_id, (version, state) in states.items()}  # fmt: skip
        replace = [entity_id for entity_id in documents if entity_id in stored]
        fresh = [documents[entity_id] for entity_id in documents if entity_id not in stored]
        if fresh:
            try:
                await self[collection].insert_many(fresh, ordered=False)
            except BulkWriteError as error:  # stored meanwhile (a replay racing a redelivery)
                replace += [fresh[failure["index"]]["_id"] for failure in error.details["writeErrors"]]
        for entity_id in replace:
            await self[collection].replace_one({"_id": entity_id}, documents[entity_id], upsert=True)

    async def erased(self) -> AsyncIterator[str]:
        async for document in self["erasures"].find({}, {"_id": 1}):
            yield document["_id"]

    async def close_vacancy(self, vacancy_id: str, version: int) -> None:
        await self["vacancies"].update_one(
            {"_id": vacancy_id, "version": {"$lt": version}}, {"$set": {"version": version, "closed": True}}
        )

    async def set_verified(self, seeker_id: str) -> None:
        await self["verified"].replace_one(
            {"_id": seeker_id}, {"_id": seeker_id, "verified": True}, upsert=True
        )

    async def is_erased(self, seeker_id: str) -> bool:
        return await self["erasures"].find_one({"_id": seeker_id}) is not None

    async def erase(self, seeker_id: str, erased_at: datetime) -> None:
        await self["erasures"].update_one(
            {"_id": seeker_id}, {"$setOnInsert": {"erased_at": erased_at.isoformat()}}, upsert=True
        )
        for collection, field in (
            ("seekers", "_id"),
            ("verified", "_id"),
            ("matches", "seeker_id"),
            ("outcomes", "seeker_id"),
        ):
            await self[collection].delete_many({field: seeker_id})

    # --- matches ------------------------------------------------------------------

    async def told_on(self, day: date) -> AsyncIterator[tuple[str, str]]:
        """The seeker and vacancy of every match published on ``day`` (read once, at start-up)."""
        query = {"published_on": day.isoformat()}
        async for document in self["matches"].find(query, {"seeker_id": 1, "vacancy_id": 1}):
            yield document["seeker_id"], document["vacancy_id"]

    async def previous_scores(self, matches: list[Match]) -> list[float | None]:
        """The score each pair was last published with, if it was (reads by id, side by side)."""
        documents = await asyncio.gather(
            *(self["matches"].find_one({"_id": _key(match)}, {"score": 1}) for match in matches)
        )
        return [document["score"] if document else None for document in documents]

    async def publish_matches(
        self, matches: list[tuple[Match, float | None]], model_version: str, today: date
    ) -> None:
        """Record each match (with its previous score, None when new) and its event in its
        outbox, then publish them all in one batch. New pairs are inserted in one write; on
        FerretDB an insert costs the same at any size while an update reads the collection."""
        new: list[tuple[Document, Envelope[c.MatchFound]]] = []
        again: list[tuple[Document, Envelope[c.MatchFound]]] = []
        for match, previous in matches:
            event = c.MatchFound(
                seeker_id=UUID(match.seeker_id), vacancy_id=UUID(match.vacancy_id),
                employer_id=UUID(match.employer_id), score=match.score, rank=match.rank,
                model_version=model_version, reasons=match.reasons,
            )  # fmt: skip
            document = {
                "_id": _key(match), "seeker_id": match.seeker_id, "vacancy_id": match.vacancy_id,
                "score": match.score, "rank": match.rank, "model_version": model_version,
                "published_on": today.isoformat(), "published_at": datetime.now(UTC).isoformat(),
            }  # fmt: skip
            envelope = Envelope.wrap(event, producer=PRODUCER)
            (again if previous is not None else new).append((document, envelope))
        if new:
            try:
                await self["matches"].insert_many(
                    [{**document, **outbox(envelope)} for document, envelope in new], ordered=False
                )
            except BulkWriteError as error:  # told meanwhile by a concurrent ranking: update it
                clashed = {failure["index"] for failure in error.details["writeErrors"]}
                again += [new[i] for i in sorted(clashed)]
        for document, envelope in again:
            update = {"$set": {**document, **staged(envelope)}}
            await self._store.update("matches", {"_id": document["_id"]}, update, upsert=True)
        await self._relay.flush_many("matches", [_key(match) for match, _ in matches])

    # --- outcomes -----------------------------------------------------------------

    async def add_outcome(
        self, envelope: Envelope[Event], seeker_id: str, vacancy_id: str | None, kind: str
    ) -> None:
        await self["outcomes"].replace_one(
            {"_id": str(envelope.event_id)},
            {
                "seeker_id": seeker_id,
                "vacancy_id": vacancy_id,
                "kind": kind,
                "at": envelope.occurred_at.isoformat(),
            },
            upsert=True,
        )


def _key(match: Match) -> str:
    return f"{match.vacancy_id}:{match.seeker_id}"
