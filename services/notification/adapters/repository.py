"""The notification service's store: recipients (what events told us and what each person chose),
notifications (the inbox entry and its content), deliveries (each notification's push channels
with every attempt, and the events they cause in an outbox), the work queues of due deliveries
and held digest items, daily match counts, read models of vacancies, employers,
fairs and schedule parts, skipped events, and erasure records.

The local store (FerretDB on PostgreSQL, patched) answers ``_id`` equality and ``$in``, and
equality on the first field of an index, from an index, and scans for anything else, so every
lookup made per event is by ``_id``, and the background passes scan only the small queues
(``due``, ``digest_queue``), never the notifications.
"""

from __future__ import annotations

import contextlib
import secrets
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notification.domain.decision import Cause, Intent, Kind, Plan, Recipient, StoredCause
from services.notification.domain.delivery import Delivery
from services.notification.domain.preferences import Preferences
from shared.events import Envelope, Event
from shared.events import catalogue as c
from shared.store.mongo import Document
from shared.store.outbox import staged
from shared.store.read_model import set_newer_many
from shared.store.repository import Repository

PRODUCER = "notification"
DUPLICATE_KEY = 11000
FEW = 20
COUNT_SHARDS = 16
OUTBOX_COLLECTIONS = ("deliveries",)
# Every collection holding a person's data, by the field naming them; erased on seeker.deleted.
PERSONAL_DATA = {
    "recipients": "_id",
    "notifications": "recipient_id",
    "deliveries": "recipient_id",
    "due": "recipient_id",
    "digest_queue": "recipient_id",
    "skipped": "recipient_id",
    "waiting": "_id",
}


def wrap(*events: Event) -> list[Envelope[Any]]:
    return [Envelope.wrap(event, producer=PRODUCER) for event in events]


