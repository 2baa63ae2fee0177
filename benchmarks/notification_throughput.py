"""Notifications decided and stored per second from a burst of match events through the real broker,
beside the same pipeline without deduplication, measured in the same run.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092 MONGO_URL=mongodb://127.0.0.1:37017/ \\
      .venv/bin/python -m benchmarks.notification_throughput [--events 100000] [--seekers 10000]

The burst goes onto a fresh match topic (``--repeats`` of it are redeliveries of earlier
events and re-matches of pairs already told, as a replay or a vacancy edit produces). Then the
notification service, built by its real bootstrap, consumes it from the beginning: the shared
delivery middleware (processed-events check and record), the decision against each seeker's
preferences and daily cap, and the store write. Each pipeline gets its own topic prefix,
consumer group and database; both are removed at the end. The baseline stores every event as
a new notification (random ids), so nothing is deduplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import time
from typing import Any
from unittest.mock import patch
from uuid import UUID, uuid4

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from services.notification import service_layer
from services.notification.bootstrap import create_app
from services.notification.core.config import Settings
from shared.events import Envelope, Topic, topic_name
from shared.events import catalogue as c
from shared.messaging.admin import ensure_topics, topic_plan
from shared.service import Service

PROGRESS_S = 5.0

CNC = c.ReasonSkill(zh="数控编程", en="CNC programming")


def burst(events: int, seekers: list[UUID], repeats: float, seed: int) -> list[Envelope[c.MatchFound]]:
    """Match events; a share of them repeat an earlier event or re-match an earlier pair."""
    rng = random.Random(seed)
    employer = uuid4()
    made: list[Envelope[c.MatchFound]] = []
    for _ in range(events):
        if made and rng.random() < repeats:
            earlier = rng.choice(made)
            if rng.random() < 0.5:
                made.append(earlier)  # the same event delivered again
                continue
            match = earlier.payload.model_copy(update={"score": round(rng.uniform(0.6, 1.0), 3)})
        else:
            match = c.MatchFound(
                seeker_id=rng.choice(seekers), vacancy_id=uuid4(), employer_id=employer,
                score=round(rng.uniform(0.6, 1.0), 3), rank=rng.randint(1, 50), model_version="cold-start-1",
                reasons=[c.MatchReason(code="skill_held", contribution=0.4, skill=CNC)],
            )  # fmt: skip
        made.append(Envelope.wrap(match, producer="matching"))
    return made


async def produce(settings: Settings, envelopes: list[Envelope[c.MatchFound]]) -> None:
    await ensure_topics(settings.kafka_bootstrap_servers, topic_plan(settings.topic_prefix))
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        linger_ms=20,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    try:
        topic = topic_name(c.MatchFound.topic, settings.topic_prefix)
        pending = []
        for envelope in envelopes:
            body = envelope.model_dump_json().encode()
            pending.append(await producer.send(topic, body, key=envelope.payload.key.encode()))
            if len(pending) >= 5_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def known_seekers(settings: Settings, seekers: list[UUID]) -> None:
    """The seekers as the service knows them after their registration events (default preferences)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    documents = [
        {
            "_id": str(s),
            "kind": "seeker",
            "known": True,
            "version": 1,
            "allow_contact": True,
            "profile_language": "zh-CN",
        }
        for s in seekers
    ]
    for start in range(0, len(documents), 5_000):
        await client[settings.mongo_database]["recipients"].insert_many(documents[start : start + 5_000])
    await client.close()


async def consume(settings: Settings, messages: int, *, deduplicate: bool, label: str) -> tuple[float, int]:
    """Start the service and time it until its consumer group has committed every message
    (offsets are committed only after the handler and its writes finished)."""
    app = create_app(settings)
    service: Service = app.state.service
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    with contextlib.nullcontext() if deduplicate else without_deduplication():
        started = time.perf_counter()
        await service.start()
        try:
            last = started
            while (done := await committed(admin, settings.consumer_group(Topic.MATCH))) < messages:
                if time.perf_counter() - last >= PROGRESS_S:
                    last = time.perf_counter()
                    print(
                        f"[{label}] {done:,}/{messages:,} events, {done / (last - started):,.0f}/s",
                        flush=True,
                    )
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
        finally:
            await service.stop()
            await admin.close()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    stored = await client[settings.mongo_database]["notifications"].count_documents({})
    await client.close()
    return elapsed, stored


def without_deduplication() -> contextlib.AbstractContextManager[Any]:
    """The baseline: every event kept as a new notification (a random id), so nothing is
    deduplicated. The service has no such switch; the benchmark swaps its document builder."""
    made = service_layer.notification_document

    def fresh(*arguments: Any) -> dict[str, Any]:
        return {**made(*arguments), "_id": str(uuid4())}

    return patch.object(service_layer, "notification_document", fresh)


async def committed(admin: AIOKafkaAdminClient, group: str) -> int:
    offsets = await admin.list_consumer_group_offsets(group)
    return sum(max(offset.offset, 0) for offset in offsets.values())


async def run(arguments: argparse.Namespace) -> None:
    unique = f"ntbench{uuid4().hex[:8]}"
    base = Settings(
        kafka_bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        mongo_url=os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/"),
        auth_secret="benchmark-only-secret-" + "x" * 32,
        delivery_poll_seconds=1.0,
    )
    rng = random.Random(arguments.seed)
    seekers = [UUID(int=rng.getrandbits(128), version=4) for _ in range(arguments.seekers)]
    envelopes = burst(arguments.events, seekers, arguments.repeats, arguments.seed)
    distinct_events = len({e.event_id for e in envelopes})
    pipelines = {
        "with deduplication": (True, "dedup"),
        "without deduplication (baseline)": (False, "baseline"),
    }
    results = {}
    try:
        for name, (deduplicate, label) in pipelines.items():
            settings = base.model_copy(
                update={"topic_prefix": f"{unique}.{label}.", "mongo_database": f"{unique}_{label}"}
            )
            await known_seekers(settings, seekers)
            started = time.perf_counter()
            await produce(settings, envelopes)
            produced_s = time.perf_counter() - started
            print(f"[{label}] {len(envelopes):,} match events produced in {produced_s:.1f} s", flush=True)
            results[name] = await consume(settings, len(envelopes), deduplicate=deduplicate, label=label)
    finally:
        await cleanup(base, unique, [label for _, label in pipelines.values()])
    total = len(envelopes)
    print(f"\n{total:,} match events ({distinct_events:,} distinct event ids), {len(seekers):,} seekers")
    print(f"{'pipeline':<36}{'seconds':>10}{'events/s':>12}{'stored':>10}{'stored/s':>12}")
    for name, (elapsed, stored) in results.items():
        rates = f"{total / elapsed:>12,.0f}{stored:>10,}{stored / elapsed:>12,.0f}"
        print(f"{name:<36}{elapsed:>10.1f}{rates}")


async def cleanup(settings: Settings, unique: str, labels: list[str]) -> None:
    """Drop the run's databases and delete its topics (each pipeline's families and dead letters)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    for label in labels:
        await client.drop_database(f"{unique}_{label}")
    await client.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        planned = {name for label in labels for name in topic_plan(f"{unique}.{label}.")}
        await admin.delete_topics(sorted(planned & existing))
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seekers", type=int, default=10_000)
    parser.add_argument("--repeats", type=float, default=0.1, help="share of redeliveries and re-matches")
    parser.add_argument("--seed", type=int, default=2026)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
