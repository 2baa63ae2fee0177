"""The real store and the real broker stopped under running services, and started again.

These tests stop and start servers, so they run on an infrastructure profile of their own
(``outage``: its own ports and data), never on the ``test`` profile the rest of the suite shares.
Meanwhile every API answers a JSON 503 with ``Retry-After`` (never a 500), ``/readyz`` says which
dependency is down, and a write made while the broker is down is published by the outbox relay
once it is back.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager, redirect_stdout
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from deploy.local import infra
from services.employer.bootstrap import create_app as employer_app
from services.employer.manage import create_staff
from services.fair.bootstrap import create_app as fair_app
from services.matching.bootstrap import create_app as matching_app
from services.notification.bootstrap import create_app as notification_app
from services.notification.core.config import Settings as NotificationSettings
from services.seeker.bootstrap import create_app as seeker_app
from shared.auth import Principal, Role, TokenIssuer
from shared.config import ServiceSettings
from shared.events import Topic
from shared.messaging.admin import delete_topics
from shared.store.mongo import drop_databases
from tests import factories
from tests.conftest import AUTH_SECRET, ROOT, Infra, Namespace
from tests.helpers import bearer, serving, settings_for, wait_for
from tests.integration.services.conftest import STAFF_PASSWORD, approved_employer, read_events, sign_in

pytestmark = pytest.mark.integration

# The profile's own ports, whatever the environment sets for the test profile.
PORTS = infra.PROFILE_PORTS["outage"]
PROFILE = infra.Profile(
    "outage", PORTS["KAFKA_PORT"], PORTS["KAFKA_CONTROLLER_PORT"], PORTS["MONGO_PORT"], PORTS["POSTGRES_PORT"]
)
STORE = infra.Server("ferretdb", PROFILE)
BROKER = infra.Server("kafka", PROFILE)
BOUND_S = 2.0  # each service's DEPENDENCY_TIMEOUT_SECONDS here
SLACK_S = 2.0  # the event loop's own delays on a busy 2-core machine


@pytest.fixture(scope="session")
def outage_infra() -> Infra:
    environment = {key: value for key, value in os.environ.items() if key not in PORTS}
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "infra.py"), "up", "--profile", "outage"],
        capture_output=True, text=True, check=False, env=environment,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"could not start the outage profile:\n{result.stdout}{result.stderr}")
    return Infra(PROFILE.kafka_bootstrap, PROFILE.mongo_url)


def restart_all() -> None:
    """Start whatever an earlier, interrupted test left stopped (a no-op for running servers)."""
    infra.start_ferretdb(PROFILE)
    infra.start_kafka(PROFILE)


@pytest.fixture
async def outage_namespace(outage_infra: Infra) -> AsyncIterator[Namespace]:
    """A namespace on the outage profile, held alone: a test run beside this one (another
    checkout on the machine) waits instead of finding its servers stopped under it."""
    with infra.exclusive(infra.STATE_DIR / "outage-tests.lock"):
        await asyncio.to_thread(restart_all)
        unique = f"t{uuid4().hex[:12]}"
        yield Namespace(outage_infra, topic_prefix=f"{unique}.", database=unique)
        await asyncio.to_thread(restart_all)
        await drop_databases(outage_infra.mongo_url, unique)
        await delete_topics(outage_infra.kafka_bootstrap_servers, unique)


@asynccontextmanager
async def stopped(server: infra.Server, start: Callable[[infra.Profile], None]) -> AsyncIterator[None]:
    await asyncio.to_thread(server.stop)
    try:
        yield
    finally:
        await asyncio.to_thread(start, PROFILE)


def settings(namespace: Namespace, name: str) -> ServiceSettings:
    return settings_for(namespace, name).model_copy(update={"dependency_timeout_seconds": BOUND_S})


def token(role: Role) -> dict[str, str]:
    organisation = uuid4() if role is Role.EMPLOYER else None
    principal = Principal(account_id=uuid4(), role=role, organisation_id=organisation)
    return bearer(TokenIssuer(AUTH_SECRET, timedelta(minutes=10)).issue(principal))


APPS: dict[str, Callable[[ServiceSettings], FastAPI]] = {
    "employer": employer_app,
    "seeker": seeker_app,
    "matching": matching_app,
    "notification": lambda s: notification_app(NotificationSettings(**s.model_dump())),
    "fair": fair_app,
}
# One route of each service that must read the store, and who calls it.
READS: dict[str, tuple[str, str, Role]] = {
    "employer": ("GET", "/vacancies", Role.EMPLOYER),
    "seeker": ("GET", "/me", Role.SEEKER),
    "matching": ("GET", "/model", Role.STAFF),
    "notification": ("GET", "/me/inbox", Role.SEEKER),
    "fair": ("GET", "/fairs", Role.STAFF),
}


def assert_unavailable(service: str, response: httpx.Response, dependency: str) -> None:
    assert response.status_code == 503, f"{service}: {response.status_code} {response.text}"
    assert response.headers["content-type"] == "application/json", service
    assert int(response.headers["retry-after"]) >= 1, service
    assert dependency in response.json()["detail"], (service, response.text)


async def timed(request: Any) -> tuple[httpx.Response, float]:
    started = asyncio.get_running_loop().time()
    response = await request
    return response, asyncio.get_running_loop().time() - started


async def test_with_the_store_stopped_every_service_answers_503_and_is_not_ready(
    outage_namespace: Namespace,
) -> None:
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(serving(build(settings(outage_namespace, name))))
            for name, build in APPS.items()
        }

        async def read(name: str) -> httpx.Response:
            method, path, role = READS[name]
            return await clients[name].request(method, path, headers=token(role))

        for name in APPS:
            assert (await read(name)).status_code < 500, f"{name} must answer before the outage"

        async with stopped(STORE, infra.start_ferretdb):
            answers = await asyncio.gather(*(timed(read(name)) for name in APPS))
            for name, (response, elapsed) in zip(APPS, answers, strict=True):
                assert_unavailable(name, response, "store")
                assert elapsed < BOUND_S + SLACK_S, f"{name} answered after {elapsed:.1f} s"
            readiness = await asyncio.gather(*(clients[name].get("/readyz") for name in APPS))
            for name, response in zip(APPS, readiness, strict=True):
                assert response.status_code == 503, f"{name}: {response.text}"
                assert response.json()["checks"]["store"] is False, name
                assert response.json()["checks"]["kafka"] is True, name

        for name in APPS:
            await wait_for(
                lambda name=name: clients[name].get("/readyz"),  # type: ignore[misc]
                until=lambda r: r.status_code == 200,
                timeout=60,
                what=f"{name} ready again",
            )
            assert (await read(name)).status_code < 500, f"{name} after the store returned"


async def test_with_the_broker_stopped_a_write_is_kept_and_published_once_it_returns(
    outage_namespace: Namespace,
) -> None:
    employer = settings(outage_namespace, "employer")
    async with serving(employer_app(employer)) as client:
        email = f"staff-{uuid4().hex[:8]}@talent.example.cn"
        with redirect_stdout(io.StringIO()):
            assert await create_staff(employer, email, "张敏", STAFF_PASSWORD) == 0
        headers = await approved_employer(client, await sign_in(client, email, STAFF_PASSWORD))

        async with stopped(BROKER, infra.start_kafka):
            write, elapsed = await timed(
                client.post("/vacancies", json=factories.vacancy(title="夜班焊工"), headers=headers)
            )
            assert write.status_code == 201, write.text
            assert elapsed < BOUND_S + SLACK_S, f"answered after {elapsed:.1f} s"
            vacancy_id = write.json()["id"]
            mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(employer.mongo_url)
            try:
                stored = await mongo[employer.mongo_database]["vacancies"].find_one({"_id": vacancy_id})
            finally:
                await mongo.close()
            assert stored is not None
            assert stored["_outbox"], "the event waits in the outbox"
            readiness = await client.get("/readyz")
            assert readiness.status_code == 503, readiness.text
            assert readiness.json()["checks"]["kafka"] is False
            assert readiness.json()["checks"]["store"] is True
            listed = await client.get("/vacancies", headers=headers)
            assert listed.status_code == 200, "reads need only the store"

        records = await read_events(
            outage_namespace,
            Topic.VACANCY,
            until=lambda found: any(str(r.envelope.payload.key) == vacancy_id for r in found),
            what="the vacancy's event, published by the outbox relay",
        )
        published = [r for r in records if str(r.envelope.payload.key) == vacancy_id]
        assert {r.envelope.event_type for r in published} == {"vacancy.posted"}
        await wait_for(
            lambda: client.get("/readyz"),
            until=lambda r: r.status_code == 200,
            timeout=60,
            what="ready again",
        )
