"""Sign-in throttling on the real store: repeated failures make even the right password wait."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from services.employer.bootstrap import create_app as create_employer_app
from services.seeker.bootstrap import create_app as create_seeker_app
from shared.config import ServiceSettings
from tests import factories
from tests.conftest import Namespace
from tests.helpers import serving, settings_for

pytestmark = [pytest.mark.integration, pytest.mark.security]

APPS: dict[str, Callable[[ServiceSettings], FastAPI]] = {
    "employer": create_employer_app,
    "seeker": create_seeker_app,
}


def other_address(app: FastAPI, host: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(host, 4711)), base_url="http://service.test"
    )


async def account(client: httpx.AsyncClient) -> tuple[str, str]:
    email = f"user-{uuid4().hex[:8]}@example.cn"
    body = factories.sign_up(email)
    assert (await client.post("/auth/register", json=body)).status_code == 201
    return email, body["password"]


def login(email: str, password: str) -> dict[str, str]:
    return {"email": email, "password": password}


@pytest.mark.parametrize("side", sorted(APPS))
async def test_the_right_password_waits_after_repeated_failures(namespace: Namespace, side: str) -> None:
    app = APPS[side](settings_for(namespace, side))
    async with serving(app) as client, other_address(app, "198.51.100.7") as elsewhere:
        email, password = await account(client)
        other_email, other_password = await account(client)
        for _ in range(5):
            assert (await client.post("/auth/login", json=login(email, "wrong password!"))).status_code == 401

        refused = await client.post("/auth/login", json=login(email, password))
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"] == "application/json"
        assert "too many failed sign-ins" in refused.json()["detail"]
        wait = int(refused.headers["Retry-After"])
        assert 0 < wait <= 15

        other = await elsewhere.post("/auth/login", json=login(other_email, other_password))
        assert other.status_code == 200

        app.state.login_throttle.clock = lambda: time.time() + wait + 1
        assert (await client.post("/auth/login", json=login(email, password))).status_code == 200
        # the success forgot the account's failures: one more wrong password is merely wrong
        assert (await client.post("/auth/login", json=login(email, "wrong password!"))).status_code == 401
        assert (await client.post("/auth/login", json=login(email, password))).status_code == 200


async def test_the_wait_doubles_up_to_a_cap_and_the_owner_elsewhere_waits_at_most_a_minute(
    namespace: Namespace,
) -> None:
    app = create_seeker_app(settings_for(namespace, "seeker"))
    now = time.time()
    async with serving(app) as client, other_address(app, "203.0.113.9") as owner:
        app.state.login_throttle.clock = lambda: now
        email, password = await account(client)
        waits = []
        for _ in range(40):
            response = await client.post("/auth/login", json=login(email, "wrong password!"))
            if response.status_code == 429:
                waits.append(int(response.headers["Retry-After"]))
                now += waits[-1]
        assert waits[:6] == [15, 30, 60, 120, 240, 300]
        assert max(waits) == 300
        now += 300
        assert (await client.post("/auth/login", json=login(email, "wrong password!"))).status_code == 401

        refused = await owner.post("/auth/login", json=login(email, password))
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) <= 60
