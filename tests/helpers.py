"""Waiting on conditions with deadlines (never fixed sleeps), and test service wiring."""

import asyncio
import json
import random
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI
from faststream.kafka import KafkaRouter

from deploy.local.processes import ServiceProcesses
from shared.config import ServiceSettings
from shared.events import Envelope, Event, Topic, topic_name
from shared.events.topics import PARTITIONS
from shared.messaging.delivery import RetryPolicy
from shared.service import Service
from shared.store.inbox import ProcessedEvents
from tests.conftest import AUTH_SECRET, ROOT, Namespace

T = TypeVar("T")
POLL_S = 0.05
PROBE_GRACE_S = 10.0
"""How long past the deadline one probe may take before waiting for it counts as a hang."""


async def wait_for(
    probe: Callable[[], Awaitable[T]], *, until: Callable[[T], bool], timeout: float = 30.0, what: str
) -> T:
    """Poll ``probe`` until ``until(value)`` holds; fail with the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0) + PROBE_GRACE_S):
                value = await probe()
        except TimeoutError:
            raise AssertionError(f"the probe for {what} hung past the deadline ({timeout:.0f} s)") from None
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last value: {value!r}")
        await asyncio.sleep(POLL_S)


def settings_for(namespace: Namespace, name: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=name,
        kafka_bootstrap_servers=namespace.infra.kafka_bootstrap_servers,
        topic_prefix=namespace.topic_prefix,
        mongo_url=namespace.infra.mongo_url,
        mongo_database=f"{namespace.database}_{name}",
        http_port=8000,
        auth_secret=AUTH_SECRET,
        outbox_sweep_seconds=0.5,
    )


FAST_RETRY = RetryPolicy(attempts=3, first_backoff_s=0.01, multiplier=2.0, outage_pause_s=0.05)


@asynccontextmanager
async def running(
    settings: ServiceSettings,
    *routers: KafkaRouter,
    retry: RetryPolicy = FAST_RETRY,
    outbox_collections: Sequence[str] = (),
) -> AsyncIterator[Service]:
    """A service built by the real bootstrap, consuming from the real broker, in this process.

    With ``outbox_collections`` its outbox relay sweeps those collections from the start.
    """
    service = Service(settings, routers=list(routers), retry=retry, outbox_collections=outbox_collections)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (broker, store, outbox relay) running, and a client for it."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://service.test") as client,
    ):
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def _reading(namespace: Namespace, topic: Topic) -> AsyncIterator[AIOKafkaConsumer]:
    name = topic_name(topic, namespace.topic_prefix)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=namespace.infra.kafka_bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(name, p) for p in range(PARTITIONS[topic])])
        await consumer.seek_to_beginning()
        yield consumer
    finally:
        await consumer.stop()


async def _more(consumer: AIOKafkaConsumer, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    batches = await consumer.getmany(timeout_ms=200)
    events.extend(json.loads(record.value) for records in batches.values() for record in records)
    return events


async def topic_events(namespace: Namespace, topic: Topic) -> list[dict[str, Any]]:
    """Every envelope on the namespace's ``topic`` so far: all partitions, each in offset order."""
    events: list[dict[str, Any]] = []
    async with _reading(namespace, topic) as consumer:
        ends = await consumer.end_offsets(list(consumer.assignment()))

        async def caught_up() -> bool:
            await _more(consumer, events)
            return all([await consumer.position(p) >= end for p, end in ends.items()])

        await wait_for(caught_up, until=bool, what=f"the end of {topic}")
    return events


async def events_of(
    namespace: Namespace, topic: Topic, event_type: str, count: int = 1
) -> list[dict[str, Any]]:
    """Wait until ``count`` events of ``event_type`` are on ``topic``; return those of that type."""
    events: list[dict[str, Any]] = []

    def of_type() -> list[dict[str, Any]]:
        return [event for event in events if event["event_type"] == event_type]

    async with _reading(namespace, topic) as consumer:
        await wait_for(
            lambda: _more(consumer, events),
            until=lambda _: len(of_type()) >= count,
            what=f"{count} × {event_type}",
        )
    return of_type()


