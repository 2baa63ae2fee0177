"""A poison message among healthy ones, and an event of a newer schema, for every service that
consumes them, on the real broker and store: the healthy ones are applied, the bad one alone
is dead-lettered with its reason."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.employer.bootstrap import create_app as employer_app
from services.fair.bootstrap import create_app as fair_app
from services.matching.bootstrap import create_app as matching_app
from services.notification.bootstrap import create_app as notification_app
from services.notification.core.config import Settings as NotificationSettings
from services.seeker.bootstrap import create_app as seeker_app
from shared.config import ServiceSettings
from shared.events import Envelope, Event, Topic, dead_letter_topic, topic_name
from shared.events import catalogue as c
from shared.messaging.admin import ensure_topics, topic_plan
from tests import factories
from tests.conftest import ROOT, Namespace
from tests.helpers import consumed, publish_envelopes, serving, settings_for, topic_events, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.security]

Database = AsyncDatabase[dict[str, Any]]
NUL = "\x00"  # the store (FerretDB on PostgreSQL) refuses it in any string
TOO_BIG = 2**63  # no 8-byte integer holds it: the driver refuses it
TRAP_SCORE = 0.4242
SCORES = (0.5 + step / 1000 for step in itertools.count())


def notification_app_for(settings: ServiceSettings) -> FastAPI:
    return notification_app(NotificationSettings(**settings.model_dump()))


APPS: dict[str, Callable[[ServiceSettings], FastAPI]] = {
    "matching": matching_app,
    "notification": notification_app_for,
    "employer": employer_app,
    "seeker": seeker_app,
    "fair": fair_app,
}


def vacancy() -> Event:
    return factories.vacancy_state()


def seeker() -> Event:
    return factories.seeker_state(uuid4())


def match() -> Event:
    """A match with a score of its own (the fair's poison collides with a stored score)."""
    return factories.match_found(uuid4(), uuid4(), uuid4(), score=next(SCORES), rank=1)


def vacancy_id(event: Event) -> str:
    return str(event.vacancy_id)  # type: ignore[attr-defined]


def seeker_id(event: Event) -> str:
    return str(event.seeker_id)  # type: ignore[attr-defined]


def pair(event: Event) -> str:
    return f"{event.vacancy_id}:{event.seeker_id}"  # type: ignore[attr-defined]


async def nothing(_: Database, __: list[Event]) -> None:
    return None


async def known_seekers(database: Database, events: list[Event]) -> None:
    """The seeker service keeps matches of the seekers it knows only."""
    await database["seekers"].insert_many([{"_id": seeker_id(event)} for event in events])


async def score_trap(database: Database, _: list[Event]) -> None:
    """The fair service keeps nothing of a match a store could refuse, so the test makes the
    store refuse one: a unique index that the poison's score collides with."""
    await database["matches"].create_index("score", unique=True)
    await database["matches"].insert_one({"_id": "trap", "score": TRAP_SCORE})


@dataclass(frozen=True)
class Subscriber:
    """A batch subscriber: its service and topic, a healthy event, how to poison one, and where
    the service keeps what it applied (collection and document id)."""

    service: str
    topic: Topic
    healthy: Callable[[], Event]
    poison: dict[str, Any]
    collection: str
    document_id: Callable[[Event], str]
    prepare: Callable[[Database, list[Event]], Awaitable[None]] = nothing

    def __str__(self) -> str:
        return f"{self.service}-{self.topic.value}"

    def poisoned(self, event: Event) -> Event:
        update = {key: make(event) if callable(make) else make for key, make in self.poison.items()}
        return event.model_copy(update=update)  # unchecked, as a faulty producer might send it


def bad_reason(_: Event) -> list[c.MatchReason]:
    return [c.MatchReason(code="skills_matched", contribution=0.4, detail=f"数控{NUL}编程")]


BATCH_SUBSCRIBERS = [
    Subscriber("matching", Topic.VACANCY, vacancy, {"title": f"数控{NUL}操作工"}, "vacancies", vacancy_id),
    Subscriber("matching", Topic.SEEKER, seeker, {"display_name": f"王{NUL}小明"}, "seekers", seeker_id),
    Subscriber("notification", Topic.SEEKER, seeker, {"version": TOO_BIG}, "recipients", seeker_id),
    Subscriber("notification", Topic.MATCH, match, {"reasons": bad_reason}, "waiting", seeker_id),
    Subscriber("employer", Topic.SEEKER, seeker, {"display_name": f"王{NUL}小明"}, "seekers", seeker_id),
    Subscriber("employer", Topic.MATCH, match, {"model_version": f"v{NUL}1"}, "candidates", pair),
    Subscriber("seeker", Topic.MATCH, match, {"model_version": f"v{NUL}1"}, "matches", pair, known_seekers),
    Subscriber("fair", Topic.SEEKER, seeker, {"version": TOO_BIG}, "seekers", seeker_id),
    Subscriber("fair", Topic.MATCH, match, {"score": TRAP_SCORE}, "matches", pair, score_trap),
]


@asynccontextmanager
async def database_of(settings: ServiceSettings) -> AsyncIterator[Database]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    try:
        yield client[settings.mongo_database]
    finally:
        await client.close()


async def publish_on_one_partition(namespace: Namespace, topic: Topic, bodies: list[bytes]) -> None:
    """Put these bodies on ``topic`` under one key: one partition, in this order."""
    await ensure_topics(namespace.infra.kafka_bootstrap_servers, topic_plan(namespace.topic_prefix))
    producer = AIOKafkaProducer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        key = uuid4().bytes
        for body in bodies:
            await producer.send_and_wait(topic_name(topic, namespace.topic_prefix), body, key=key)
    finally:
        await producer.stop()


async def dead_letters(namespace: Namespace, topic: Topic) -> list[dict[str, str]]:
    """The headers of every record on the topic's dead-letter topic so far, and the event id
    in its body."""
    name = dead_letter_topic(topic_name(topic, namespace.topic_prefix))
    consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await consumer.start()
    try:
        partition = TopicPartition(name, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning()
        end = (await consumer.end_offsets([partition]))[partition]
        records: list[Any] = []
        while len(records) < end:
            batch = await consumer.getmany(timeout_ms=200)
            records.extend(record for part in batch.values() for record in part)
        return [
            {"body.event_id": json.loads(record.value)["event_id"]}
            | {name: value.decode() for name, value in record.headers}
            for record in records
        ]
    finally:
        await consumer.stop()


async def run_until_consumed(namespace: Namespace, service: str, topic: Topic, bodies: list[bytes]) -> None:
    """Publish ``bodies`` before the service starts (so they come as one batch), then run the
    service until its group has committed all of them."""
    await publish_on_one_partition(namespace, topic, bodies)
    async with serving(APPS[service](settings_for(namespace, service))):
        await wait_for(
            lambda: consumed(namespace, service, topic), until=bool, timeout=60, what=f"{service} done"
        )


async def applied(database: Database, collection: str, ids: list[str]) -> list[str]:
    found = {document["_id"] async for document in database[collection].find({"_id": {"$in": ids}})}
    return [document_id for document_id in ids if document_id in found]


def body(event: Event, **envelope: Any) -> bytes:
    return Envelope.wrap(event, producer="test").model_copy(update=envelope).model_dump_json().encode()


@pytest.mark.parametrize("subscriber", BATCH_SUBSCRIBERS, ids=str)
async def test_a_poison_message_is_dead_lettered_alone_and_its_neighbours_are_applied(
    namespace: Namespace, subscriber: Subscriber
) -> None:
    events = [subscriber.healthy() for _ in range(5)]
    events[1] = subscriber.poisoned(events[1])
    envelopes = [Envelope.wrap(event, producer="test") for event in events]
    settings = settings_for(namespace, subscriber.service)
    async with database_of(settings) as database:
        await subscriber.prepare(database, events)
        await run_until_consumed(
            namespace, subscriber.service, subscriber.topic, [e.model_dump_json().encode() for e in envelopes]
        )
        ids = [subscriber.document_id(event) for event in events]
        assert await applied(database, subscriber.collection, ids) == [ids[0], *ids[2:]]

    [dead] = await dead_letters(namespace, subscriber.topic)
    assert dead["body.event_id"] == str(envelopes[1].event_id)
    assert dead["dlq.service"] == subscriber.service
    assert dead["dlq.offset"] == "1"
    assert dead["dlq.error"]


@dataclass(frozen=True)
class VacancyConsumer:
    service: str
    collection: str = "vacancies"

    def __str__(self) -> str:
        return self.service


VACANCY_CONSUMERS = [VacancyConsumer(name) for name in ("matching", "notification", "seeker", "fair")]


@pytest.mark.parametrize("consumer", VACANCY_CONSUMERS, ids=str)
async def test_an_event_of_a_newer_major_schema_is_dead_lettered_and_an_unknown_type_is_skipped(
    namespace: Namespace, consumer: VacancyConsumer
) -> None:
    vacancies = [vacancy() for _ in range(3)]
    newer, unknown = vacancies[1], vacancy()
    unknown_type = body(unknown).replace(b'"vacancy.posted"', b'"vacancy.promoted"', 1)
    bodies = [body(vacancies[0]), body(newer, schema_version=99), unknown_type, body(vacancies[2])]
    settings = settings_for(namespace, consumer.service)
    async with database_of(settings) as database:
        await run_until_consumed(namespace, consumer.service, Topic.VACANCY, bodies)
        ids = [vacancy_id(event) for event in [*vacancies, unknown]]
        assert await applied(database, consumer.collection, ids) == [ids[0], ids[2]]

    [dead] = await dead_letters(namespace, Topic.VACANCY)
    assert dead["dlq.offset"] == "1"
    assert dead["dlq.service"] == consumer.service
    assert "schema_version 99" in dead["dlq.error"], dead["dlq.error"]


def test_every_batch_subscriber_of_the_project_is_covered() -> None:
    """A new batch subscriber must join ``BATCH_SUBSCRIBERS``."""
    found = {
        (handlers.parent.name, Topic[topic].value)
        for handlers in (ROOT / "services").glob("*/handlers.py")
        for topic in re.findall(r"subscribe_batch\(router, settings, Topic\.(\w+)", handlers.read_text())
    }
    assert found == {(s.service, s.topic.value) for s in BATCH_SUBSCRIBERS}


async def test_vacancies_beside_a_poison_one_are_matched_once_each(namespace: Namespace) -> None:
    """A failed attempt of the batch ranked and told them; applying them again tells nothing twice."""
    settings = settings_for(namespace, "matching")
    fitting = factories.seeker_state(
        uuid4(), skills=["数控编程", "AutoCAD", "阅读机械图纸"], desired_cities=["安阳"]
    )
    async with serving(matching_app(settings)):  # the seeker in the store, so in the market at the next start
        await publish_envelopes(namespace, Envelope.wrap(fitting, producer="seeker"))
        async with database_of(settings) as database:
            await wait_for(lambda: database["seekers"].count_documents({}), until=bool, what="the seeker")
    jobs = [factories.vacancy_state(skills=["数控编程", "阅读机械图纸"]) for _ in range(5)]
    jobs[1] = jobs[1].model_copy(update={"title": f"数控{NUL}操作工"})

    await run_until_consumed(namespace, "matching", Topic.VACANCY, [body(job) for job in jobs])

    told = Counter(
        event["payload"]["vacancy_id"]
        for event in await topic_events(namespace, Topic.MATCH)
        if event["payload"]["seeker_id"] == str(fitting.seeker_id)
    )
    assert [told[vacancy_id(job)] for job in jobs[:1] + jobs[2:]] == [1, 1, 1, 1]
