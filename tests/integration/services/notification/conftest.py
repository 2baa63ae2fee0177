"""The notification service in this process on the real broker and store, with a clock the test
moves, a real SMTP server (aiosmtpd) and a real webhook receiver (uvicorn) on local ports."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import ip_address
from typing import Any, Literal
from uuid import UUID, uuid4

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.notification.adapters.channels import system_resolver
from services.notification.bootstrap import create_app
from services.notification.core.config import Settings
from services.notification.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.notification.domain.webhook_policy import IPAddress, WebhookPolicy
from services.notification.service_layer import Notifications
from shared.auth import Principal, Role, TokenIssuer
from shared.events import catalogue as c
from tests import factories
from tests.conftest import AUTH_SECRET, Namespace
from tests.helpers import bearer, free_port, publish, serving, settings_for, wait_for

NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai, outside the default quiet hours
TOKENS = TokenIssuer(AUTH_SECRET, timedelta(hours=1))


class Clock:
    """The service's notion of now, moved by the test instead of waiting."""

    def __init__(self, now: datetime = NOON) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Mailbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


class SmtpServer:
    """A real SMTP server on ``port``, started and stopped by the test."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    async def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        await asyncio.to_thread(self._controller.start)

    async def stop(self) -> None:
        if self._controller is not None:
            await asyncio.to_thread(self._controller.stop)
            self._controller = None

    async def received(self, count: int) -> list[EmailMessage]:
        return await wait_for(
            self._messages, until=lambda messages: len(messages) >= count, what=f"{count} email(s)"
        )

    async def _messages(self) -> list[EmailMessage]:
        return list(self.mailbox.messages)


@dataclass
class WebhookReceiver:
    """Checks each POST's signature with the secret it was given; answers 503 to the first
    ``failures`` requests."""

    clock: Clock
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    secret: str = ""
    failures: int = 0
    redirect_to: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        timestamp = int(request.headers[TIMESTAMP_HEADER])
        signed = request.headers[SIGNATURE_HEADER]
        valid = verify(self.secret, timestamp, body, signed, now=int(self.clock().timestamp()))
        self.requests.append(
            {
                "valid": valid,
                "body": json.loads(body),
                "timestamp": timestamp,
                "host": request.headers["host"],
            }
        )
        if self.redirect_to is not None:
            return Response(status_code=307, headers={"Location": self.redirect_to})
        if len(self.requests) <= self.failures:
            return Response(status_code=503)
        return Response(status_code=204 if valid else 401)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.receive, methods=["POST"])])

    async def delivered(self, count: int) -> list[dict[str, Any]]:
        async def ok() -> list[dict[str, Any]]:
            return self.requests[self.failures :]

        return await wait_for(ok, until=lambda done: len(done) >= count, what=f"{count} webhook POST(s)")


async def run_server(
    app: Any,
    port: int,
    lifespan: Literal["auto", "on", "off"] = "auto",
    host: str = "127.0.0.1",
    tls_pem: str | None = None,
) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """``tls_pem``: serve https with the key and certificate chain in that file."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan=lifespan, ssl_certfile=tls_pem
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await wait_for(lambda: _true(server.started), until=bool, what="the HTTP server to start")
    return server, task


async def _true(value: bool) -> bool:
    return value


async def stop_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


