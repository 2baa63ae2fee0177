"""The notification service's store: recipients (what events told us and what each person chose),
notifications (inbox entry, planned deliveries and their outbox in one document), read models of
vacancies, employers, fairs and schedule parts, skipped events, and erasure records."""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notification.domain.decision import Intent, Plan, Recipient
from services.notification.domain.delivery import Delivery
from services.notification.domain.preferences import Preferences
from shared.events import Envelope, Event
from shared.events import catalogue as c
from shared.store.mongo import Document, Store
from shared.store.outbox import OutboxRelay, staged

PRODUCER = "notification"
OUTBOX_COLLECTIONS = ("notifications",)
# Every collection holding a person's data, by the field naming them; erased on seeker.deleted.
PERSONAL_DATA = {"recipients": "_id", "notifications": "recipient_id", "skipped": "recipient_id"}


def wrap(*events: Event) -> list[Envelope[Any]]:
    return [Envelope.wrap(event, producer=PRODUCER) for event in events]


class NotificationStore:
    def __init__(self, store: Store, relay: OutboxRelay) -> None:
        self._store = store
        self._relay = relay

    def __getitem__(self, collection: str) -> Any:
        return self._store.database()[collection]

    async def ensure_indexes(self) -> None:
        await self["notifications"].create_index([("recipient_id", 1), ("in_inbox", 1), ("read", 1)])
        await self["notifications"].create_index([("recipient_id", 1), ("kind", 1), ("local_day", 1)])
        await self["notifications"].create_index("next_due", sparse=True)
        await self["notifications"].create_index("digest_due", sparse=True)
        await self["notifications"].create_index("dead_channels", sparse=True)
        await self["schedules"].create_index([("fair_id", 1), ("version", 1)])
        await self["skipped"].create_index("recipient_id", sparse=True)

    # --- recipients ----------------------------------------------------------------

    async def recipient(self, recipient_id: UUID) -> Recipient | None:
        document = await self["recipients"].find_one({"_id": str(recipient_id)})
        return None if document is None else Recipient.model_validate({**document, "id": document["_id"]})

    async def recipients(self, recipient_ids: list[UUID]) -> dict[UUID, Recipient]:
        found = self["recipients"].find({"_id": {"$in": [str(i) for i in recipient_ids]}})
        return {UUID(d["_id"]): Recipient.model_validate({**d, "id": d["_id"]}) async for d in found}

    async def seeker_state(self, state: c.SeekerState) -> None:
        """The newest profile version wins; a replayed older event changes nothing."""
        fields = {
            "kind": c.RecipientKind.SEEKER.value,
            "known": True,
            "version": state.version,
            "allow_contact": state.consent.allow_contact,
            "profile_language": state.notification_language,
        }
        seeker_id = str(state.seeker_id)
        with contextlib.suppress(DuplicateKeyError):  # the stored version is newer
            await self._store.update(
                "recipients",
                {"_id": seeker_id, "$or": [{"version": {"$lt": state.version}}, {"version": None}]},
                {"$set": fields},
                upsert=True,
            )
        await self._drop_if_erased("recipients", seeker_id, state.seeker_id)

    async def employer_registered(self, employer: c.EmployerRegistered) -> None:
        employer_id = str(employer.employer_id)
        await self["employers"].replace_one({"_id": employer_id}, {"name": employer.name}, upsert=True)
        fields = {"kind": c.RecipientKind.EMPLOYER.value, "known": True}
        await self._store.update("recipients", {"_id": employer_id}, {"$set": fields}, upsert=True)

    async def save_preferences(
        self, recipient_id: UUID, kind: c.RecipientKind, chosen: Preferences
    ) -> Recipient | None:
        """Store what the person chose (None when the seeker was erased meanwhile); a webhook
        gets its signing secret the first time."""
        current = await self.recipient(recipient_id)
        secret = current.webhook_secret if current and current.webhook_secret else None
        if chosen.webhook_url is not None and secret is None:
            secret = secrets.token_urlsafe(32)
        fields = {"kind": kind.value, "preferences": chosen.model_dump(mode="json"), "webhook_secret": secret}
        await self._store.update("recipients", {"_id": str(recipient_id)}, {"$set": fields}, upsert=True)
        if kind is c.RecipientKind.SEEKER:
            await self._drop_if_erased("recipients", str(recipient_id), recipient_id)
        return await self.recipient(recipient_id)

    # --- erasure -------------------------------------------------------------------

    async def is_erased(self, seeker_id: UUID) -> bool:
        return await self["erasures"].find_one({"_id": str(seeker_id)}, {"_id": 1}) is not None

    async def erase(self, seeker_id: UUID, erased_at: datetime) -> None:
        """Remember only that the id was erased (so late events are skipped), then forget the rest."""
        await self["erasures"].replace_one(
            {"_id": str(seeker_id)}, {"erased_at": erased_at.isoformat()}, upsert=True
        )
        for collection, field in PERSONAL_DATA.items():
            await self[collection].delete_many({field: str(seeker_id)})

    async def _drop_if_erased(self, collection: str, document_id: str, seeker_id: UUID) -> None:
        """Undo a write that raced with the seeker's erasure (checked before, erased since)."""
        if await self.is_erased(seeker_id):
            await self[collection].delete_one({"_id": document_id})

    # --- read models for the wording of messages ------------------------------------

    async def vacancy_state(self, vacancy_id: UUID, version: int, fields: Document) -> None:
        with contextlib.suppress(DuplicateKeyError):  # the stored version is newer
            await self["vacancies"].update_one(
                {"_id": str(vacancy_id), "version": {"$lt": version}},
                {"$set": {**fields, "version": version}},
                upsert=True,
            )

    async def fair_scheduled(self, fair: c.FairScheduled) -> None:
        fields = {"title": fair.title, "venue": fair.venue, "starts_at": fair.starts_at.isoformat()}
        await self["fairs"].replace_one({"_id": str(fair.fair_id)}, fields, upsert=True)

    async def names(self, collection: str, ids: set[UUID], field: str) -> dict[UUID, str]:
        found = self[collection].find({"_id": {"$in": [str(i) for i in ids]}}, {field: 1})
        return {UUID(d["_id"]): d[field] async for d in found if d.get(field)}

    async def schedule_parts(self, part: c.FairSchedulePublished) -> list[c.FairSchedulePublished] | None:
        """Keep this part; once every part of its version is here, all of them in order."""
        document_id = f"{part.fair_id}:{part.schedule_version}:{part.part}"
        fields = {
            "fair_id": str(part.fair_id),
            "version": part.schedule_version,
            "part": part.model_dump(mode="json"),
        }
        await self["schedules"].replace_one({"_id": document_id}, fields, upsert=True)
        query = {"fair_id": str(part.fair_id), "version": part.schedule_version}
        parts = [document["part"] async for document in self["schedules"].find(query)]
        if len(parts) < part.parts:
            return None
        return sorted((c.FairSchedulePublished.model_validate(p) for p in parts), key=lambda p: p.part)

    async def earlier_schedule(self, fair_id: UUID, version: int) -> bool:
        query = {"fair_id": str(fair_id), "version": {"$lt": version}}
        return await self["schedules"].find_one(query, {"_id": 1}) is not None

    # --- notifications -------------------------------------------------------------

    async def matches_on(self, recipient_id: UUID, local_day: str) -> int:
        query = {"recipient_id": str(recipient_id), "kind": "match", "local_day": local_day}
        return int(await self["notifications"].count_documents(query))

    async def add(self, document: Document) -> bool:
        """Keep one notification; False when its id (recipient and subject) is already kept."""
        try:
            await self["notifications"].insert_one(document)
        except DuplicateKeyError:
            return False
        await self._drop_if_erased("notifications", document["_id"], UUID(document["recipient_id"]))
        return True

    async def add_many(self, documents: list[Document]) -> int:
        """Keep a batch in one write; those already kept (same ids) are left as they are."""
        if not documents:
            return 0
        try:
            result = await self["notifications"].insert_many(documents, ordered=False)
            return len(result.inserted_ids)
        except BulkWriteError as error:
            errors = error.details.get("writeErrors", [])
            if not errors or any(e.get("code") != 11000 for e in errors):
                raise
            return len(documents) - len(errors)

    async def skip(self, event_id: UUID, event_type: str, recipient_id: UUID | None, reason: str) -> None:
        """Record a skipped event; an erased person's id is not kept, only that one was skipped."""
        document_id = f"{event_id}:{recipient_id or 'erased'}"
        fields = {
            "event_type": event_type,
            "reason": reason,
            "recipient_id": str(recipient_id) if recipient_id else None,
        }
        await self["skipped"].replace_one({"_id": document_id}, fields, upsert=True)

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Document]:
        """Notifications with a delivery due, each claimed until ``lease_until`` (a crashed
        claimer's lease runs out and the delivery is tried again)."""
        due = await self["notifications"].find({"next_due": {"$lte": now}}, {"_id": 1}).limit(limit).to_list()
        claimed = []
        for document in due:
            taken = await self._store.find_and_update(
                "notifications",
                {"_id": document["_id"], "next_due": {"$lte": now}},
                {"$set": {"next_due": lease_until}},
            )
            if taken is not None:
                claimed.append(taken)
        return claimed

    async def save_deliveries(
        self, notification_id: str, changed: dict[str, Delivery], events: list[Event]
    ) -> bool:
        """Store the outcome of attempts with their events; False when the notification is gone."""
        table = self["notifications"]
        async with self._store.lock("notifications", notification_id):
            document = await table.find_one({"_id": notification_id}, {"deliveries": 1})
            if document is None:
                return False  # erased meanwhile
            stored = {channel: Delivery.model_validate(d) for channel, d in document["deliveries"].items()}
            deliveries = {**stored, **changed}
            fields: Document = {f"deliveries.{ch}": d.model_dump(mode="json") for ch, d in changed.items()}
            fields["dead_channels"] = sorted(ch for ch, d in deliveries.items() if d.status == "dead")
            update: Document = {"$set": {**fields, **staged(*wrap(*events))}}
            pending = [d.due_at for d in deliveries.values() if d.status == "pending"]
            if pending:
                update["$set"]["next_due"] = min(pending)
            else:
                update["$unset"] = {"next_due": ""}
            await table.update_one({"_id": notification_id}, update)
        await self._relay.flush("notifications", notification_id)
        return True

    async def notification(self, notification_id: UUID, recipient_id: UUID | None = None) -> Document | None:
        query = {"_id": str(notification_id), **({"recipient_id": str(recipient_id)} if recipient_id else {})}
        document: Document | None = await self["notifications"].find_one(query)
        return document

    async def mark_read(self, query: Document) -> Document | None:
        return await self._store.find_and_update("notifications", query, {"$set": {"read": True}})

    async def held_for_digest(self, now: datetime, limit: int) -> list[Document]:
        held: list[Document] = (
            await self["notifications"].find({"digest_due": {"$lte": now}}).limit(limit).to_list()
        )
        return held

    async def digested(self, notification_ids: list[str]) -> None:
        await self["notifications"].update_many(
            {"_id": {"$in": notification_ids}}, {"$unset": {"digest_due": ""}, "$set": {"digested": True}}
        )


def notification_document(intent: Intent, plan: Plan, now: datetime, local_day: str) -> Document:
    """One notification as stored: inbox entry, planned deliveries, digest hold."""
    deliveries = {channel.value: Delivery(due_at=at) for channel, at in plan.deliveries.items()}
    document: Document = {
        "_id": str(intent.notification_id()),
        "recipient_id": str(intent.recipient_id),
        "recipient_kind": intent.recipient_kind.value,
        "kind": intent.kind.value,
        "subject_key": intent.subject_key,
        "content": intent.content,
        "in_inbox": plan.in_inbox,
        "read": False,
        "created_at": now,
        "local_day": local_day,
        "deliveries": {channel: d.model_dump(mode="json") for channel, d in deliveries.items()},
    }
    if deliveries:
        document["next_due"] = min(d.due_at for d in deliveries.values())
    if plan.digest_due is not None:
        document["digest_due"] = plan.digest_due
        document["digest_day"] = plan.digest_day.isoformat() if plan.digest_day else None
    return document