class NotificationStore(Repository):
    async def ensure_indexes(self) -> None:
        """For MongoDB; FerretDB v1 keeps them but answers from the ``_id`` index only."""
        await self["notifications"].create_index([("recipient_id", 1), ("in_inbox", 1), ("read", 1)])
        await self["deliveries"].create_index("dead_channels", sparse=True)
        await self["due"].create_index("next_due")
        await self["digest_queue"].create_index("due")
        for collection, field in PERSONAL_DATA.items():
            if field != "_id":
                await self[collection].create_index(field)

    # --- recipients ----------------------------------------------------------------

    async def recipient(self, recipient_id: UUID) -> Recipient | None:
        document = await self["recipients"].find_one({"_id": str(recipient_id)})
        return None if document is None else Recipient.model_validate({**document, "id": document["_id"]})

    async def recipients(self, recipient_ids: set[UUID]) -> dict[UUID, Recipient]:
        found = await self._by_ids("recipients", {str(i) for i in recipient_ids})
        return {UUID(key): Recipient.model_validate({**d, "id": key}) for key, d in found.items()}

    async def _by_ids(
        self, collection: str, ids: set[str], fields: Document | None = None
    ) -> dict[str, Document]:
        """Documents by ``_id``: one lookup each for a few (FerretDB v1 scans for ``$in``), one
        ``$in`` query for a batch (one scan there, an index walk on MongoDB)."""
        if len(ids) <= FEW:
            found = [await self[collection].find_one({"_id": key}, fields) for key in ids]
            return {d["_id"]: d for d in found if d is not None}
        return {d["_id"]: d async for d in self[collection].find({"_id": {"$in": sorted(ids)}}, fields)}

    async def seeker_states(self, states: list[c.SeekerState]) -> None:
        """The newest profile version wins; a replayed older event changes nothing, and an
        erased seeker's is not written at all (erasures arrive in this same ordered stream)."""
        erased = await self.erased_among({state.seeker_id for state in states})
        await set_newer_many(
            self._store,
            "recipients",
            [
                {
                    "_id": str(state.seeker_id),
                    "kind": c.RecipientKind.SEEKER.value,
                    "known": True,
                    "version": state.version,
                    "allow_contact": state.consent.allow_contact,
                    "profile_language": state.notification_language,
                }
                for state in states
                if state.seeker_id not in erased
            ],
        )

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

    # --- intents waiting for their recipient ------------------------------------------

    async def wait(self, parked: list[tuple[Cause, Intent]]) -> None:
        """Keep intents for people not known yet: one document per person (read by ``_id`` when
        they become known), an entry per notification id (so a replay adds nothing)."""
        by_person: dict[str, dict[str, Document]] = defaultdict(dict)
        for cause, intent in parked:
            by_person[str(intent.recipient_id)][f"intents.{intent.notification_id()}"] = {
                "event_id": str(cause.event_id),
                "event_type": cause.event_type,
                "recipient_kind": intent.recipient_kind.value,
                "kind": intent.kind.value,
                "subject_key": intent.subject_key,
                "content": intent.content,
                "score": intent.score,
            }
        for person, entries in by_person.items():
            await self._store.update("waiting", {"_id": person}, {"$set": entries}, upsert=True)

    async def waiting_for(self, person: UUID) -> list[tuple[Cause, Intent]]:
        document = await self["waiting"].find_one({"_id": str(person)}) or {}
        return [_waiting(person, entry) for entry in document.get("intents", {}).values()]

    async def waiting_among(self, people: set[UUID]) -> set[UUID]:
        """Which of ``people`` have intents waiting for them (one query)."""
        found = self["waiting"].find({"_id": {"$in": sorted(str(p) for p in people)}})
        return {UUID(document["_id"]) async for document in found if document.get("intents")}

    async def released(self, person: UUID, notification_ids: list[UUID]) -> None:
        """Forget these waiting intents (told now); any parked meanwhile stay."""
        entries = {f"intents.{notification_id}": "" for notification_id in notification_ids}
        await self._store.update("waiting", {"_id": str(person)}, {"$unset": entries})

    # --- erasure -------------------------------------------------------------------

    async def is_erased(self, seeker_id: UUID) -> bool:
        return await self["erasures"].find_one({"_id": str(seeker_id)}, {"_id": 1}) is not None

    async def erased_among(self, people: set[UUID]) -> set[UUID]:
        return {UUID(key) for key in await self._by_ids("erasures", {str(p) for p in people}, {"_id": 1})}

    async def erase(self, seeker_id: UUID, erased_at: datetime) -> None:
        """Remember only that the id was erased (so late events are skipped), then forget the rest."""
        await self["erasures"].replace_one(
            {"_id": str(seeker_id)}, {"erased_at": erased_at.isoformat()}, upsert=True
        )
        for collection, field in PERSONAL_DATA.items():
            await self[collection].delete_many({field: str(seeker_id)})
        async for shard in self["match_counts"].find({}, {"_id": 1}):
            await self["match_counts"].update_one(
                {"_id": shard["_id"]}, {"$unset": {f"counts.{seeker_id}": ""}}
            )

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
        found = await self._by_ids(collection, {str(i) for i in ids}, {field: 1})
        return {UUID(key): d[field] for key, d in found.items() if d.get(field)}

    async def schedule_parts(self, part: c.FairSchedulePublished) -> list[c.FairSchedulePublished] | None:
        """Keep this part; once every part of its version is here, all of them in order."""
        fields = {"fair_id": str(part.fair_id), "part": part.model_dump(mode="json")}
        await self["schedules"].replace_one(
            {"_id": _part_id(part.fair_id, part.schedule_version, part.part)}, fields, upsert=True
        )
        parts = []
        for number in range(1, part.parts + 1):
            stored = await self["schedules"].find_one(
                {"_id": _part_id(part.fair_id, part.schedule_version, number)}
            )
            if stored is None:
                return None
            parts.append(c.FairSchedulePublished.model_validate(stored["part"]))
        return parts

    async def earlier_schedule(self, fair_id: UUID, version: int) -> bool:
        return (
            await self["schedules"].find_one({"_id": _part_id(fair_id, version - 1, 1)}, {"_id": 1})
            is not None
        )

    # --- notifications -------------------------------------------------------------

    async def matches_on(self, days: set[tuple[UUID, str]]) -> dict[tuple[UUID, str], int]:
        """Match notifications kept per person and local day."""
        shards: dict[str, list[UUID]] = defaultdict(list)
        for person, day in days:
            shards[_count_shard(person, day)].append(person)
        counts: dict[tuple[UUID, str], int] = {}
        for shard, people in shards.items():
            found = (
                await self["match_counts"].find_one({"_id": shard}, {f"counts.{p}": 1 for p in people}) or {}
            )
            day = shard.split("/")[0]
            counts.update({(p, day): int(found.get("counts", {}).get(str(p), 0)) for p in people})
        return counts

    async def add(self, kept: list[tuple[Document, Plan]]) -> set[str]:
        """Keep notifications in one write and queue their work; returns the ids that are new
        (an id already kept is the same recipient and subject: not kept twice).

        The queue entries are written for every one, as a replay after a crash needs them; a
        worker finding nothing to do drops its entry. Counts grow by the new ones only, so a
        crash between the writes leaves a day's count short (the cap a little generous).
        FerretDB v1 updates one document per round trip (and a bulk of updates of existing
        documents stalls it), so a batch makes inserts and one update per count shard."""
        if not kept:
            return set()
        new = await self._insert_new("notifications", [document for document, _ in kept])
        await self._insert_new("deliveries", [delivery_document(d, p) for d, p in kept if p.deliveries])
        entry = {d["_id"]: {"_id": d["_id"], "recipient_id": d["recipient_id"]} for d, _ in kept}
        await self._insert_new(
            "due",
            [{**entry[d["_id"]], "next_due": min(p.deliveries.values())} for d, p in kept if p.deliveries],
        )
        await self._insert_new(
            "digest_queue", [{**entry[d["_id"]], "due": p.digest_due} for d, p in kept if p.digest_due]
        )
        shards: dict[str, Counter[str]] = defaultdict(Counter)
        for document, _ in kept:
            if document["_id"] in new and document["kind"] == Kind.MATCH.value:
                person = UUID(document["recipient_id"])
                shards[_count_shard(person, document["local_day"])][str(person)] += 1
        for shard, counts in shards.items():
            increments = {f"counts.{person}": n for person, n in counts.items()}
            await self._store.update("match_counts", {"_id": shard}, {"$inc": increments}, upsert=True)
        # Undo what raced with an erasure (checked before, erased since).
        erased = {str(p) for p in await self.erased_among({UUID(d["recipient_id"]) for d, _ in kept})}
        for document, _ in kept:
            if document["recipient_id"] in erased:
                for collection in ("notifications", "deliveries", "due", "digest_queue"):
                    await self[collection].delete_one({"_id": document["_id"]})
                new.discard(document["_id"])
        return new

    async def _insert_new(self, collection: str, documents: list[Document]) -> set[str]:
        """Insert in one write; those whose ``_id`` is already there are left as they are."""
        if not documents:
            return set()
        try:
            await self[collection].insert_many(documents, ordered=False)
            return {document["_id"] for document in documents}
        except BulkWriteError as error:
            errors = error.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            refused = {e["index"] for e in errors}
            return {document["_id"] for i, document in enumerate(documents) if i not in refused}

    async def skip(self, skipped: list[tuple[UUID, str, UUID | None, str]]) -> None:
        """Record skipped events (event id, type, recipient, reason); an erased person's id is
        not kept, only that an event for someone erased was skipped."""
        records = {
            f"{event_id}:{person or 'erased'}": {
                "event_type": kind, "reason": reason, "recipient_id": str(person) if person else None,
            }
            for event_id, kind, person, reason in skipped
        }  # fmt: skip
        await self._insert_new("skipped", [{"_id": key, **fields} for key, fields in records.items()])

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[tuple[Document, Document]]:
        """Deliveries with one due, with their notification, each claimed until ``lease_until``
        (a crashed claimer's lease runs out and the delivery is tried again)."""
        entries = await self["due"].find({"next_due": {"$lte": now}}, {"_id": 1}).limit(limit).to_list()
        claimed = []
        for entry in entries:
            taken = await self._store.find_and_update(
                "due", {"_id": entry["_id"], "next_due": {"$lte": now}}, {"$set": {"next_due": lease_until}}
            )
            deliveries = await self.deliveries(UUID(entry["_id"])) if taken else None
            notification = await self.notification(UUID(entry["_id"])) if deliveries else None
            if deliveries is not None and notification is not None:
                claimed.append((deliveries, notification))
            elif taken is not None:
                await self["due"].delete_one({"_id": entry["_id"]})  # erased since
        return claimed

    async def save_deliveries(
        self, notification_id: str, changed: dict[str, Delivery], events: list[Event]
    ) -> bool:
        """Store the outcome of attempts with their events, then when the next one is due;
        False when the notification is gone."""
        table = self["deliveries"]
        async with self._store.lock("deliveries", notification_id):
            document = await table.find_one({"_id": notification_id}, {"deliveries": 1, "recipient_id": 1})
            if document is None:
                return False  # erased meanwhile
            stored = {channel: Delivery.model_validate(d) for channel, d in document["deliveries"].items()}
            deliveries = {**stored, **changed}
            fields: Document = {f"deliveries.{ch}": d.model_dump(mode="json") for ch, d in changed.items()}
            fields["dead_channels"] = sorted(ch for ch, d in deliveries.items() if d.status == "dead")
            await table.update_one({"_id": notification_id}, {"$set": {**fields, **staged(*wrap(*events))}})
        await self._relay.flush("deliveries", notification_id)
        pending = [d.due_at for d in deliveries.values() if d.status == "pending"]
        if pending:
            entry = {"recipient_id": document["recipient_id"], "next_due": min(pending)}
            await self["due"].replace_one({"_id": notification_id}, entry, upsert=True)
        else:
            await self["due"].delete_one({"_id": notification_id})
        return True

    async def notification(self, notification_id: UUID, recipient_id: UUID | None = None) -> Document | None:
        document: Document | None = await self["notifications"].find_one({"_id": str(notification_id)})
        if document is None or (recipient_id is not None and document["recipient_id"] != str(recipient_id)):
            return None
        return document

    async def deliveries(self, notification_id: UUID) -> Document | None:
        document: Document | None = await self["deliveries"].find_one({"_id": str(notification_id)})
        return document

    async def mark_read(self, notification_id: UUID, recipient_id: UUID) -> Document | None:
        query = {"_id": str(notification_id), "recipient_id": str(recipient_id), "in_inbox": True}
        return await self._store.find_and_update("notifications", query, {"$set": {"read": True}})

    async def held_for_digest(self, now: datetime, limit: int) -> list[Document]:
        """Held matches whose digest is due; those already in a digest (a replay) are dropped."""
        entries = await self["digest_queue"].find({"due": {"$lte": now}}).limit(limit).to_list()
        held = []
        for entry in entries:
            document = await self.notification(UUID(entry["_id"]))
            if document is None or document.get("digested"):
                await self["digest_queue"].delete_one({"_id": entry["_id"]})
            else:
                held.append(document)
        return held

    async def digested(self, notification_ids: list[str]) -> None:
        for notification_id in notification_ids:
            await self["notifications"].update_one({"_id": notification_id}, {"$set": {"digested": True}})
            await self["digest_queue"].delete_one({"_id": notification_id})


