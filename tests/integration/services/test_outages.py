"""A dependency goes down under a running service (a proxy in front of the real store or broker
is cut) and comes back: clear, prompt answers meanwhile, and nothing lost."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, redirect_stdout
from typing import Any
from uuid import uuid4

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.employer.bootstrap import create_app as create_employer_app
from services.employer.manage import create_staff
from shared.config import ServiceSettings
from shared.events import Topic
from tests import factories
from tests.conftest import Namespace
from tests.helpers import serving, settings_for, wait_for
from tests.integration.services.conftest import STAFF_PASSWORD, approved_employer, read_events, sign_in
from tests.outage import Proxy

pytestmark = [pytest.mark.integration, pytest.mark.security]

BOUND_S = 2.0
SLACK_S = 1.5  # the event loop's own delays on a busy 2-core machine


@asynccontextmanager
async def employer_through(
    namespace: Namespace, **update: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceSettings, dict[str, str]]]:
    """The employer service on these settings, and an approved employer's headers."""
    settings = settings_for(namespace, "employer").model_copy(
        update={"dependency_timeout_seconds": BOUND_S, **update}
    )
    async with serving(create_employer_app(settings)) as client:
        email = f"staff-{uuid4().hex[:8]}@talent.example.cn"
        with redirect_stdout(io.StringIO()):
            assert await create_staff(settings, email, "张敏", STAFF_PASSWORD) == 0
        staff = await sign_in(client, email, STAFF_PASSWORD)
        yield client, settings, await approved_employer(client, staff)


async def timed(request: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


def assert_unavailable(response: httpx.Response, elapsed: float, dependency: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["retry-after"]) >= 1
    assert dependency in response.json()["detail"]
    assert elapsed < BOUND_S + SLACK_S, f"answered after {elapsed:.1f} s"


async def ready(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/readyz")


async def test_with_the_store_down_reads_and_writes_answer_a_json_503_within_the_bound(
    namespace: Namespace,
) -> None:
    async with (
        Proxy(namespace.infra.mongo_url.removeprefix("mongodb://").rstrip("/")) as store,
        employer_through(namespace, mongo_url=f"mongodb://{store.address}/") as (client, _, employer),
    ):
        assert (await client.get("/vacancies", headers=employer)).status_code == 200
        store.cut()

        read, elapsed = await timed(client.get("/vacancies", headers=employer))
        assert_unavailable(read, elapsed, "store")
        write, elapsed = await timed(client.post("/vacancies", json=factories.vacancy(), headers=employer))
        assert_unavailable(write, elapsed, "store")
        readiness, elapsed = await timed(ready(client))
        assert readiness.status_code == 503
        assert readiness.json()["checks"]["store"] is False
        assert elapsed < BOUND_S + SLACK_S

        store.restore()
        await wait_for(lambda: ready(client), until=lambda r: r.status_code == 200, what="ready again")
        again = await client.post("/vacancies", json=factories.vacancy(), headers=employer)
        assert again.status_code == 201, again.text


async def test_with_kafka_down_a_write_is_stored_at_once_and_its_event_follows_when_kafka_returns(
    namespace: Namespace,
) -> None:
    async with (
        Proxy(namespace.infra.kafka_bootstrap_servers, kafka=True) as kafka,
        employer_through(namespace, kafka_bootstrap_servers=kafka.address) as (client, settings, employer),
    ):
        kafka.cut()
        write, elapsed = await timed(
            client.post("/vacancies", json=factories.vacancy(title="夜班焊工"), headers=employer)
        )
        assert write.status_code == 201, write.text
        assert elapsed < BOUND_S + SLACK_S, f"answered after {elapsed:.1f} s"
        vacancy_id = write.json()["id"]
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
        try:
            stored = await mongo[settings.mongo_database]["vacancies"].find_one({"_id": vacancy_id})
        finally:
            await mongo.close()
        assert stored is not None
        assert stored["_outbox"], "the event waits in the outbox"
        readiness, elapsed = await timed(ready(client))
        assert readiness.status_code == 503
        assert readiness.json()["checks"]["kafka"] is False
        assert elapsed < BOUND_S + SLACK_S

        kafka.restore()
        await read_events(
            namespace,
            Topic.VACANCY,
            until=lambda records: any(str(r.envelope.payload.key) == vacancy_id for r in records),
            what="the vacancy's event, published by the outbox relay",
        )
        await wait_for(lambda: ready(client), until=lambda r: r.status_code == 200, what="ready again")
