"""Bad input on every service, in process on the real broker and store: a NUL character, a lone
surrogate, NaN or Infinity, and coercions that change meaning each get a clear 422 (never a
500) whose JSON body names the problem, and nothing is stored."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, redirect_stdout
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from services.employer.bootstrap import create_app as create_employer_app
from services.employer.manage import create_staff
from services.notification.bootstrap import create_app as create_notification_app
from services.notification.core.config import Settings as NotificationSettings
from services.seeker.bootstrap import create_app as create_seeker_app
from services.web.bootstrap import create_app as create_web_app
from services.web.core.config import Settings as WebSettings
from services.web.session import SESSION_COOKIE
from shared.auth import Role
from shared.config import ServiceSettings
from tests import factories
from tests.conftest import Namespace
from tests.helpers import serving, settings_for
from tests.integration.services.conftest import STAFF_PASSWORD, approved_employer, seeker_user, sign_in
from tests.integration.services.fair_support import Clock, created, fair_app, series_body, token

pytestmark = [pytest.mark.integration, pytest.mark.security]

NUL = "\\u0000"  # as JSON text: the escape, which json.loads turns into the character
SURROGATE = "\\ud800"


@dataclass(frozen=True)
class Probe:
    """One bad request: ``body`` is raw JSON text, so NaN and lone surrogates go out as written."""

    name: str
    service: str
    method: str
    path: str
    body: str | None = None
    query: str = ""
    caller: str | None = None
    collections: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


def vacancy(**overrides: Any) -> str:
    return json.dumps(factories.vacancy(**overrides)).replace("@NUL@", NUL)


def sign_up(**overrides: Any) -> str:
    return json.dumps(factories.sign_up(f"new-{uuid4().hex[:8]}@example.cn", **overrides)).replace(
        "@NUL@", NUL
    )


def profile(**overrides: Any) -> str:
    body = {
        "display_name": "王小明",
        "contact": {"email": "wang@example.cn"},
        "skills": ["数控编程"],
        "version": 1,
        **overrides,
    }
    return json.dumps(body).replace("@NUL@", NUL)


LOGIN = '{"email": "' + SURROGATE + '@example.cn", "password": "correct horse battery 九"}'
PROBES = [
    Probe(
        "nul-vacancy-title",
        "employer",
        "POST",
        "/vacancies",
        vacancy(title="数控@NUL@"),
        caller="employer",
        collections=("vacancies",),
        names=("title", "NUL"),
    ),
    Probe(
        "nul-employer-sign-up",
        "employer",
        "POST",
        "/auth/register",
        sign_up(display_name="李@NUL@娜"),
        collections=("accounts",),
        names=("display_name", "NUL"),
    ),
    Probe("surrogate-employer-login", "employer", "POST", "/auth/login", LOGIN, names=("email", "surrogate")),
    Probe(
        "nul-employer-query",
        "employer",
        "GET",
        "/vacancies",
        query="city=%00",
        caller="employer",
        names=("city", "NUL"),
    ),
    Probe(
        "bool-as-headcount",
        "employer",
        "POST",
        "/vacancies",
        vacancy(headcount=True),
        caller="employer",
        collections=("vacancies",),
        names=("headcount", "integer"),
    ),
    Probe(
        "number-as-deadline",
        "employer",
        "POST",
        "/vacancies",
        vacancy(deadline=0),
        caller="employer",
        collections=("vacancies",),
        names=("deadline", "ISO 8601"),
    ),
    Probe(
        "nul-seeker-sign-up",
        "seeker",
        "POST",
        "/auth/register",
        sign_up(display_name="王@NUL@"),
        collections=("seekers",),
        names=("display_name", "NUL"),
    ),
    Probe("surrogate-seeker-login", "seeker", "POST", "/auth/login", LOGIN, names=("email", "surrogate")),
    Probe(
        "nul-profile-summary",
        "seeker",
        "PUT",
        "/me/profile",
        profile(summary="你好@NUL@"),
        caller="seeker",
        collections=("seekers",),
        names=("summary", "NUL"),
    ),
    Probe("nul-public-vacancies", "seeker", "GET", "/vacancies", query="city=%00", names=("city", "NUL")),
    Probe("nul-path", "seeker", "GET", "/vacancies%00", names=("path", "NUL")),
    Probe(
        "number-as-consent",
        "seeker",
        "PUT",
        "/me/consent",
        caller="seeker",
        collections=("seekers",),
        body='{"allow_matching": true, "allow_contact": true, "personalised_recommendations": 0}',
        names=("personalised_recommendations", "boolean"),
    ),
    Probe(
        "nan-min-score",
        "notification",
        "PUT",
        "/me/preferences",
        '{"min_score": NaN}',
        caller="seeker",
        collections=("recipients",),
        names=("min_score", "NaN"),
    ),
    Probe(
        "infinity-min-score",
        "notification",
        "PUT",
        "/me/preferences",
        '{"min_score": -Infinity}',
        caller="seeker",
        collections=("recipients",),
        names=("min_score", "Infinity"),
    ),
    Probe(
        "huge-daily-cap",
        "notification",
        "PUT",
        "/me/preferences",
        '{"daily_cap": 1e999}',
        caller="seeker",
        collections=("recipients",),
        names=("daily_cap", "too large"),
    ),
    Probe(
        "number-as-digest-time",
        "notification",
        "PUT",
        "/me/preferences",
        '{"digest_at": 3600}',
        caller="seeker",
        collections=("recipients",),
        names=("digest_at", "HH:MM"),
    ),
    Probe(
        "bool-as-booths",
        "fair",
        "PUT",
        "/staff/fairs/{fair}/capacity",
        '{"booths": false}',
        caller="staff",
        collections=("fairs",),
        names=("booths", "integer"),
    ),
    Probe(
        "number-as-cutoff",
        "fair",
        "POST",
        "/staff/fairs/{fair}/move",
        caller="staff",
        collections=("fairs",),
        body='{"starts_at": "2026-12-05T01:00:00Z", "ends_at": "2026-12-05T04:00:00Z", '
        '"registration_cutoff": 0}',
        names=("registration_cutoff", "ISO 8601"),
    ),
    Probe(
        "nul-cancel-reason",
        "fair",
        "POST",
        "/staff/fairs/{fair}/cancel",
        '{"reason": "检修' + NUL + '"}',
        caller="staff",
        collections=("fairs",),
        names=("reason", "NUL"),
    ),
    Probe(
        "offset-in-local-time",
        "fair",
        "POST",
        "/staff/series",
        json.dumps(series_body(rule={**series_body()["rule"], "starts": "09:00:00+08:00"})),
        caller="staff",
        collections=("series", "fairs"),
        names=("starts", "offset"),
    ),
]


@dataclass
class Target:
    client: httpx.AsyncClient
    settings: ServiceSettings
    callers: dict[str, dict[str, str]]
    values: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def target(namespace: Namespace, service: str) -> AsyncIterator[Target]:
    """The service running on the real broker and store, and a signed-in caller of each role it serves."""
    settings = settings_for(namespace, service)
    app: FastAPI = {
        "employer": lambda: create_employer_app(settings),
        "seeker": lambda: create_seeker_app(settings),
        "notification": lambda: create_notification_app(NotificationSettings(**settings.model_dump())),
        "fair": lambda: fair_app(namespace, Clock()),
    }[service]()
    async with serving(app) as client:
        found = Target(client, settings, {"staff": token(Role.STAFF), "seeker": token(Role.SEEKER)})
        if service == "employer":
            email = f"staff-{uuid4().hex[:8]}@talent.example.cn"
            with redirect_stdout(io.StringIO()):
                assert await create_staff(settings, email, "张敏", STAFF_PASSWORD) == 0
            found.callers["staff"] = await sign_in(client, email, STAFF_PASSWORD)
            found.callers["employer"] = await approved_employer(client, found.callers["staff"])
        if service == "seeker":
            found.callers["seeker"], _ = await seeker_user(client)
        if service == "fair":
            created(await client.post("/staff/series", json=series_body(), headers=found.callers["staff"]))
            fairs = (await client.get("/fairs", headers=found.callers["staff"])).json()["items"]
            found.values["fair"] = fairs[0]["id"]
        yield found


async def stored(settings: ServiceSettings, collections: tuple[str, ...]) -> dict[str, list[Any]]:
    """The named collections' documents, without their outbox entries (the relay empties those)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url)
    try:
        database = client[settings.mongo_database]
        return {
            name: [
                {key: value for key, value in document.items() if key != "_outbox"}
                async for document in database[name].find({}).sort("_id", 1)
            ]
            for name in collections
        }
    finally:
        await client.close()


