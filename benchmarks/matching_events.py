"""Events in to match events out, through the real broker and store, beside the broker alone.

    .venv/bin/python -m benchmarks.matching_events [--vacancies 300] [--seekers 2000]

Starts the test infrastructure when it is not running (as the test suite does), then, under
a topic prefix and database of its own (removed at the end):

1. baseline: the same seeker events through Kafka to a bare consumer that only reads
   them, the broker's own ceiling on this machine;
2. the matching service in this process: ``--vacancies`` postings are loaded first, then
   ``--seekers`` registrations are published in one burst; each is handled (stored, ranked
   against the open vacancies, its matches published, then recorded). The
   clock stops when every registration has been processed and every match it caused is
   on the match topic.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from benchmarks.infra import infrastructure
from services.matching.bootstrap import create_app
from shared.config import ServiceSettings
from shared.events import PARTITIONS, Envelope, Event, Topic, topic_name
from shared.messaging.admin import delete_topics, ensure_topics, topic_plan
from shared.store.mongo import drop_databases
from shared.synthetic import SyntheticMarket

DEADLINE_S = 600.0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vacancies", type=int, default=300)
    parser.add_argument("--seekers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    kafka, mongo = infrastructure()
    unique = f"bench{uuid4().hex[:8]}"
    settings = ServiceSettings(
        service_name="matching", kafka_bootstrap_servers=kafka, topic_prefix=f"{unique}.", mongo_url=mongo,
        mongo_database=f"{unique}_matching", http_port=8103, auth_secret=secrets.token_urlsafe(48),
    )  # fmt: skip
    synthetic = SyntheticMarket(arguments.seed, vacancies=arguments.vacancies, seekers=arguments.seekers)
    deadline = (datetime.now(UTC) + timedelta(days=60)).date()
    vacancies = [
        synthetic.vacancy_event(i).model_copy(update={"deadline": deadline})
        for i in range(arguments.vacancies)
    ]
    seekers = [synthetic.seeker_event(i)[0] for i in range(arguments.seekers)]
    try:
        await ensure_topics(kafka, topic_plan(settings.topic_prefix))
        baseline = await broker_alone(settings, seekers)
        handled, matches = await through_matching(settings, vacancies, seekers)
    finally:
        await clean_up(kafka, mongo, unique)
    print(f"\n{arguments.seekers:,} seeker registrations, {arguments.vacancies:,} open vacancies")
    print(f"{'':<58}{'seconds':>9}{'events/s':>10}")
    for name, seconds in (
        ("  broker alone: published and read back", baseline),
        ("  matching service: handled, matches published", handled),
    ):
        print(f"{name:<58}{seconds:>9.2f}{len(seekers) / seconds:>10,.0f}")
    print(f"  {matches:,} match events out ({matches / handled:,.0f} per second)")


async def send(kafka: str, prefix: str, events: list[Event], topic: str | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all", linger_ms=5)
    await producer.start()
    try:
        pending = []
        for event in events:
            envelope = Envelope.wrap(event, producer="benchmark")
            pending.append(
                await producer.send(
                    topic or topic_name(event.topic, prefix),
                    envelope.model_dump_json().encode(),
                    key=event.key.encode(),
                    headers=[(name, value.encode()) for name, value in envelope.headers.items()],
                )
            )
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def count_records(kafka: str, topic: str, partitions: int, expected: int | None) -> int:
    """Read a topic from the start until ``expected`` records (or, if None, until its end)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(assigned) if expected is None else {}
        seen, started = 0, time.monotonic()
        while time.monotonic() - started < DEADLINE_S:
            batches = await consumer.getmany(timeout_ms=200)
            seen += sum(len(records) for records in batches.values())
            if expected is not None and seen >= expected:
                return seen
            if expected is None and all([await consumer.position(p) >= e for p, e in ends.items()]):
                return seen
        raise TimeoutError(f"{topic}: {seen} records after {DEADLINE_S:.0f} s")
    finally:
        await consumer.stop()


async def broker_alone(settings: ServiceSettings, seekers: list[Any]) -> float:
    topic = f"{settings.topic_prefix}baseline"
    await ensure_topics(settings.kafka_bootstrap_servers, {topic: PARTITIONS[Topic.SEEKER]})
    print(f"[events] baseline: {len(seekers):,} events through the broker alone", flush=True)
    started = time.perf_counter()
    reader = asyncio.create_task(
        count_records(settings.kafka_bootstrap_servers, topic, PARTITIONS[Topic.SEEKER], len(seekers))
    )
    await send(settings.kafka_bootstrap_servers, settings.topic_prefix, seekers, topic)
    await reader
    return time.perf_counter() - started


async def through_matching(
    settings: ServiceSettings, vacancies: list[Any], seekers: list[Any]
) -> tuple[float, int]:
    app = create_app(settings)
    store: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    database = store[settings.mongo_database]
    kafka, prefix = settings.kafka_bootstrap_servers, settings.topic_prefix
    match_topic, partitions = topic_name(Topic.MATCH, prefix), PARTITIONS[Topic.MATCH]
    try:
        async with app.router.lifespan_context(app):
            print(f"[events] loading {len(vacancies):,} vacancies", flush=True)
            await send(kafka, prefix, vacancies)
            await until(lambda: database["vacancies"].count_documents({}), len(vacancies), "vacancies stored")
            already = await count_records(kafka, match_topic, partitions, None)
            print(f"[events] {len(seekers):,} seeker registrations in one burst", flush=True)
            started = time.perf_counter()
            await send(kafka, prefix, seekers)
            # A seeker's state is stored after its matches: stored means handled.
            await until(lambda: database["seekers"].count_documents({}), len(seekers), "seekers handled")
            told = await database["matches"].count_documents({}) - already
            await count_records(kafka, match_topic, partitions, already + told)
            return time.perf_counter() - started, told
    finally:
        await store.close()


async def until(probe: Any, target: int, what: str) -> None:
    started, last = time.monotonic(), -1
    while time.monotonic() - started < DEADLINE_S:
        value = await probe()
        if value >= target:
            return
        if value != last:
            print(f"[events]   {what}: {value:,} of {target:,}", flush=True)
            last = value
        await asyncio.sleep(0.5)
    raise TimeoutError(f"{what}: not done after {DEADLINE_S:.0f} s")


async def clean_up(kafka: str, mongo: str, unique: str) -> None:
    await drop_databases(mongo, unique)
    await delete_topics(kafka, unique)


if __name__ == "__main__":
    asyncio.run(main())
