"""The employer service's store: its own aggregates (with their outbox) and its read models."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo.errors import DuplicateKeyError

from services.employer.domain.model import (
    Invitation,
    InvitationStatus,
    Organisation,
    OrganisationStatus,
    Vacancy,
)
from shared.auth.accounts import Accounts
from shared.errors import Conflict, NotFound
from shared.events import Envelope, Event
from shared.store.mongo import Document, Store, as_document, from_document
from shared.store.outbox import OutboxRelay, outbox, staged
from shared.store.read_model import ids_among, set_newer_many, upsert_many
from shared.store.repository import Repository

PRODUCER = "employer"
# Collections whose documents stage events; the relay sweeps these.
OUTBOX_COLLECTIONS = ("organisations", "vacancies", "invitations")
# Everything the service keeps about a seeker, erased on seeker.deleted.
SEEKER_DATA = ("seekers", "candidates", "applications", "invitations")


def wrap(*events: Event) -> list[Envelope[Any]]:
    return [Envelope.wrap(event, producer=PRODUCER) for event in events]


class EmployerStore(Repository):
    def __init__(self, store: Store, relay: OutboxRelay) -> None:
        super().__init__(store, relay)
        self.accounts = Accounts(store)

    async def ensure_indexes(self) -> None:
        await self.accounts.ensure_indexes()
        await self["organisations"].create_index("owner_id", unique=True, sparse=True)
        await self["organisations"].create_index([("status", 1), ("registered_at", 1)])
        await self["vacancies"].create_index([("employer_id", 1), ("status", 1), ("posted_at", -1)])
        await self["invitations"].create_index([("employer_id", 1), ("sent_at", -1)])
        await self["invitations"].create_index([("vacancy_id", 1), ("seeker_id", 1)])
        await self["candidates"].create_index([("vacancy_id", 1), ("score", -1)])
        await self["candidates"].create_index("seeker_id")
        await self["applications"].create_index([("vacancy_id", 1), ("seeker_id", 1)], unique=True)

    async def _publish(self, collection: str, document_id: str) -> None:
        await self._relay.flush(collection, document_id)

    # --- organisations -------------------------------------------------------------

    async def add_organisation(self, organisation: Organisation) -> None:
        document = {**as_document(organisation), **outbox(*wrap(organisation.registered_event()))}
        try:
            await self["organisations"].insert_one(document)
        except DuplicateKeyError as error:
            raise Conflict("this account already registered an organisation") from error
        await self._publish("organisations", document["_id"])

    async def organisation(self, organisation_id: UUID) -> Organisation:
        document = await self["organisations"].find_one({"_id": str(organisation_id)})
        if document is None:
            raise NotFound(f"no organisation {organisation_id}")
        return Organisation.model_validate(from_document(document))

    async def organisation_of(self, owner_id: UUID) -> Organisation | None:
        document = await self["organisations"].find_one({"owner_id": str(owner_id)})
        return Organisation.model_validate(from_document(document)) if document else None

    async def review_organisation(self, organisation: Organisation, event: Event, note: str) -> Organisation:
        status = (
            OrganisationStatus.APPROVED
            if event.event_type == "employer.approved"
            else OrganisationStatus.REJECTED
        )
        reviewed_at = datetime.now(UTC).isoformat()
        document = await self._store.find_and_update(
            "organisations",
            {"_id": str(organisation.id), "status": OrganisationStatus.PENDING.value},
            {
                "$set": {
                    "status": status.value,
                    "reviewed_at": reviewed_at,
                    "review_note": note,
                    **staged(*wrap(event)),
                }
            },
        )
        if document is None:
            raise Conflict("the organisation was reviewed meanwhile")
        await self._publish("organisations", document["_id"])
        return Organisation.model_validate(from_document(document))

    # --- vacancies -----------------------------------------------------------------

    async def add_vacancy(self, vacancy: Vacancy, event: Event) -> None:
        document = {**as_document(vacancy), **outbox(*wrap(event))}
        await self["vacancies"].insert_one(document)
        await self._publish("vacancies", document["_id"])

    async def vacancy(self, vacancy_id: UUID, employer_id: UUID) -> Vacancy:
        """One of ``employer_id``'s vacancies; another organisation's id is simply not found."""
        document = await self["vacancies"].find_one({"_id": str(vacancy_id), "employer_id": str(employer_id)})
        if document is None:
            raise NotFound(f"your organisation has no vacancy {vacancy_id}")
        return Vacancy.model_validate(from_document(document))

    async def save_vacancy(self, vacancy: Vacancy, event: Event) -> None:
        """Replace the stored vacancy if nobody changed it meanwhile (its version is one behind)."""
        fields = {key: value for key, value in as_document(vacancy).items() if key != "_id"}
        matched = await self._store.update(
            "vacancies",
            {"_id": str(vacancy.id), "version": vacancy.version - 1},
            {"$set": {**fields, **staged(*wrap(event))}},
        )
        if not matched:
            raise Conflict("the vacancy was changed meanwhile: load it again and repeat the change")
        await self._publish("vacancies", str(vacancy.id))

    # --- invitations ---------------------------------------------------------------

    async def add_invitation(self, invitation: Invitation) -> None:
        document = {**as_document(invitation), **outbox(*wrap(invitation.sent_event()))}
        await self["invitations"].insert_one(document)
        await self._publish("invitations", document["_id"])

    async def record_answer(
        self, invitation_id: UUID, employer_id: UUID, accepted: bool, contact: Document | None
    ) -> None:
        status = InvitationStatus.ACCEPTED if accepted else InvitationStatus.DECLINED
        await self._store.update(
            "invitations",
            {"_id": str(invitation_id), "employer_id": str(employer_id)},
            {
                "$set": {
                    "status": status.value,
                    "answered_at": datetime.now(UTC).isoformat(),
                    "contact": contact,
                }
            },
        )

    # --- read models from other services' events -----------------------------------

    async def is_erased(self, seeker_id: UUID) -> bool:
        return await self["erasures"].find_one({"_id": str(seeker_id)}) is not None

    async def upsert_seekers(self, seekers: list[Document]) -> None:
        """Keep the newest profile version only: a replayed older event changes nothing."""
        await set_newer_many(self._store, "seekers", seekers)

    async def erased_among(self, seeker_ids: set[str]) -> set[str]:
        return await ids_among(self["erasures"], seeker_ids)

    async def upsert_candidates(self, candidates: list[Document]) -> None:
        await upsert_many(self["candidates"], candidates)

    async def add_application(self, application: Document) -> None:
        await self._insert_once("applications", application)

    async def _insert_once(self, collection: str, document: Document) -> None:
        with contextlib.suppress(DuplicateKeyError):  # a replay of an event already applied
            await self[collection].insert_one(document)

    async def erase_seeker(self, seeker_id: UUID, erased_at: datetime) -> None:
        """Forget the seeker everywhere in this store; keep only ids and time for audit."""
        await self["erasures"].update_one(
            {"_id": str(seeker_id)}, {"$setOnInsert": {"erased_at": erased_at.isoformat()}}, upsert=True
        )
        for collection in SEEKER_DATA:
            key = "_id" if collection == "seekers" else "seeker_id"
            await self[collection].delete_many({key: str(seeker_id)})
