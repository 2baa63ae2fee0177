"""Every route of every service declares who may call it, and refuses everyone else.

The table below is the expected access of each route, written apart from the code. The test
reads each app's route table: a route missing from the table (added without thought to who may
call it), a route whose declared roles (its ``RoleCheck`` dependency) differ from the table, or a
route that answers a refused caller with anything but 401 (no token) or 403 (another role) fails.
Each allowed role is also called once, to show the check does not refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from services.employer.bootstrap import create_app as employer_app
from services.fair.bootstrap import create_app as fair_app
from services.matching.bootstrap import create_app as matching_app
from services.notification.bootstrap import create_app as notification_app
from services.notification.core.config import Settings as NotificationSettings
from services.seeker.bootstrap import create_app as seeker_app
from shared.api.security import RoleCheck
from shared.auth import Principal, Role, TokenIssuer
from tests import factories
from tests.conftest import AUTH_SECRET, Namespace
from tests.helpers import bearer, serving, settings_for

pytestmark = pytest.mark.integration

PUBLIC: frozenset[Role] = frozenset()
STAFF = frozenset({Role.STAFF})
SEEKER = frozenset({Role.SEEKER})
EMPLOYER = frozenset({Role.EMPLOYER})
PARTICIPANT = frozenset({Role.SEEKER, Role.EMPLOYER})
ANYONE_SIGNED_IN = frozenset(Role)

OPERATIONS = {("GET", "/healthz"): PUBLIC, ("GET", "/readyz"): PUBLIC, ("GET", "/metrics"): PUBLIC}
SIGN_IN = {("POST", "/auth/register"): PUBLIC, ("POST", "/auth/login"): PUBLIC}

Access = dict[tuple[str, str], frozenset[Role]]
EXPECTED: dict[str, Access] = {
    "employer": {
        **OPERATIONS,
        **SIGN_IN,
        ("POST", "/organisations"): EMPLOYER,
        ("GET", "/organisations/mine"): EMPLOYER,
        ("POST", "/vacancies"): EMPLOYER,
        ("GET", "/vacancies"): EMPLOYER,
        ("GET", "/vacancies/{vacancy_id}"): EMPLOYER,
        ("PUT", "/vacancies/{vacancy_id}"): EMPLOYER,
        ("POST", "/vacancies/{vacancy_id}/close"): EMPLOYER,
        ("POST", "/vacancies/{vacancy_id}/reopen"): EMPLOYER,
        ("GET", "/vacancies/{vacancy_id}/candidates"): EMPLOYER,
        ("GET", "/vacancies/{vacancy_id}/applications"): EMPLOYER,
        ("POST", "/vacancies/{vacancy_id}/invitations"): EMPLOYER,
        ("GET", "/invitations"): EMPLOYER,
        ("GET", "/staff/organisations"): STAFF,
        ("POST", "/staff/organisations/{organisation_id}/approve"): STAFF,
        ("POST", "/staff/organisations/{organisation_id}/reject"): STAFF,
    },
    "seeker": {
        **OPERATIONS,
        **SIGN_IN,
        ("GET", "/vacancies"): PUBLIC,  # the open job board
        ("GET", "/me"): SEEKER,
        ("PUT", "/me/profile"): SEEKER,
        ("PUT", "/me/consent"): SEEKER,
        ("DELETE", "/me"): SEEKER,
        ("POST", "/me/credentials"): SEEKER,
        ("GET", "/me/credentials"): SEEKER,
        ("POST", "/me/applications"): SEEKER,
        ("GET", "/me/applications"): SEEKER,
        ("GET", "/me/invitations"): SEEKER,
        ("POST", "/me/invitations/{invitation_id}/answer"): SEEKER,
        ("GET", "/me/matches"): SEEKER,
        ("GET", "/staff/credentials"): STAFF,
        ("POST", "/staff/credentials/{credential_id}/verify"): STAFF,
        ("POST", "/staff/credentials/{credential_id}/reject"): STAFF,
        ("POST", "/staff/seekers/import"): STAFF,
    },
    "matching": {**OPERATIONS, ("GET", "/model"): PUBLIC},  # the model's version and quality
    "notification": {
        **OPERATIONS,
        ("GET", "/me/preferences"): PARTICIPANT,
        ("PUT", "/me/preferences"): PARTICIPANT,
        ("GET", "/me/inbox"): PARTICIPANT,
        ("GET", "/me/inbox/unread-count"): PARTICIPANT,
        ("POST", "/me/inbox/{notification_id}/read"): PARTICIPANT,
        ("GET", "/me/inbox/stream"): PARTICIPANT,
        ("GET", "/staff/deliveries/dead"): STAFF,
        ("POST", "/staff/deliveries/{notification_id}/{channel}/retry"): STAFF,
    },
    "fair": {
        **OPERATIONS,
        ("GET", "/fairs"): ANYONE_SIGNED_IN,
        ("GET", "/fairs/{fair_id}"): ANYONE_SIGNED_IN,
        ("POST", "/fairs/{fair_id}/employer-registration"): EMPLOYER,
        ("POST", "/fairs/{fair_id}/seeker-registration"): SEEKER,
        ("GET", "/fairs/{fair_id}/registration"): PARTICIPANT,
        ("GET", "/fairs/{fair_id}/registration/qr.png"): PARTICIPANT,
        ("DELETE", "/fairs/{fair_id}/registration"): PARTICIPANT,
        ("GET", "/fairs/{fair_id}/itinerary"): PARTICIPANT,
        ("POST", "/staff/series"): STAFF,
        ("GET", "/staff/series"): STAFF,
        ("GET", "/staff/series/{series_id}"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/cancel"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/move"): STAFF,
        ("PUT", "/staff/fairs/{fair_id}/capacity"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/close-registration"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/schedule"): STAFF,
        ("GET", "/staff/fairs/{fair_id}/schedule"): STAFF,
        ("DELETE", "/staff/fairs/{fair_id}/schedule/run"): STAFF,
        ("GET", "/staff/fairs/{fair_id}/registrations"): STAFF,
        ("GET", "/staff/fairs/{fair_id}/interviews"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/registrations/{registration_id}/approve"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/walk-ins"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/check-ins"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/employers/{employer_id}/no-show"): STAFF,
        ("POST", "/staff/fairs/{fair_id}/outcomes"): STAFF,
        ("GET", "/staff/fairs/{fair_id}/statistics"): STAFF,
        ("GET", "/staff/fairs/{fair_id}/statistics.csv"): STAFF,
        ("GET", "/staff/fairs/{fair_id}/talent-demand"): STAFF,
        ("GET", "/staff/fairs/{fair_id}/talent-demand.csv"): STAFF,
        ("GET", "/staff/statistics"): STAFF,
        ("GET", "/staff/statistics.csv"): STAFF,
    },
}
# An event stream never ends, so its allowed callers are not called here (the inbox tests read it).
STREAMS = {("notification", "GET", "/me/inbox/stream")}


def build(service: str, namespace: Namespace) -> FastAPI:
    settings = settings_for(namespace, service)
    builders: dict[str, Callable[[], FastAPI]] = {
        "employer": lambda: employer_app(settings),
        "seeker": lambda: seeker_app(settings),
        "matching": lambda: matching_app(settings),
        "notification": lambda: notification_app(NotificationSettings(**settings.model_dump())),
        "fair": lambda: fair_app(settings),
    }
    return builders[service]()


def api_routes(app: FastAPI) -> Iterator[tuple[str, str, Dependant]]:
    """Every method and path of the app's API routes, routers included, with its dependencies
    as included (a router's own dependencies too); the docs pages are not API routes."""
    for context in iter_route_contexts(app.routes):
        path = context.path
        if isinstance(context.original_route, APIRoute) and path is not None:
            dependant: Dependant = context.dependant
            for method in sorted(context.methods or ()):
                yield method, path, dependant


def declared(dependant: Dependant) -> frozenset[Role] | None:
    """The roles the route's role checks let through (all must pass), or None without any."""
    allowed: frozenset[Role] | None = None
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleCheck):
            allowed = sub.call.allowed if allowed is None else allowed & sub.call.allowed
        inner = declared(sub)
        if inner is not None:
            allowed = inner if allowed is None else allowed & inner
    return allowed