@pytest.mark.parametrize("probe", PROBES, ids=lambda probe: probe.name)
async def test_bad_input_is_refused_clearly_and_changes_nothing(namespace: Namespace, probe: Probe) -> None:
    async with target(namespace, probe.service) as service:
        before = await stored(service.settings, probe.collections)
        path = probe.path.format(**service.values)
        headers = {
            "Content-Type": "application/json",
            **(service.callers[probe.caller] if probe.caller else {}),
        }
        url = httpx.URL(path, query=probe.query.encode())
        content = probe.body.encode() if probe.body is not None else None
        response = await service.client.request(probe.method, url, content=content, headers=headers)

        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/json"
        text = json.dumps(response.json(), ensure_ascii=False)
        for name in probe.names:
            assert name in text, f"{name!r} not named in {text}"
        assert await stored(service.settings, probe.collections) == before


@pytest.mark.parametrize("csrf", ["令牌", "é" * 43, "\u00ff"])
async def test_web_login_with_a_non_ascii_csrf_field_is_refused(csrf: str) -> None:
    """The web front end refuses the form before calling any API, so none needs to run."""
    app = create_web_app(
        WebSettings(employer_url="http://127.0.0.1:9", seeker_url="http://127.0.0.1:9", secure_cookies=False)
    )
    async with serving(app) as client:
        client.cookies.set(SESSION_COOKIE, "a-session-this-browser-was-given")
        form = {"csrf": csrf, "side": "seeker", "email": "wang@example.cn", "password": "x" * 12}
        response = await client.post("/login", data=form)
    assert response.status_code in (400, 403, 422), response.text
