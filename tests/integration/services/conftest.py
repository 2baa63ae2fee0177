"""The employer and seeker services running in this process on the real broker and store."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from contextlib import redirect_stdout
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.employer.bootstrap import create_app as create_employer_app
from services.employer.manage import create_staff
from services.seeker.bootstrap import create_app as create_seeker_app
from shared.config import ServiceSettings
from shared.events import PARTITIONS, Envelope, Event, Topic, parse_event, topic_name
from tests import factories
from tests.conftest import Namespace
from tests.helpers import bearer, serving, settings_for, wait_for

STAFF_PASSWORD = "talent centre 人才中心 2026"


@dataclass
class Employer:
    """One service under test: its client and its settings (for reading its store)."""

    client: httpx.AsyncClient
    settings: ServiceSettings


@pytest.fixture
async def employer(namespace: Namespace) -> AsyncIterator[Employer]:
    settings = settings_for(namespace, "employer")
    async with serving(create_employer_app(settings)) as client:
        yield Employer(client, settings)


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


@pytest.fixture
async def staff(employer: Employer) -> dict[str, str]:
    """Headers of a staff member, whose account was made by the management command."""
    email = f"staff-{uuid4().hex[:8]}@talent.example.cn"
    with redirect_stdout(io.StringIO()):
        assert await create_staff(employer.settings, email, "张敏", STAFF_PASSWORD) == 0
    return await sign_in(employer.client, email, STAFF_PASSWORD)


async def employer_user(client: httpx.AsyncClient, name: str = "安阳精密机械有限公司") -> dict[str, str]:
    """Headers of a new employer user whose organisation is registered (still pending)."""
    email = f"hr-{uuid4().hex[:8]}@example.cn"
    body = factories.sign_up(email, display_name="李娜")
    assert (await client.post("/auth/register", json=body)).status_code == 201
    headers = await sign_in(client, email, body["password"])
    response = await client.post("/organisations", json=factories.organisation(name=name), headers=headers)
    assert response.status_code == 201, response.text
    return bearer(response.json()["token"]["access_token"])


async def approved_employer(
    client: httpx.AsyncClient, staff: dict[str, str], name: str = "安阳精密机械有限公司"
) -> dict[str, str]:
    headers = await employer_user(client, name)
    organisation = (await client.get("/organisations/mine", headers=headers)).json()
    response = await client.post(f"/staff/organisations/{organisation['id']}/approve", headers=staff)
    assert response.status_code == 200, response.text
    return headers


@dataclass
class SeekerService:
    client: httpx.AsyncClient
    settings: ServiceSettings


@pytest.fixture
async def seeker(namespace: Namespace) -> AsyncIterator[SeekerService]:
    settings = settings_for(namespace, "seeker")
    async with serving(create_seeker_app(settings)) as client:
        yield SeekerService(client, settings)


async def seeker_user(client: httpx.AsyncClient, **overrides: object) -> tuple[dict[str, str], str]:
    """Headers and id of a newly registered seeker."""
    email = f"seeker-{uuid4().hex[:8]}@example.cn"
    body = factories.sign_up(email, **overrides)
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201, response.text
    return await sign_in(client, email, body["password"]), response.json()["id"]


# --- the event bus and the employer's store, read and written directly ---------------


@dataclass(frozen=True)
class Published:
    """One record read back from a topic: its key and its parsed envelope."""

    key: str
    envelope: Envelope[Event]


async def read_events(
    namespace: Namespace, topic: Topic, *, until: Callable[[list[Published]], bool], what: str
) -> list[Published]:
    """Every record of ``topic`` from the beginning (each partition in order) once ``until`` holds."""
    name = topic_name(topic, namespace.topic_prefix)
    consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(name, partition) for partition in range(PARTITIONS[topic])])
        await consumer.seek_to_beginning()
        records: list[Published] = []

        async def more() -> list[Published]:
            batch = await consumer.getmany(timeout_ms=100)
            for partition in sorted(batch, key=lambda tp: tp.partition):
                records.extend(Published(r.key.decode(), parse_event(r.value)) for r in batch[partition])
            return records

        return await wait_for(more, until=until, what=what)
    finally:
        await consumer.stop()


@pytest.fixture
async def employer_db(employer: Employer) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """The employer service's own database, for checking what it stored."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(employer.settings.mongo_url)
    yield client[employer.settings.mongo_database]
    await client.close()