def token(role: Role) -> dict[str, str]:
    """A fresh account of ``role`` (an employer user with an organisation)."""
    organisation = uuid4() if role is Role.EMPLOYER else None
    principal = Principal(account_id=uuid4(), role=role, organisation_id=organisation)
    return bearer(TokenIssuer(AUTH_SECRET, timedelta(minutes=10)).issue(principal))


async def own_token(
    client: httpx.AsyncClient, service: str, role: Role, members: dict[Role, dict[str, str]]
) -> dict[str, str]:
    """A caller the route should let through. The seeker service takes a seeker it does not
    know for one who was erased, so there it is a seeker it registered (kept in ``members``)."""
    if service != "seeker" or role is not Role.SEEKER:
        return token(role)
    if role not in members:
        body = factories.sign_up(f"roles-{uuid4().hex[:8]}@example.cn")
        assert (await client.post("/auth/register", json=body)).status_code == 201
        login = {"email": body["email"], "password": body["password"]}
        members[role] = bearer((await client.post("/auth/login", json=login)).json()["access_token"])
    return members[role]


def concrete(path: str) -> str:
    return re.sub(r"\{channel\}", "email", re.sub(r"\{\w+_id\}", lambda _: str(uuid4()), path))


async def call(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    body: dict[str, object] | None = {} if method in {"POST", "PUT"} else None
    return await client.request(method, concrete(path), json=body, headers=headers)


@pytest.mark.parametrize("service", sorted(EXPECTED))
async def test_every_route_refuses_every_caller_it_does_not_declare(
    namespace: Namespace, service: str
) -> None:
    app = build(service, namespace)
    routes = list(api_routes(app))
    expected = EXPECTED[service]

    undeclared = sorted({(m, p) for m, p, _ in routes} - set(expected))
    assert not undeclared, f"{service}: routes with no expected access in this table: {undeclared}"
    gone = sorted(set(expected) - {(m, p) for m, p, _ in routes})
    assert not gone, f"{service}: the table names routes the app does not have: {gone}"
    for method, path, dependant in routes:
        code, wanted = declared(dependant) or PUBLIC, expected[method, path]
        assert code == wanted, (
            f"{service} {method} {path}: declares {sorted(code)}, expected {sorted(wanted)}"
        )

    refusals: list[str] = []
    members: dict[Role, dict[str, str]] = {}
    async with serving(app) as client:
        for method, path, _ in routes:
            allowed = expected[method, path]
            if not allowed:
                continue
            response = await call(client, method, path, {})
            if response.status_code != 401:
                refusals.append(f"{method} {path} without a token: {response.status_code}")
            for role in Role:
                if role in allowed and (service, method, path) in STREAMS:
                    continue
                caller = await own_token(client, service, role, members) if role in allowed else token(role)
                response = await call(client, method, path, caller)
                if method == "DELETE" and role in allowed:
                    members.pop(role, None)  # it may have erased itself
                refused = response.status_code == 403 and "role" in response.json()["detail"]
                if role in allowed and (response.status_code == 401 or refused):
                    refusals.append(f"{method} {path} refused its own role {role}: {response.text}")
                if role not in allowed and response.status_code != 403:
                    refusals.append(f"{method} {path} as {role}: {response.status_code} {response.text[:80]}")
    assert not refusals, f"{service}:\n" + "\n".join(refusals)
