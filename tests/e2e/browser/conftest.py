"""The whole platform as processes (five services and the web front end) in a namespace of
its own, a staff account made by the management command, and headless Chromium.

One platform for the module's tests (starting six processes takes a while); each test
makes its own accounts, so they do not depend on each other.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from deploy.local.processes import DEFAULT_PORTS, running_services
from shared.messaging.admin import delete_topics
from shared.store.mongo import drop_databases
from tests import factories
from tests.conftest import ROOT, Infra, Namespace
from tests.helpers import bearer, free_port

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out of this closed network.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LOGS = ROOT / "test-artifacts" / "browser-logs"
STAFF_PASSWORD = "talent centre 人才中心 2026"
PASSWORD = "correct horse battery 九"


@dataclass
class Platform:
    """Where each process answers, the staff account, and a client for seeding via the APIs."""

    urls: dict[str, str]
    staff_email: str
    api: httpx.AsyncClient

    @property
    def web(self) -> str:
        return self.urls["web"]

    async def sign_in(self, service: str, email: str, password: str = PASSWORD) -> dict[str, str]:
        response = await self.api.post(
            f"{self.urls[service]}/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        return bearer(response.json()["access_token"])

    async def call(self, method: str, service: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
        response = await self.api.request(method, f"{self.urls[service]}{path}", headers=headers, **kw)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def employer_user(self, organisation: str, approved: bool) -> tuple[str, dict[str, str]]:
        """A new employer user's e-mail and headers, with its organisation registered."""
        email = f"hr-{uuid4().hex[:8]}@example.cn"
        await self.call(
            "POST", "employer", "/auth/register", {}, json=factories.sign_up(email, display_name="李娜")
        )
        headers = await self.sign_in("employer", email)
        body = factories.organisation(name=organisation)
        registered = await self.call("POST", "employer", "/organisations", headers, json=body)
        headers = bearer(registered["token"]["access_token"])
        if approved:
            staff = await self.sign_in("employer", self.staff_email, STAFF_PASSWORD)
            await self.call(
                "POST", "employer", f"/staff/organisations/{registered['organisation']['id']}/approve", staff
            )
        return email, headers

    async def seeker_user(self, name: str, **profile: Any) -> tuple[str, dict[str, str]]:
        email = f"seeker-{uuid4().hex[:8]}@example.cn"
        await self.call(
            "POST", "seeker", "/auth/register", {}, json=factories.sign_up(email, display_name=name)
        )
        headers = await self.sign_in("seeker", email)
        if profile:
            me = await self.call("GET", "seeker", "/me", headers)
            body = {**me["profile"], **profile, "version": me["version"]}
            await self.call("PUT", "seeker", "/me/profile", headers, json=body)
        return email, headers


def _make_staff(namespace: Namespace, email: str) -> None:
    command = ["create-staff", "--email", email, "--name", "张敏"]
    result = subprocess.run(
        [sys.executable, "-m", "services.employer.manage", *command],
        input=STAFF_PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, check=False,
        env=namespace.env(MONGO_DATABASE=f"{namespace.database}_employer"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def running_platform(infra: Infra) -> Iterator[tuple[Namespace, dict[str, str]]]:
    unique = f"t{uuid4().hex[:12]}"
    namespace = Namespace(infra, topic_prefix=f"{unique}.", database=unique)
    ports = {name: free_port() for name in DEFAULT_PORTS}
    env = namespace.env(OUTBOX_SWEEP_SECONDS="0.5", PLANNER_INTERVAL_SECONDS="5")
    with running_services(
        ports, env, LOGS / namespace.database, ready_timeout_s=120, database_prefix=namespace.database
    ) as services:
        yield namespace, {name: services.url(name) for name in ports}


@pytest.fixture(scope="session")
async def platform(running_platform: tuple[Namespace, dict[str, str]]) -> AsyncIterator[Platform]:
    namespace, urls = running_platform
    staff_email = f"staff-{uuid4().hex[:8]}@talent.example.cn"
    _make_staff(namespace, staff_email)
    async with httpx.AsyncClient(timeout=30) as api:
        yield Platform(urls, staff_email, api)
    await drop_databases(namespace.infra.mongo_url, namespace.database)
    await delete_topics(namespace.infra.kafka_bootstrap_servers, namespace.database)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make bootstrap` (it installs Debian's chromium)")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A fresh browser profile (Chinese by default); a screenshot of where it ended, kept as an
    artefact whether the test passed or failed. Every test fails when the pages break their
    Content-Security-Policy (Chromium reports each refused script or style on the console)."""
    context: BrowserContext = await browser.new_context(
        locale="zh-CN", viewport={"width": 1200, "height": 900}
    )
    context.set_default_timeout(15_000)
    opened = await context.new_page()
    violations: list[str] = []
    opened.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await opened.screenshot(path=SCREENSHOTS / f"{request.node.name}-end.png", full_page=True)
    await context.close()
    assert not violations, f"the pages broke their Content-Security-Policy: {violations}"


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


async def log_in(page: Page, platform: Platform, email: str, password: str, side: str) -> None:
    await page.goto(f"{platform.web}/login")
    await page.locator(f"input[name=side][value={side}]").check()
    await page.locator("input[name=email]").fill(email)
    await page.locator("input[name=password]").fill(password)
    await page.locator("form.form button.primary").click()
