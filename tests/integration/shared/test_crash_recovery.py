"""A service process killed mid-stream loses nothing and applies nothing twice."""

import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from shared.events import Envelope, Topic
from shared.events import catalogue as c
from shared.store.inbox import ProcessedEvents
from tests.conftest import ROOT, Namespace
from tests.helpers import running, settings_for, wait_for

pytestmark = pytest.mark.integration

EVENTS = 1_000
FAIRS = [uuid4() for _ in range(5)]


def outcomes(seed: int) -> list[Envelope[c.FairOutcomeRecorded]]:
    rng = random.Random(seed)
    return [
        Envelope.wrap(
            c.FairOutcomeRecorded(
                fair_id=rng.choice(FAIRS), outcome_id=uuid4(), seeker_id=uuid4(), employer_id=uuid4(),
                outcome=rng.choice(list(c.Outcome)), recorded_by=uuid4(),
            ),
            producer="fair",
        )
        for _ in range(EVENTS)
    ]  # fmt: skip


@contextmanager
def worker(namespace: Namespace) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.shared.outcome_worker"],
        cwd=ROOT,
        env=namespace.env(MONGO_DATABASE=f"{namespace.database}_worker"),
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


class WorkerStore:
    def __init__(self, namespace: Namespace) -> None:
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
        self.db = self.client[f"{namespace.database}_worker"]

    async def applied(self) -> int:
        """Events recorded as processed, over the inbox's buckets."""
        names = await self.db.list_collection_names()
        buckets = [name for name in names if name.startswith(ProcessedEvents.PREFIX)]
        return sum([await self.db[name].count_documents({}) for name in buckets])

    async def stats(self) -> dict[tuple[str, str], int]:
        tallies: dict[tuple[str, str], int] = {}
        async for document in self.db["fair_stats"].find():
            for outcome in c.Outcome:
                tallies[(document["_id"], outcome.value)] = document.get(outcome.value, 0)
        return tallies

    async def deliveries(self) -> int:
        document = await self.db["deliveries"].find_one({"_id": "all"})
        return int(document["count"]) if document else 0


def expected_stats(sent: list[Envelope[c.FairOutcomeRecorded]]) -> dict[tuple[str, str], int]:
    counts = Counter((str(e.payload.fair_id), e.payload.outcome.value) for e in sent)
    return {(str(fair), o.value): counts[(str(fair), o.value)] for fair in FAIRS for o in c.Outcome}


async def publish(namespace: Namespace, sent: list[Envelope[c.FairOutcomeRecorded]]) -> None:
    async with running(settings_for(namespace, "publisher")) as publisher:
        await publisher.publisher.publish_many(sent)


async def test_sigkill_mid_stream_then_restart_applies_every_event_exactly_once(namespace: Namespace) -> None:
    sent = outcomes(seed=1)
    await publish(namespace, sent)
    store = WorkerStore(namespace)

    with worker(namespace) as first:
        done = await wait_for(store.applied, until=lambda n: n >= 100, timeout=60, what="100 events applied")
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = await store.applied()
    assert done < EVENTS, "the kill must land mid-stream"
    assert at_kill < EVENTS, "the kill must land mid-stream"

    with worker(namespace):
        await wait_for(store.applied, until=lambda n: n == EVENTS, timeout=120, what="all events applied")
        assert await store.stats() == expected_stats(sent)
        assert await store.db["outcomes"].count_documents({}) == EVENTS
    assert await store.deliveries() >= EVENTS
    await store.client.close()


async def test_sigterm_finishes_in_flight_messages_and_commits_them(namespace: Namespace) -> None:
    sent = outcomes(seed=2)
    await publish(namespace, sent)
    store = WorkerStore(namespace)

    with worker(namespace) as first:
        await wait_for(store.applied, until=lambda n: n >= 100, timeout=60, what="100 events applied")
        first.send_signal(signal.SIGTERM)
        exit_code = await wait_for(
            lambda: _poll(first), until=lambda code: code is not None, timeout=60, what="a graceful exit"
        )
    assert exit_code == 0
    applied_before_restart = await store.applied()
    assert applied_before_restart < EVENTS, "the stop must land mid-stream"
    assert await committed(namespace) == applied_before_restart == await store.deliveries()

    with worker(namespace):
        await wait_for(store.applied, until=lambda n: n == EVENTS, timeout=120, what="all events applied")
        assert await store.stats() == expected_stats(sent)
    assert await store.deliveries() == EVENTS  # nothing processed before the stop came again
    await store.client.close()


async def _poll(process: subprocess.Popen[bytes]) -> int | None:
    return process.poll()


async def committed(namespace: Namespace) -> int:
    group = settings_for(namespace, "fair").consumer_group(Topic.FAIR)
    admin = AIOKafkaAdminClient(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(max(meta.offset, 0) for meta in offsets.values())
