"""The fair service's store: series, fairs, registrations, schedules (with their outbox) and
the read models it keeps from other services' events."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pymongo.errors import DuplicateKeyError

from services.fair.domain.model import Fair, FairStatus, Registration, Series, stored_time
from shared.errors import Conflict, NotFound
from shared.events import Envelope, Event
from shared.events import catalogue as c
from shared.store.erasures import Erasures
from shared.store.mongo import Document, Store, as_document, from_document
from shared.store.outbox import OutboxRelay, outbox, staged
from shared.store.read_model import set_newer_many
from shared.store.repository import Repository

PRODUCER = "fair"
OUTBOX_COLLECTIONS = ("fairs", "registrations", "schedule_parts", "outcomes")
# Documents naming a seeker: deleted, or stripped of the seeker where the fair's figures need them.
SEEKER_DOCUMENTS = ("seekers", "matches")
SEEKER_REFERENCES = {"registrations": "participant_id", "interviews": "seeker_id", "outcomes": "seeker_id"}


def wrap(*events: Event) -> list[Envelope[Any]]:
    return [Envelope.wrap(event, producer=PRODUCER) for event in events]


class FairStore(Repository):
    def __init__(self, store: Store, relay: OutboxRelay) -> None:
        super().__init__(store, relay)
        self.erasures = Erasures(store)

    def lock(self, collection: str, document_id: object) -> contextlib.AbstractAsyncContextManager[None]:
        return self._store.lock(collection, document_id)

    async def ensure_indexes(self) -> None:
        await self["fairs"].create_index([("series_id", 1), ("starts_at", 1)])
        await self["fairs"].create_index([("status", 1), ("registration_cutoff", 1)])
        await self["registrations"].create_index(
            [("fair_id", 1), ("participant_kind", 1), ("participant_id", 1)], unique=True
        )
        await self["registrations"].create_index("code", unique=True)
        await self["interviews"].create_index([("fair_id", 1), ("version", 1), ("seeker_id", 1)])
        await self["interviews"].create_index([("fair_id", 1), ("version", 1), ("employer_id", 1)])
        await self["matches"].create_index("seeker_id")
        await self["vacancies"].create_index("employer_id")
        await self["outcomes"].create_index("fair_id")

    async def publish(self, collection: str, document_id: str) -> None:
        await self._relay.flush(collection, document_id)

    # --- series and fairs ------------------------------------------------------------

    async def add_series(self, series: Series) -> None:
        await self["series"].insert_one(as_document(series))

    async def series(self, series_id: UUID) -> Series:
        document = await self["series"].find_one({"_id": str(series_id)})
        if document is None:
            raise NotFound(f"no fair series {series_id}")
        return Series.model_validate(from_document(document))

    async def all_series(self) -> list[Series]:
        return [Series.model_validate(from_document(d)) async for d in self["series"].find({})]

    async def add_fair_once(self, fair: Fair) -> bool:
        """Insert the fair with its announcement unless it exists; returns whether this call made it."""
        document = {**as_document(fair), **outbox(*wrap(fair.scheduled_event()))}
        try:
            await self["fairs"].insert_one(document)
        except DuplicateKeyError:
            return False
        await self.publish("fairs", document["_id"])
        return True

    async def fair(self, fair_id: UUID) -> Fair:
        document = await self["fairs"].find_one({"_id": str(fair_id)})
        if document is None:
            raise NotFound(f"no fair {fair_id}")
        return Fair.model_validate(from_document(document))

    async def change_fair(self, fair: Fair, fields: Document, *events: Event) -> Fair:
        """Set ``fields`` if the fair's status is still what ``fair`` says; stage ``events``."""
        document = await self._store.find_and_update(
            "fairs",
            {"_id": str(fair.id), "status": fair.status.value},
            {"$set": {**fields, **staged(*wrap(*events))}},
        )
        if document is None:
            raise Conflict("the fair changed meanwhile: load it again")
        await self.publish("fairs", document["_id"])
        return Fair.model_validate(from_document(document))

    async def fairs_due(self, now: datetime) -> list[Fair]:
        """Fairs past their registration cutoff, not yet scheduled nor claimed for it."""
        query = {
            "status": {"$in": [FairStatus.OPEN.value, FairStatus.CLOSED.value]},
            "registration_cutoff": {"$lte": stored_time(now)},
            "cutoff_run_at": {"$exists": False},
        }
        return [Fair.model_validate(from_document(d)) async for d in self["fairs"].find(query)]

    async def claim_scheduling(self, fair: Fair, now: datetime) -> bool:
        """Close registration and claim the cutoff run; only one caller gets True."""
        return bool(
            await self._store.update(
                "fairs",
                {"_id": str(fair.id), "status": fair.status.value, "cutoff_run_at": {"$exists": False}},
                {"$set": {"cutoff_run_at": stored_time(now), "status": FairStatus.CLOSED.value}},
            )
        )

    async def note_scheduling_error(self, fair_id: UUID, message: str) -> None:
        await self._store.update("fairs", {"_id": str(fair_id)}, {"$set": {"schedule_error": message}})

    async def claim_run(self, fair_id: UUID, mark: dict[str, Any], now: str) -> bool:
        """Mark a staff scheduling run unless one is marked and not yet expired."""
        free = {"$or": [{"schedule_run": None}, {"schedule_run.expires_at": {"$lt": now}}]}
        return bool(
            await self._store.update(
                "fairs",
                {"_id": str(fair_id), **free},
                {"$set": {"schedule_run": mark}, "$unset": {"schedule_error": ""}},
            )
        )

    async def run_of(self, fair_id: UUID) -> dict[str, Any] | None:
        document = await self["fairs"].find_one({"_id": str(fair_id)}, {"schedule_run": 1})
        run: dict[str, Any] | None = (document or {}).get("schedule_run")
        return run

    async def run_is(self, fair_id: UUID, run_id: str) -> bool:
        return await self["fairs"].find_one({"_id": str(fair_id), "schedule_run.id": run_id}) is not None

    async def end_run(self, fair_id: UUID, run_id: str) -> None:
        await self._store.update(
            "fairs", {"_id": str(fair_id), "schedule_run.id": run_id}, {"$set": {"schedule_run": None}}
        )

    # --- registrations ---------------------------------------------------------------

    async def add_registration(self, registration: Registration) -> None:
        events: list[Event] = [registration.event()]
        if registration.checked_in_at is not None:
            events.append(registration.checked_in_event(registration.checked_in_at))
        document = {**as_document(registration), **outbox(*wrap(*events))}
        try:
            await self["registrations"].insert_one(document)
        except DuplicateKeyError as error:
            raise Conflict("already registered for this fair") from error
        await self.publish("registrations", document["_id"])

    async def registration(self, fair_id: UUID, registration_id: UUID) -> Registration:
        document = await self["registrations"].find_one(
            {"_id": str(registration_id), "fair_id": str(fair_id)}
        )
        if document is None:
            raise NotFound(f"no registration {registration_id} for this fair")
        return Registration.model_validate(from_document(document))

    async def registration_of(
        self, fair_id: UUID, kind: c.ParticipantKind, participant_id: UUID
    ) -> Registration:
        document = await self["registrations"].find_one(
            {"fair_id": str(fair_id), "participant_kind": kind.value, "participant_id": str(participant_id)}
        )
        if document is None:
            raise NotFound("you are not registered for this fair")
        return Registration.model_validate(from_document(document))

    async def registrations(
        self, fair_id: UUID, kind: c.ParticipantKind, *statuses: c.RegistrationStatus
    ) -> list[Registration]:
        query: Document = {"fair_id": str(fair_id), "participant_kind": kind.value, "erased": {"$ne": True}}
        if statuses:
            query["status"] = {"$in": [status.value for status in statuses]}
        cursor = (
            self["registrations"].find(query).sort([("queue_position", 1), ("registered_at", 1), ("_id", 1)])
        )
        return [Registration.model_validate(from_document(d)) async for d in cursor]

    async def count_registrations(
        self, fair_id: UUID, kind: c.ParticipantKind, status: c.RegistrationStatus
    ) -> int:
        query = {"fair_id": str(fair_id), "participant_kind": kind.value, "status": status.value}
        return int(await self["registrations"].count_documents(query))

    async def waitlist_length(self, fair_id: UUID) -> int:
        """How many employers ever joined this fair's waitlist: the next one's turn follows."""
        query = {"fair_id": str(fair_id), "queue_position": {"$ne": None}}
        return int(await self["registrations"].count_documents(query))

    async def set_registration(
        self, registration: Registration, expected: c.RegistrationStatus
    ) -> Registration:
        """Store the registration's new status (and stage its event) if it still had ``expected``."""
        fields = {k: v for k, v in as_document(registration).items() if k not in ("_id", "code")}
        document = await self._store.find_and_update(
            "registrations",
            {"_id": str(registration.id), "status": expected.value},
            {"$set": {**fields, **staged(*wrap(registration.event()))}},
        )
        if document is None:
            raise Conflict("the registration changed meanwhile: load it again")
        await self.publish("registrations", document["_id"])
        return Registration.model_validate(from_document(document))

    async def check_in(self, registration: Registration, at: datetime) -> Registration | None:
        """Mark the registration checked in, once; None when it already was."""
        document = await self._store.find_and_update(
            "registrations",
            {"_id": str(registration.id), "checked_in_at": None},
            {"$set": {"checked_in_at": stored_time(at), **staged(*wrap(registration.checked_in_event(at)))}},
        )
        if document is None:
            return None
        await self.publish("registrations", document["_id"])
        return Registration.model_validate(from_document(document))

    async def by_code(self, code: str) -> Registration:
        document = await self["registrations"].find_one({"code": code})
        if document is None:
            raise NotFound("no registration has this check-in code")
        return Registration.model_validate(from_document(document))

    # --- schedules -------------------------------------------------------------------

    async def save_schedule(
        self,
        fair: Fair,
        version: int,
        interviews: list[Document],
        booths: list[Document],
        events: list[Event],
        summary: Document,
    ) -> None:
        """Interviews of a new version, then one part document per event (each with its outbox),
        then the fair's pointer to the version, which makes it the current one."""
        if interviews:
            await self["interviews"].insert_many(interviews)
        for part, event in enumerate(events, start=1):
            part_id = f"{fair.id}:{version}:{part}"
            await self["schedule_parts"].insert_one(
                {"_id": part_id, "fair_id": str(fair.id), "version": version, **outbox(*wrap(event))}
            )
            await self.publish("schedule_parts", part_id)
        await self._store.update(
            "fairs",
            {"_id": str(fair.id)},
            {
                "$set": {
                    "schedule_version": version,
                    "booths": booths,
                    "schedule_summary": summary,
                    "released": [],
                    "status": FairStatus.SCHEDULED.value,
                }
            },
        )

    async def record_change(self, fair: Fair, change_id: str, event: Event) -> None:
        await self["schedule_parts"].insert_one(
            {
                "_id": change_id,
                "fair_id": str(fair.id),
                "version": fair.schedule_version,
                **outbox(*wrap(event)),
            }
        )
        await self.publish("schedule_parts", change_id)

    async def interviews(self, fair: Fair, **match: Any) -> list[Document]:
        query = {"fair_id": str(fair.id), "version": fair.schedule_version, **match}
        return [d async for d in self["interviews"].find(query).sort([("slot", 1), ("_id", 1)])]

    async def update_interviews(self, ids: Iterable[str], fields: Document) -> None:
        await self["interviews"].update_many({"_id": {"$in": list(ids)}}, {"$set": fields})

    async def booths(self, fair_id: UUID) -> list[Document]:
        """The booths of the current schedule whose employer is still taking part."""
        document = await self["fairs"].find_one({"_id": str(fair_id)}, {"booths": 1, "released": 1}) or {}
        released = set(document.get("released", []))
        return [booth for booth in document.get("booths", []) if booth["employer_id"] not in released]

    async def release_booth(self, fair_id: UUID, employer_id: UUID) -> None:
        """The employer withdrew or did not come: its booth takes no more interviews."""
        await self._store.update(
            "fairs", {"_id": str(fair_id)}, {"$addToSet": {"released": str(employer_id)}}
        )

    # --- outcomes --------------------------------------------------------------------

    async def record_outcome(self, document: Document, event: Event) -> None:
        """The pair's latest outcome replaces an earlier one; each is published."""
        fields = {key: value for key, value in document.items() if key != "_id"}
        await self._store.update(
            "outcomes", {"_id": document["_id"]}, {"$set": {**fields, **staged(*wrap(event))}}, upsert=True
        )
        await self.publish("outcomes", document["_id"])

    # --- read models -----------------------------------------------------------------

    async def upsert_newer(self, collection: str, document: Document) -> None:
        """Keep the newest version only: a replayed older event changes nothing."""
        fields = {key: value for key, value in document.items() if key != "_id"}
        with contextlib.suppress(DuplicateKeyError):  # the stored version is newer
            await self[collection].update_one(
                {"_id": document["_id"], "version": {"$lt": document["version"]}},
                {"$set": fields},
                upsert=True,
            )

    async def upsert_newer_many(self, collection: str, documents: list[Document]) -> None:
        """``upsert_newer`` for a batch: one read and one insert, a guarded update per newer one."""
        await set_newer_many(self._store, collection, documents)

    async def upsert(self, collection: str, document: Document) -> None:
        fields = {key: value for key, value in document.items() if key != "_id"}
        await self[collection].update_one({"_id": document["_id"]}, {"$set": fields}, upsert=True)

    async def erase_seeker(self, seeker_id: UUID, erased_at: datetime) -> None:
        """Forget the seeker: their profile and matches go; registrations, interviews and
        outcomes lose every trace of them but still count in the fair's figures."""
        seeker = str(seeker_id)
        await self.erasures.record(seeker_id, erased_at)
        await self["seekers"].delete_many({"_id": seeker})
        await self["matches"].delete_many({"seeker_id": seeker})
        # A random stand-in, the same in every document, so the fair's figures still join
        # a registration to its interviews; nothing leads from it back to the person.
        anonymous = f"erased-{uuid4()}"
        for collection, field in SEEKER_REFERENCES.items():
            for document in await self[collection].find({field: seeker}, {"_id": 1}).to_list():
                fields = {field: anonymous, "erased": True}
                if collection == "registrations":
                    fields["code"] = f"{anonymous}-{document['_id']}"  # codes stay unique
                await self._store.update(collection, {"_id": document["_id"]}, {"$set": fields})