async def publish(namespace: Namespace, *events: Event, producer: str = "test") -> list[Envelope[Any]]:
    """Wrap each event in a new envelope and put it on its real topic, keyed as services key it."""
    envelopes = [Envelope.wrap(event, producer=producer) for event in events]
    await publish_envelopes(namespace, *envelopes)
    return envelopes


async def publish_envelopes(namespace: Namespace, *envelopes: Envelope[Any]) -> None:
    """Put these exact envelopes on their topics (publishing one twice is a redelivery)."""
    kafka = AIOKafkaProducer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers, acks="all")
    await kafka.start()
    try:
        for envelope in envelopes:
            await kafka.send_and_wait(
                topic_name(envelope.payload.topic, namespace.topic_prefix),
                envelope.model_dump_json().encode(),
                key=envelope.payload.key.encode(),
                headers=[(name, value.encode()) for name, value in envelope.headers.items()],
            )
    finally:
        await kafka.stop()


async def send_raw(
    namespace: Namespace, topic: str, value: bytes, *, key: bytes, headers: Sequence[tuple[str, bytes]] = ()
) -> None:
    """Put exactly these bytes on ``topic`` (a message no service would publish, say)."""
    producer = AIOKafkaProducer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key, headers=list(headers))
    finally:
        await producer.stop()


async def read_all(namespace: Namespace, topic: str, count: int) -> list[Any]:
    """The first ``count`` records of a one-partition topic (a dead-letter topic, say)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.seek_to_beginning()
        records: list[Any] = []

        async def more() -> int:
            batch = await consumer.getmany(timeout_ms=200)
            records.extend(record for part in batch.values() for record in part)
            return len(records)

        await wait_for(more, until=lambda n: n >= count, what=f"{count} records on {topic}")
        return records
    finally:
        await consumer.stop()


def free_port() -> int:
    """A port free now and below the kernel's ephemeral range, so no outgoing connection (a
    Kafka or store client's) can take it between this probe and the server's own bind."""
    for _ in range(100):
        port = random.randrange(20_000, EPHEMERAL_START)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between 20000 and {EPHEMERAL_START}")


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


EPHEMERAL_START = _ephemeral_start()


async def processed(database: Any, event_ids: Sequence[UUID]) -> int:
    """How many of these events a service's inbox recorded (one-message subscribers)."""
    found = [
        await database[ProcessedEvents.bucket(event_id)].find_one({"_id": str(event_id)})
        for event_id in event_ids
    ]
    return sum(document is not None for document in found)


async def consumed(namespace: Namespace, service: str, topic: Topic) -> bool:
    """Whether the service's subscriber to ``topic`` committed everything on it so far (what a
    batch subscriber, which records no event ids, has handled)."""
    group = settings_for(namespace, service).consumer_group(topic)
    partitions = [
        TopicPartition(topic_name(topic, namespace.topic_prefix), p) for p in range(PARTITIONS[topic])
    ]
    admin = AIOKafkaAdminClient(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
        await admin.close()
    return all((committed.get(p).offset if committed.get(p) else 0) >= end for p, end in ends.items())


PROCESS_LOGS = ROOT / "test-artifacts" / "process-logs"


@contextmanager
def service_process(namespace: Namespace, name: str) -> Iterator[ServiceProcesses]:
    """The service ``name`` started as its own process (uvicorn, as the local deployment runs
    it), its log under ``PROCESS_LOGS``; SIGTERMed afterwards if still alive."""
    process = ServiceProcesses(
        {name: free_port()}, namespace.env(), PROCESS_LOGS / namespace.database, namespace.database
    )
    try:
        process.start()
        yield process
    finally:
        process.stop()
