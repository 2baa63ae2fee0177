"""The same-document outbox against the real store and broker: nothing staged is lost or reordered."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.config import ServiceSettings
from shared.events import PARTITIONS, Envelope, Topic, parse_event, topic_name
from shared.events import catalogue as c
from shared.messaging.publisher import EventPublisher, Record
from shared.store.outbox import OUTBOX, PENDING, OutboxRelay, outbox, staged
from tests.conftest import Namespace
from tests.helpers import running, settings_for, topic_events, wait_for

pytestmark = pytest.mark.integration

Db = AsyncDatabase[dict[str, Any]]
EMPLOYER = uuid4()
COLLECTION = "vacancies"


def state(vacancy_id: UUID, version: int, kind: type[c.VacancyState] = c.VacancyUpdated) -> Envelope[Any]:
    payload = kind(
        vacancy_id=vacancy_id, employer_id=EMPLOYER, version=version, title=f"数控机床操作工 v{version}",
        description="负责数控车床的编程与操作。Operates CNC lathes.", city="安阳",
        salary=c.SalaryRange(min=6000, max=9000), talent_category=c.TalentCategory.HIGH_SKILL,
        deadline=date(2030, 12, 31),
    )  # fmt: skip
    return Envelope.wrap(payload, producer="employer")


def closed(vacancy_id: UUID, version: int) -> Envelope[Any]:
    payload = c.VacancyClosed(vacancy_id=vacancy_id, employer_id=EMPLOYER, version=version, reason="招满了")
    return Envelope.wrap(payload, producer="employer")


def history(vacancy_id: UUID, versions: int) -> list[Envelope[Any]]:
    """posted v1, updated v2 .. v(n-1), closed vn: the order a consumer must see them in."""
    events = [state(vacancy_id, 1, c.VacancyPosted)]
    events += [state(vacancy_id, version) for version in range(2, versions)]
    return [*events, closed(vacancy_id, versions)]


@pytest.fixture
def settings(namespace: Namespace) -> ServiceSettings:
    return settings_for(namespace, "relay")


@pytest.fixture
async def db(settings: ServiceSettings) -> AsyncIterator[Db]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    yield client[settings.mongo_database]
    await client.close()


async def read_topic(
    namespace: Namespace, until: Callable[[list[Envelope[Any]]], bool], what: str
) -> list[tuple[str, Envelope[Any]]]:
    """(key, envelope) of every record on the vacancy topic, each partition in offset order."""
    name = topic_name(Topic.VACANCY, namespace.topic_prefix)
    consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(name, p) for p in range(PARTITIONS[Topic.VACANCY])])
        await consumer.seek_to_beginning()
        records: list[tuple[str, Envelope[Any]]] = []

        async def more() -> list[tuple[str, Envelope[Any]]]:
            batch = await consumer.getmany(timeout_ms=100)
            for partition in sorted(batch, key=lambda tp: tp.partition):
                for record in batch[partition]:
                    records.append((record.key.decode(), parse_event(record.value)))
            return records

        await wait_for(more, until=lambda r: until([envelope for _, envelope in r]), what=what)
        return records
    finally:
        await consumer.stop()


def ids(envelopes: Iterable[Envelope[Any]]) -> list[UUID]:
    return [envelope.event_id for envelope in envelopes]


def scrambled(document: dict[str, Any]) -> dict[str, Any]:
    """The outbox entries in reverse key order: the relay must order by staging, not by key."""
    entries = document[OUTBOX]
    return {**document, OUTBOX: dict(reversed(list(entries.items())))}


async def pending(db: Db) -> int:
    return int(await db[COLLECTION].count_documents(PENDING))


async def test_events_staged_before_a_crash_are_published_in_order_when_the_service_starts(
    namespace: Namespace, settings: ServiceSettings, db: Db
) -> None:
    # A process wrote these documents and died before publishing anything.
    first, second = uuid4(), uuid4()
    first_events, second_events = history(first, 12), history(second, 3)
    await db[COLLECTION].insert_one(
        scrambled({"_id": str(first), "title": "数控机床操作工", "version": 12, **outbox(*first_events)})
    )
    await db[COLLECTION].insert_one({"_id": str(second), "title": "焊工 welder", **outbox(second_events[0])})
    for envelope in second_events[1:]:  # later changes, each staged by its own update
        await db[COLLECTION].update_one({"_id": str(second)}, {"$set": staged(envelope)})
    await db[COLLECTION].insert_one({"_id": "no-events", "title": "无事件"})
    assert await pending(db) == 2

    async with running(settings, outbox_collections=[COLLECTION]):
        records = await read_topic(namespace, lambda r: len(set(ids(r))) >= 15, what="15 staged events")
        await wait_for(lambda: pending(db), until=lambda n: n == 0, what="the outbox emptied")

    for vacancy, events in ((first, first_events), (second, second_events)):
        published = [envelope for key, envelope in records if key == str(vacancy)]
        firsts = list(dict.fromkeys(ids(published)))  # a duplicate may follow, never precede
        assert firsts == ids(events)
        assert [e.payload.version for e in published[: len(events)]] == list(range(1, len(events) + 1))
        assert published[0] == events[0]  # the staged envelope itself, unchanged
    assert {key for key, _ in records} == {str(first), str(second)}

    documents = {d["_id"]: d async for d in db[COLLECTION].find()}
    assert not any(document.get(OUTBOX) for document in documents.values())
    assert (documents[str(first)]["title"], documents[str(first)]["version"]) == ("数控机床操作工", 12)
    assert documents["no-events"] == {"_id": "no-events", "title": "无事件"}


class Interrupting:
    """A publisher that publishes for real, then runs ``after`` once: a write or a crash."""

    def __init__(self, inner: EventPublisher, after: Callable[[], Awaitable[None]]) -> None:
        self.inner = inner
        self.after: Callable[[], Awaitable[None]] | None = after
        self.batches: list[list[UUID]] = []

    async def publish_records(self, records: Iterable[Record]) -> int:
        batch = list(records)
        self.batches.append([UUID(record.headers["event_id"]) for record in batch])
        count = await self.inner.publish_records(batch)
        if self.after is not None:
            after, self.after = self.after, None
            await after()
        return count


async def test_an_event_staged_while_the_relay_publishes_is_kept_and_published_next(
    namespace: Namespace, settings: ServiceSettings, db: Db
) -> None:
    vacancy = uuid4()
    first, second = state(vacancy, 1, c.VacancyPosted), closed(vacancy, 2)
    await db[COLLECTION].insert_one({"_id": str(vacancy), "status": "open", **outbox(first)})

    async def a_concurrent_change() -> None:  # lands after the relay read the document
        await db[COLLECTION].update_one(
            {"_id": str(vacancy)}, {"$set": {"status": "closed", **staged(second)}}
        )

    async with running(settings) as service:
        publisher = Interrupting(service.publisher, a_concurrent_change)
        relay = OutboxRelay(service.store, publisher, [COLLECTION])  # type: ignore[arg-type]
        assert await relay.flush(COLLECTION, str(vacancy)) == 1
        document = await db[COLLECTION].find_one({"_id": str(vacancy)})
        assert document is not None
        assert document["status"] == "closed"
        assert list(document[OUTBOX]) == [str(second.event_id)]  # only the published entry went

        assert await relay.sweep() == 1
        assert publisher.batches == [[first.event_id], [second.event_id]]
        records = await read_topic(namespace, lambda r: len(r) >= 2, what="both events")

    assert [envelope for _, envelope in records] == [first, second]
    assert await pending(db) == 0


async def test_a_crash_after_publishing_repeats_the_same_events_not_new_ones(
    namespace: Namespace, settings: ServiceSettings, db: Db
) -> None:
    vacancy = uuid4()
    events = history(vacancy, 3)
    await db[COLLECTION].insert_one({"_id": str(vacancy), **outbox(*events)})

    async def crash() -> None:
        raise ConnectionResetError("the process died before clearing its outbox")

    async with running(settings) as service:
        publisher = Interrupting(service.publisher, crash)
        relay = OutboxRelay(service.store, publisher, [COLLECTION])  # type: ignore[arg-type]
        assert await relay.flush(COLLECTION, str(vacancy)) == 0  # failed: retried at the next tick
        assert await pending(db) == 1
        assert await relay.retry_unflushed() == 3
        assert await relay.retry_unflushed() == 0  # nothing left to repeat
        assert await relay.sweep() == 0
        records = await read_topic(namespace, lambda r: len(r) >= 6, what="the events twice")

    published = [envelope for _, envelope in records]
    assert Counter(ids(published)) == {event.event_id: 2 for event in events}
    assert published == [*events, *events]  # byte-for-byte the same envelopes, in order, twice
    assert {key for key, _ in records} == {str(vacancy)}
    assert await pending(db) == 0


async def test_the_sweep_pages_through_more_documents_than_one_batch(
    namespace: Namespace, settings: ServiceSettings, db: Db
) -> None:
    vacancies = [uuid4() for _ in range(7)]
    staged_events = {vacancy: history(vacancy, 2) for vacancy in vacancies}
    await db[COLLECTION].insert_many(
        [{"_id": str(vacancy), **outbox(*events)} for vacancy, events in staged_events.items()]
    )
    async with running(settings) as service:
        relay = OutboxRelay(service.store, service.publisher, [COLLECTION], batch_size=3)
        assert await relay.flush(COLLECTION, "not-there") == 0
        assert await relay.sweep() == 14
        records = await read_topic(namespace, lambda r: len(r) >= 14, what="14 events")
    for vacancy, events in staged_events.items():
        assert [envelope for key, envelope in records if key == str(vacancy)] == events
    assert await pending(db) == 0


class Racing:
    """A publisher that, once the events are out, starts a write without waiting for it.

    The write then runs alongside the relay's clearing of the published entries, as a
    request changing the same document at that moment would.
    """

    def __init__(self, inner: EventPublisher) -> None:
        self.inner = inner
        self.write: Callable[[], Coroutine[Any, Any, Any]] | None = None
        self.started: list[asyncio.Task[Any]] = []

    async def publish_records(self, records: Iterable[Record]) -> int:
        count = await self.inner.publish_records(records)
        if self.write is not None:
            write, self.write = self.write, None
            self.started.append(asyncio.create_task(write()))
            await asyncio.sleep(0)  # let it send its update before the relay sends its own
        return count


async def test_a_write_racing_the_relay_is_neither_lost_nor_unpublished(
    namespace: Namespace, settings: ServiceSettings, db: Db
) -> None:
    """A real race, not a staged one: tries up to 30 times and stops at the first loss."""
    async with running(settings) as service:
        publisher = Racing(service.publisher)
        relay = OutboxRelay(service.store, publisher, [COLLECTION])  # type: ignore[arg-type]
        for _ in range(30):
            vacancy = uuid4()
            first, second = state(vacancy, 1, c.VacancyPosted), closed(vacancy, 2)
            await db[COLLECTION].insert_one({"_id": str(vacancy), "status": "open", **outbox(first)})

            async def change(vacancy: UUID = vacancy, second: Envelope[Any] = second) -> Any:
                update = {"$set": {"status": "closed", **staged(second)}}
                return await service.store.update(COLLECTION, {"_id": str(vacancy)}, update)

            publisher.write = change
            await relay.flush(COLLECTION, str(vacancy))
            await asyncio.gather(*publisher.started)
            await relay.sweep()
            document = await db[COLLECTION].find_one({"_id": str(vacancy)})
            assert document is not None
            assert document["status"] == "closed", "an acknowledged write was lost"
            assert not document.get(OUTBOX), document
    # Every publication was acknowledged before the loop ended: the topic is read to its end.
    events = await topic_events(namespace, Topic.VACANCY)
    assert len({e["event_id"] for e in events}) == len(events), "an event published twice"
    assert Counter(e["event_type"] for e in events) == {"vacancy.posted": 30, "vacancy.closed": 30}


async def test_an_entry_that_no_longer_parses_is_published_as_staged_and_blocks_nothing(
    namespace: Namespace, settings: ServiceSettings, db: Db
) -> None:
    # Staged by an older release: this event's payload lacked a field the current schema requires.
    poison = state(uuid4(), 1, c.VacancyPosted)
    body = poison.model_dump(mode="json")
    del body["payload"]["salary"]
    entry = outbox(poison)[OUTBOX][str(poison.event_id)]
    await db[COLLECTION].insert_one(
        {"_id": "old", OUTBOX: {str(poison.event_id): {**entry, "body": json.dumps(body)}}}
    )
    vacancy = uuid4()
    good = state(vacancy, 1, c.VacancyPosted)
    await db[COLLECTION].insert_one({"_id": str(vacancy), **outbox(good)})  # its flush failed

    async with running(settings) as service:
        relay = OutboxRelay(service.store, service.publisher, [COLLECTION])
        assert await relay.sweep() == 2
        raw = await topic_events(namespace, Topic.VACANCY)
    # The relay publishes records as staged, never re-parsing them; consumers dead-letter the old one.
    assert sorted(event["event_id"] for event in raw) == sorted([str(poison.event_id), str(good.event_id)])
    assert [e for e in raw if e["event_id"] == str(good.event_id)] == [json.loads(good.model_dump_json())]
    for document_id in ("old", str(vacancy)):
        document = await db[COLLECTION].find_one({"_id": document_id})
        assert document is not None
        assert not document.get(OUTBOX)
