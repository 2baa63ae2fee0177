"""The matching service's store: the matchable market (its read model), published matches,
outcomes to learn from, and erasure records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

from pymongo.errors import BulkWriteError

from services.matching.domain.matcher import Match
from services.matching.domain.policy import Push
from shared.events import Envelope, Event
from shared.store.mongo import Document
from shared.store.repository import Repository


class MatchingStore(Repository):
    async def ensure_indexes(self) -> None:
        await self["matches"].create_index([("seeker_id", 1), ("published_on", 1)])
        await self["matches"].create_index("vacancy_id")
        await self["outcomes"].create_index("seeker_id")
        await self["outcomes"].create_index("at")

    # --- the market ---------------------------------------------------------------

    async def stored(self, collection: str, entity_ids: list[str]) -> dict[str, Document]:
        """The stored documents of these entities, by id, in one query: on FerretDB a lookup of
        an id that is not stored reads the whole collection, once per id."""
        if not entity_ids:
            return {}
        found = self[collection].find({"_id": {"$in": entity_ids}})
        return {document["_id"]: document async for document in found}

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

    async def published(self) -> AsyncIterator[tuple[str, str, float, date, bool]]:
        """Every recorded match's seeker, vacancy, score, day and whether it could be pushed
        (read once, at start-up; a record from before ``notify`` existed was pushable)."""
        fields = {"seeker_id": 1, "vacancy_id": 1, "score": 1, "published_on": 1, "notify": 1}
        async for document in self["matches"].find({}, fields):
            day = date.fromisoformat(document["published_on"])
            notify = bool(document.get("notify", True))
            yield document["seeker_id"], document["vacancy_id"], document["score"], day, notify

    async def record_matches(
        self, matches: list[tuple[Match, float | None, Push]], model_version: str, today: date
    ) -> None:
        """Record matches just published (each with its previous score, None when new, and
        whether it may be pushed, with what probability, and whether by exploration). New
        pairs go in one insert: on FerretDB an insert costs the same at any size while an
        update reads the collection."""
        new: list[Document] = []
        again: list[Document] = []
        for match, previous, push in matches:
            document = {
                "_id": _key(match), "seeker_id": match.seeker_id, "vacancy_id": match.vacancy_id,
                "score": match.score, "rank": match.rank, "model_version": model_version,
                "notify": push.notify, "propensity": push.propensity, "exploratory": push.exploratory,
                "published_on": today.isoformat(), "published_at": datetime.now(UTC).isoformat(),
            }  # fmt: skip
            (again if previous is not None else new).append(document)
        if new:
            try:
                await self["matches"].insert_many(new, ordered=False)
            except BulkWriteError as error:  # recorded meanwhile by a redelivery's ranking
                again += [new[failure["index"]] for failure in error.details["writeErrors"]]
        for document in again:
            await self["matches"].replace_one({"_id": document["_id"]}, document, upsert=True)

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
