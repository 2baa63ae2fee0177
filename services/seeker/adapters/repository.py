"""The seeker service's store: seekers (account and profile in one document), credentials,
applications and invitation answers (each with its outbox), and read models of vacancies
and matches."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.seeker.domain.model import (
    Application,
    Credential,
    CredentialReview,
    Invitation,
    OpenVacancy,
    Seeker,
)
from shared.auth.accounts import Accounts
from shared.errors import Conflict, NotFound
from shared.events import Envelope, Event
from shared.events import catalogue as c
from shared.store.mongo import Document, Store, as_document, from_document
from shared.store.outbox import OutboxRelay, outbox, staged
from shared.store.read_model import ids_among, upsert_many
from shared.store.repository import Repository

PRODUCER = "seeker"
DUPLICATE_KEY = 11000
OUTBOX_COLLECTIONS = ("seekers", "credentials", "applications", "invitations", "erasures")
# Every collection holding a seeker's data, by the field naming the seeker; erased on deletion.
SEEKER_DATA = {"seekers": "_id", "credentials": "seeker_id", "applications": "seeker_id",
               "invitations": "seeker_id", "matches": "seeker_id"}  # fmt: skip


def wrap(*events: Event) -> list[Envelope[Any]]:
    return [Envelope.wrap(event, producer=PRODUCER) for event in events]


class SeekerStore(Repository):
    def __init__(self, store: Store, relay: OutboxRelay) -> None:
        super().__init__(store, relay)
        self.accounts = Accounts(store, collection="seekers")

    async def ensure_indexes(self) -> None:
        await self.accounts.ensure_indexes()
        await self["credentials"].create_index([("status", 1), ("declared_at", 1)])
        await self["credentials"].create_index("seeker_id")
        await self["applications"].create_index([("seeker_id", 1), ("vacancy_id", 1)], unique=True)
        await self["invitations"].create_index([("seeker_id", 1), ("received_at", -1)])
        await self["matches"].create_index([("seeker_id", 1), ("score", -1)])
        await self["vacancies"].create_index([("open", 1), ("city", 1)])

    # --- seekers -------------------------------------------------------------------

    async def add_seeker(self, account: Document, seeker: Seeker) -> None:
        """The account and its profile are one document, so registering is one write."""
        document = {**account, **as_document(seeker), **outbox(*wrap(seeker.state(c.SeekerRegistered)))}
        await self.accounts.insert(document)
        await self._relay.flush("seekers", document["_id"])

    async def add_seekers(self, documents: list[Document]) -> set[str]:
        """Many registrations in one write and their events in one batch; the ids refused as
        duplicates (an account with the id or the e-mail exists) are returned, the rest stored."""
        refused: set[str] = set()
        try:
            await self["seekers"].insert_many(documents, ordered=False)
        except BulkWriteError as error:
            failures = error.details["writeErrors"]
            if any(failure["code"] != DUPLICATE_KEY for failure in failures):
                raise
            refused = {documents[failure["index"]]["_id"] for failure in failures}
        await self._relay.flush_many("seekers", [d["_id"] for d in documents if d["_id"] not in refused])
        return refused

    async def seeker(self, seeker_id: UUID) -> Seeker:
        document = await self["seekers"].find_one({"_id": str(seeker_id)})
        if document is None:
            raise NotFound("this account no longer exists")
        return Seeker.model_validate(from_document(document))

    async def save_seeker(self, seeker: Seeker, event: Event) -> None:
        fields = {key: value for key, value in as_document(seeker).items() if key != "_id"}
        matched = await self._store.update(
            "seekers",
            {"_id": str(seeker.id), "version": seeker.version - 1},
            {"$set": {**fields, **staged(*wrap(event))}},
        )
        if not matched:
            raise Conflict("your profile was changed meanwhile: reload it and repeat the change")
        await self._relay.flush("seekers", str(seeker.id))

    async def erase(self, seeker_id: UUID, erased_at: datetime) -> None:
        """Delete the account: first the erasure record, which carries ``seeker.deleted`` in its
        outbox, then every document about the seeker. A crash in between is completed by this
        service's own handler of ``seeker.deleted``."""
        record = {"erased_at": erased_at.isoformat(), **staged(*wrap(c.SeekerDeleted(seeker_id=seeker_id)))}
        await self._store.update("erasures", {"_id": str(seeker_id)}, {"$set": record}, upsert=True)
        await self.forget(seeker_id)
        await self._relay.flush("erasures", str(seeker_id))

    async def forget(self, seeker_id: UUID) -> None:
        for collection, field in SEEKER_DATA.items():
            await self[collection].delete_many({field: str(seeker_id)})

    async def is_known(self, seeker_id: UUID) -> bool:
        return await self["seekers"].find_one({"_id": str(seeker_id)}, {"_id": 1}) is not None

    # --- credentials ---------------------------------------------------------------

    async def add_credential(self, credential: Credential) -> None:
        document = {**as_document(credential), **outbox(*wrap(credential.declared_event()))}
        await self["credentials"].insert_one(document)
        await self._relay.flush("credentials", document["_id"])

    async def credential(self, credential_id: UUID, seeker_id: UUID | None = None) -> Credential:
        query = {"_id": str(credential_id), **({"seeker_id": str(seeker_id)} if seeker_id else {})}
        document = await self["credentials"].find_one(query)
        if document is None:
            raise NotFound(f"no credential {credential_id}")
        return Credential.model_validate(from_document(document))

    async def save_review(self, credential: Credential, event: Event) -> None:
        fields = {
            key: credential.model_dump(mode="json")[key] for key in ("status", "reviewed_at", "review_note")
        }
        matched = await self._store.update(
            "credentials",
            {"_id": str(credential.id), "status": CredentialReview.PENDING.value},
            {"$set": {**fields, **staged(*wrap(event))}},
        )
        if not matched:
            raise Conflict("the credential was reviewed meanwhile")
        await self._relay.flush("credentials", str(credential.id))

    # --- applications and invitations ----------------------------------------------

    async def open_vacancy(self, vacancy_id: UUID) -> OpenVacancy:
        document = await self["vacancies"].find_one({"_id": str(vacancy_id)})
        if document is None:
            raise NotFound(f"no vacancy {vacancy_id}")
        return OpenVacancy.model_validate(from_document(document))

    async def add_application(self, application: Application, event: Event) -> None:
        document = {**as_document(application), **outbox(*wrap(event))}
        try:
            await self["applications"].insert_one(document)
        except DuplicateKeyError as error:
            previous = await self["applications"].find_one(
                {"seeker_id": document["seeker_id"], "vacancy_id": document["vacancy_id"]}
            )
            when = previous["applied_at"][:10] if previous else "earlier"
            raise Conflict(
                f"you already applied to this vacancy ({when}); one application per vacancy"
            ) from error
        await self._relay.flush("applications", document["_id"])

    async def invitation(self, invitation_id: UUID, seeker_id: UUID) -> Invitation:
        document = await self["invitations"].find_one(
            {"_id": str(invitation_id), "seeker_id": str(seeker_id)}
        )
        if document is None:
            raise NotFound(f"you have no invitation {invitation_id}")
        return Invitation.model_validate(from_document(document))

    async def save_answer(self, invitation: Invitation, event: Event) -> Invitation:
        answer = invitation.model_dump(mode="json", include={"status", "answered_at"})
        document = await self._store.find_and_update(
            "invitations",
            {"_id": str(invitation.id), "status": "pending"},
            {"$set": {**answer, **staged(*wrap(event))}},
        )
        if document is None:
            raise Conflict("you already answered this invitation")
        await self._relay.flush("invitations", str(invitation.id))
        return Invitation.model_validate(from_document(document))

    # --- read models from other services' events -----------------------------------

    async def apply_vacancy(self, vacancy_id: UUID, version: int, fields: Document, *, insert: bool) -> None:
        """Newest version wins; a replayed older event changes nothing."""
        with contextlib.suppress(DuplicateKeyError):  # the stored version is newer
            await self["vacancies"].update_one(
                {"_id": str(vacancy_id), "version": {"$lt": version}},
                {"$set": {**fields, "version": version}},
                upsert=insert,
            )

    async def add_invitation(self, invitation: Invitation) -> None:
        with contextlib.suppress(DuplicateKeyError):  # a replay
            await self["invitations"].insert_one(as_document(invitation))
        await self._drop_if_erased("invitations", str(invitation.id), invitation.seeker_id)

    async def known_among(self, seeker_ids: set[str]) -> set[str]:
        return await ids_among(self["seekers"], seeker_ids)

    async def upsert_matches(self, matches: list[Document]) -> None:
        await upsert_many(self["matches"], matches)
        seekers = {match["seeker_id"] for match in matches}
        gone = seekers - await self.known_among(seekers)  # erased between the check and the write
        for match in matches:
            if match["seeker_id"] in gone:
                await self["matches"].delete_one({"_id": match["_id"]})

    async def _drop_if_erased(self, collection: str, document_id: str, seeker_id: UUID) -> None:
        """Undo a write that raced with the seeker's erasure (checked before, erased since)."""
        if not await self.is_known(seeker_id):
            await self[collection].delete_one({"_id": document_id})