def _count_shard(person: UUID, day: str) -> str:
    """Counts live in a few documents per day (a field per person), not one per person."""
    return f"{day}/{person.int % COUNT_SHARDS}"


def _part_id(fair_id: UUID, version: int, part: int) -> str:
    return f"{fair_id}:{version}:{part}"


def notification_document(intent: Intent, plan: Plan, now: datetime, local_day: str) -> Document:
    """One notification as stored: inbox entry, content, the digest it is held for."""
    return {
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
        "digest_day": plan.digest_day.isoformat() if plan.digest_day else None,
    }


def delivery_document(notification: Document, plan: Plan) -> Document:
    """A notification's push deliveries as planned; what staff see (no content, no address)."""
    fields = ("_id", "recipient_id", "recipient_kind", "kind", "subject_key", "created_at")
    deliveries = {channel.value: Delivery(due_at=at) for channel, at in plan.deliveries.items()}
    return {
        **{field: notification[field] for field in fields},
        "deliveries": {channel: d.model_dump(mode="json") for channel, d in deliveries.items()},
        "dead_channels": [],
    }


def _waiting(person: UUID, entry: Document) -> tuple[Cause, Intent]:
    cause = StoredCause(UUID(entry["event_id"]), entry["event_type"])
    kind, subject = Kind(entry["kind"]), entry["subject_key"]
    recipient_kind = c.RecipientKind(entry["recipient_kind"])
    return cause, Intent(person, recipient_kind, kind, subject, entry["content"], entry["score"])
