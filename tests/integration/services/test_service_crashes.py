"""Real service processes killed with SIGKILL in the middle of a batch lose nothing and apply
nothing twice: the notification service telling a batch of matches, and the fair service
registering a batch of seeker profiles and matches. (The matching service killed while ranking
a batch: ``test_matching_crash.py``.)

Each service runs as its own uvicorn process, as in production; the test waits until the first
batch's writes have begun, kills the process, checks the kill landed before the batch was
committed, restarts it, waits until it has consumed everything, and then reads every read model
the batch feeds.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.notification.bootstrap import create_app as notification_app
from services.notification.core.config import Settings as NotificationSettings
from shared.events import Envelope, Topic
from shared.events import catalogue as c
from tests import factories
from tests.conftest import Namespace
from tests.helpers import consumed, publish, running, service_process, serving, settings_for, wait_for

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]


@asynccontextmanager
async def database(namespace: Namespace, service: str) -> AsyncIterator[Database]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        yield client[f"{namespace.database}_{service}"]
    finally:
        await client.close()


async def kill_mid_batch(
    namespace: Namespace, name: str, topics: tuple[Topic, ...], begun: Callable[[], Awaitable[bool]]
) -> None:
    """Start ``name``, SIGKILL it once ``begun`` holds, check the kill left the first of ``topics``
    unconsumed, restart it and wait until it has consumed them all."""
    with service_process(namespace, name) as first:
        await wait_for(begun, until=bool, timeout=90, what=f"{name} writing its first batch")
        first.processes[name].send_signal(signal.SIGKILL)
        first.processes[name].wait()
    assert not await consumed(namespace, name, topics[0]), f"the kill must land before {name} committed"
    with service_process(namespace, name) as second:
        await asyncio.to_thread(second.wait_ready, 90)
        for topic in topics:
            await wait_for(
                partial(consumed, namespace, name, topic),
                until=bool,
                timeout=90,
                what=f"{name} done with {topic}",
            )


async def documents(db: Database, collection: str) -> list[dict[str, Any]]:
    return await db[collection].find({}).to_list()


# --- notification: telling a batch of matches ------------------------------------------

TOLD = 1_000  # two batches of 500


async def test_notification_killed_while_telling_a_batch_tells_each_match_once(namespace: Namespace) -> None:
    employer_id = uuid4()
    vacancy = factories.vacancy_state(employer_id=employer_id)
    seekers = [factories.seeker_state(uuid4()) for _ in range(TOLD)]
    registered = c.EmployerRegistered(
        employer_id=employer_id, name="安阳精密机械有限公司", credit_code=factories.credit_code(),
        industry="制造业", city="安阳",
    )  # fmt: skip
    settings = NotificationSettings(**settings_for(namespace, "notification").model_dump())
    async with serving(notification_app(settings)):
        await publish(namespace, registered, producer="employer")
        await publish(namespace, vacancy, producer="employer")
        await publish(namespace, *seekers, producer="seeker")
        for topic in (Topic.SEEKER, Topic.EMPLOYER, Topic.VACANCY):
            await wait_for(
                partial(consumed, namespace, "notification", topic), until=bool, what=f"{topic} known"
            )
    # All waiting when the process starts, so its first batches are full.
    matches = [
        factories.match_found(s.seeker_id, vacancy.vacancy_id, employer_id, score=0.9, rank=1)
        for s in seekers
    ]
    async with running(settings_for(namespace, "publisher")) as publisher:
        await publisher.publisher.publish_many(Envelope.wrap(m, producer="matching") for m in matches)

    async with database(namespace, "notification") as db:

        async def begun() -> bool:
            return await db["notifications"].count_documents({}) > 0

        await kill_mid_batch(namespace, "notification", (Topic.MATCH,), begun)

        told = await documents(db, "notifications")
        recipients = [document["recipient_id"] for document in told]
        assert sorted(recipients) == sorted(str(s.seeker_id) for s in seekers), (
            "each seeker told exactly once"
        )
        counts: dict[str, int] = {}
        for shard in await documents(db, "match_counts"):
            for person, count in shard.get("counts", {}).items():
                counts[person] = counts.get(person, 0) + int(count)
        twice = {person: n for person, n in counts.items() if n > 1}
        assert not twice, f"{len(twice)} seekers counted more than once a day for one match"
        # A kill between a batch's notifications and its counts leaves those counts short (the
        # day's cap a little generous, docs/notification.md); the rest are counted once.
        assert set(counts) <= set(recipients)
        assert len(counts) >= TOLD - 500


# --- fair: registering a batch of profiles and matches ---------------------------------

PROFILES = 3_000
EDITED = 600  # seekers whose second version follows their first in the same stream


async def test_fair_killed_while_registering_a_batch_keeps_the_newest_of_each(namespace: Namespace) -> None:
    firsts = [factories.seeker_state(uuid4(), version=1) for _ in range(PROFILES)]
    edits = [
        factories.seeker_state(
            s.seeker_id, version=2, kind=c.SeekerUpdated, talent_category=c.TalentCategory.SOCIAL_WORK
        )
        for s in firsts[:EDITED]
    ]
    vacancy_id, employer_id = uuid4(), uuid4()
    matches = [
        factories.match_found(s.seeker_id, vacancy_id, employer_id, score=0.5 + i / (4 * PROFILES), rank=1)
        for i, s in enumerate(firsts)
    ]
    async with running(settings_for(namespace, "publisher")) as publisher:
        await publisher.publisher.publish_many(Envelope.wrap(e, producer="seeker") for e in [*firsts, *edits])
        await publisher.publisher.publish_many(Envelope.wrap(m, producer="matching") for m in matches)

    async with database(namespace, "fair") as db:

        async def begun() -> bool:  # a few batches in: the next one is being written
            return await db["seekers"].count_documents({}) >= PROFILES // 3

        await kill_mid_batch(namespace, "fair", (Topic.SEEKER, Topic.MATCH), begun)

        stored = {document["_id"]: document for document in await documents(db, "seekers")}
        assert set(stored) == {str(s.seeker_id) for s in firsts}, "every profile kept, once"
        versions = {seeker_id: document["version"] for seeker_id, document in stored.items()}
        edited = {str(e.seeker_id) for e in edits}
        regressed = [seeker_id for seeker_id in edited if versions[seeker_id] != 2]
        assert not regressed, f"{len(regressed)} edited profiles lack their second version"
        assert all(stored[s]["talent_category"] == "social_work" for s in edited)
        assert {v for s, v in versions.items() if s not in edited} == {1}

        kept = {document["_id"]: document["score"] for document in await documents(db, "matches")}
        assert kept == {f"{m.vacancy_id}:{m.seeker_id}": m.score for m in matches}, "every match kept, once"