@dataclass
class Rig:
    """The service under test and everything it talks to."""

    namespace: Namespace
    settings: Settings
    app: FastAPI
    client: httpx.AsyncClient
    clock: Clock
    smtp: SmtpServer
    webhook: WebhookReceiver
    db: AsyncDatabase[dict[str, Any]]

    @property
    def notifications(self) -> Notifications:
        service: Notifications = self.app.state.notifications
        return service

    async def seeker(
        self, *, allow_contact: bool = True, language: str = "zh-CN"
    ) -> tuple[UUID, dict[str, str]]:
        """A seeker the service has heard of (from the bus), and their bearer headers."""
        seeker_id = uuid4()
        state = factories.seeker_state(seeker_id, allow_contact=allow_contact, notification_language=language)
        await publish(self.namespace, state, producer="seeker")
        await self.known(seeker_id)
        return seeker_id, bearer(TOKENS.issue(Principal(account_id=seeker_id, role=Role.SEEKER)))

    async def employer(self, name: str = "安阳精密机械有限公司") -> tuple[UUID, dict[str, str]]:
        employer_id = uuid4()
        registered = c.EmployerRegistered(
            employer_id=employer_id,
            name=name,
            credit_code=factories.credit_code(),
            industry="制造业",
            city="安阳",
        )
        await publish(self.namespace, registered, producer="employer")
        await self.known(employer_id)
        user = Principal(account_id=uuid4(), role=Role.EMPLOYER, organisation_id=employer_id)
        return employer_id, bearer(TOKENS.issue(user))

    async def known(self, recipient_id: UUID) -> None:
        async def recipient() -> dict[str, Any] | None:
            return await self.db["recipients"].find_one({"_id": str(recipient_id), "known": True})

        await wait_for(recipient, until=lambda found: found is not None, what=f"{recipient_id} to be known")

    async def vacancy(self, employer_id: UUID, title: str) -> UUID:
        state = factories.vacancy_state(employer_id=employer_id, title=title)
        await publish(self.namespace, state, producer="employer")

        async def stored() -> dict[str, Any] | None:
            return await self.db["vacancies"].find_one({"_id": str(state.vacancy_id)})

        await wait_for(stored, until=lambda found: found is not None, what="the vacancy's title")
        return state.vacancy_id

    def send_webhooks(self, policy: WebhookPolicy | None = None, dns: dict[str, str] | None = None) -> None:
        """Change the webhook policy (for saving and delivering), and pretend ``dns`` maps these
        names to these addresses (other names resolve as usual)."""
        sender = self.notifications.webhook
        names = {name: [ip_address(address)] for name, address in (dns or {}).items()}

        async def resolve(host: str, port: int) -> list[IPAddress]:
            return names[host] if host in names else await system_resolver(host, port)

        self.notifications.webhook = replace(sender, policy=policy or sender.policy, resolve=resolve)

    async def prefer(self, headers: dict[str, str], **preferences: Any) -> dict[str, Any]:
        response = await self.client.put("/me/preferences", json=preferences, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["webhook_secret"]:
            self.webhook.secret = body["webhook_secret"]
        return body

    async def inbox(self, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
        async def items() -> list[dict[str, Any]]:
            response = await self.client.get("/me/inbox", headers=headers)
            return list(response.json()["items"])

        return await wait_for(items, until=lambda found: len(found) >= count, what=f"{count} inbox item(s)")

    async def skipped(self, reason: str) -> list[dict[str, Any]]:
        async def found() -> list[dict[str, Any]]:
            return await self.db["skipped"].find({"reason": reason}).to_list()

        return await wait_for(found, until=bool, what=f"an event skipped with {reason!r}")

    def staff(self) -> dict[str, str]:
        """Headers of talent-centre staff (their token comes from the employer service)."""
        return bearer(TOKENS.issue(Principal(account_id=uuid4(), role=Role.STAFF)))

    async def delivery(self, notification_id: str, channel: str) -> dict[str, Any]:
        """It is written just after the notification, so it may take a moment to appear."""
        document = await wait_for(
            lambda: self.db["deliveries"].find_one({"_id": notification_id}),
            until=lambda found: found is not None,
            what=f"the deliveries of {notification_id}",
        )
        assert document is not None
        delivery: dict[str, Any] = document["deliveries"][channel]
        return delivery


@asynccontextmanager
async def rigged(namespace: Namespace, **webhook_settings: Any) -> AsyncIterator[Rig]:
    """Three delivery attempts, 60 s then 120 s apart on the test's clock."""
    clock = Clock()
    smtp = SmtpServer(free_port())
    overrides: dict[str, Any] = {
        "smtp_port": smtp.port, "delivery_poll_seconds": 0.05, "sse_poll_seconds": 0.05,
        "retry_first_seconds": 60, "retry_multiplier": 2, "delivery_attempts": 3, **webhook_settings,
    }  # fmt: skip
    settings = Settings(**{**settings_for(namespace, "notification").model_dump(), **overrides})
    webhook = WebhookReceiver(clock)
    hook_server = await run_server(webhook.app(), webhook.port)
    await smtp.start()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    app = create_app(settings, clock)
    try:
        async with serving(app) as client:
            yield Rig(namespace, settings, app, client, clock, smtp, webhook, mongo[settings.mongo_database])
    finally:
        await mongo.close()
        await smtp.stop()
        await stop_server(*hook_server)


@pytest.fixture
async def rig(namespace: Namespace) -> AsyncIterator[Rig]:
    """Webhooks may go to the local receiver (allow-listed 127.0.0.1, plain http)."""
    async with rigged(namespace, webhook_allowed_hosts="127.0.0.1", webhook_require_https=False) as made:
        yield made


@pytest.fixture
async def public_rig(namespace: Namespace) -> AsyncIterator[Rig]:
    """Webhooks may go to public addresses only (no allow-list), plain http allowed."""
    async with rigged(namespace, webhook_require_https=False) as made:
        yield made
