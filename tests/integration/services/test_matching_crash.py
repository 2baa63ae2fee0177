"""The matching service killed while ranking republishes what it had told under the same event ids."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from services.matching.bootstrap import create_app
from shared.events import PARTITIONS, Envelope, Topic, topic_name
from shared.events import catalogue as c
from tests import factories
from tests.conftest import Namespace
from tests.helpers import running, service_process, serving, settings_for, topic_events, wait_for
from tests.integration.services.test_matching import stored_vacancies

pytestmark = [pytest.mark.integration, pytest.mark.security]

VACANCIES = 30
SEEKERS = 900
SKILLS = ["数控编程", "operate CNC machine", "阅读机械图纸", "AutoCAD", "焊接", "PLC编程", "质量检验"]


def market(seed: int) -> tuple[list[c.VacancyState], list[c.SeekerState]]:
    rng = random.Random(seed)
    vacancies = [
        factories.vacancy_state(skills=rng.sample(SKILLS, 3), min_experience_years=rng.randint(0, 5))
        for _ in range(VACANCIES)
    ]
    seekers = [
        factories.seeker_state(uuid4(), skills=rng.sample(SKILLS, 4), experience_years=rng.randint(0, 8))
        for _ in range(SEEKERS)
    ]
    return vacancies, seekers


@asynccontextmanager
async def match_topic(namespace: Namespace) -> AsyncIterator[AIOKafkaConsumer]:
    name = topic_name(Topic.MATCH, namespace.topic_prefix)
    consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(name, p) for p in range(PARTITIONS[Topic.MATCH])])
        await consumer.seek_to_beginning()
        yield consumer
    finally:
        await consumer.stop()


async def seen(consumer: AIOKafkaConsumer) -> int:
    """How many records ``consumer`` has read so far."""
    await consumer.getmany(timeout_ms=100)
    return sum([await consumer.position(partition) for partition in consumer.assignment()])


async def lag(namespace: Namespace, topic: Topic) -> int:
    """How far the matching service's group on ``topic`` is behind the topic's end."""
    group = settings_for(namespace, "matching").consumer_group(topic)
    name = topic_name(topic, namespace.topic_prefix)
    partitions = [TopicPartition(name, p) for p in range(PARTITIONS[topic])]
    admin = AIOKafkaAdminClient(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
        await admin.close()
    return sum(end - max(committed[p].offset if p in committed else 0, 0) for p, end in ends.items())


async def test_a_match_republished_after_a_sigkill_mid_ranking_keeps_its_event_id(
    namespace: Namespace,
) -> None:
    vacancies, seekers = market(seed=16)
    async with running(settings_for(namespace, "publisher")) as publisher:
        async with serving(create_app(settings_for(namespace, "matching"))):
            await publisher.publisher.publish_many(Envelope.wrap(v, producer="employer") for v in vacancies)
            await wait_for(
                stored_vacancies(namespace), until=lambda n: n == VACANCIES, what="the vacancies stored"
            )
        # All waiting when the process starts, so its first batches are full (500 seekers).
        await publisher.publisher.publish_many(Envelope.wrap(s, producer="seeker") for s in seekers)

    async with match_topic(namespace) as matches:
        with service_process(namespace, "matching") as first:
            # Killed once many of the first batch's matches (500 seekers, up to 10 each) are out,
            # and before the batch is recorded as told.
            await wait_for(
                lambda: seen(matches), until=lambda n: n >= 1_000, timeout=90, what="1,000 matches out"
            )
            first.processes["matching"].send_signal(signal.SIGKILL)
            first.processes["matching"].wait()
    assert await lag(namespace, Topic.SEEKER) > 0, "the kill must land while seekers are being ranked"

    with service_process(namespace, "matching") as second:
        await asyncio.to_thread(second.wait_ready, 90)
        await wait_for(
            lambda: lag(namespace, Topic.SEEKER),
            until=lambda n: n == 0,
            timeout=60,
            what="every seeker ranked",
        )
    events = await topic_events(namespace, Topic.MATCH)

    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event in events:
        ids[(event["payload"]["seeker_id"], event["payload"]["vacancy_id"])].add(event["event_id"])
    assert len(events) > len(ids), "some matches must have been published again after the restart"
    under_two_ids = {pair: found for pair, found in ids.items() if len(found) > 1}
    assert not under_two_ids, f"{len(under_two_ids)} of {len(ids)} pairs published under several event ids"

    # The service's own read models: every seeker kept, and every pair told recorded once.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        store = client[f"{namespace.database}_matching"]
        kept = {document["_id"] async for document in store["seekers"].find({}, {"_id": 1})}
        recorded = [(d["seeker_id"], d["vacancy_id"]) async for d in store["matches"].find({})]
    finally:
        await client.close()
    assert kept == {str(seeker.seeker_id) for seeker in seekers}, "every seeker ranked and kept"
    assert len(recorded) == len(set(recorded)), "a pair recorded twice"
    assert set(recorded) == set(ids), "the pairs recorded are exactly the pairs published"
