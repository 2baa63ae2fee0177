"""A bounded property-based run of schemathesis against each service's OpenAPI: each service in
this process on the real broker and store, behind a real HTTP server, called as staff, as an
employer user and as a seeker, with valid and invalid data generated from the schema. Every
answer must be no server error, and a status, content type and body the schema documents.

The run is deterministic (derandomised, no example database); SCHEMATHESIS_EXAMPLES sets the
examples per operation, role and generation mode (8 by default: about 10,000 requests).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.employer.bootstrap import create_app as create_employer_app
from services.employer.manage import create_staff
from services.fair.bootstrap import create_app as create_fair_app
from services.matching.bootstrap import create_app as create_matching_app
from services.notification.bootstrap import create_app as create_notification_app
from services.notification.core.config import Settings as NotificationSettings
from services.seeker.bootstrap import create_app as create_seeker_app
from shared.auth import Principal, Role, TokenIssuer
from shared.config import ServiceSettings
from tests.conftest import AUTH_SECRET, Namespace
from tests.helpers import free_port, serving, settings_for, wait_for
from tests.integration.services.conftest import STAFF_PASSWORD, approved_employer, seeker_user, sign_in

pytestmark = [
    pytest.mark.integration,
    pytest.mark.security,
    # Schemathesis' own strategies draw from `random` (Hypothesis seeds it: the run stays derandomised).
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
APPS: dict[str, Callable[[ServiceSettings], FastAPI]] = {
    "employer": create_employer_app,
    "seeker": create_seeker_app,
    "matching": create_matching_app,
    "notification": lambda s: create_notification_app(NotificationSettings(**s.model_dump())),
    "fair": create_fair_app,
}
Headers = dict[str, str]


def token(role: Role, organisation: bool = False) -> Headers:
    issuer = TokenIssuer(AUTH_SECRET, timedelta(hours=1))
    principal = Principal(account_id=uuid4(), role=role, organisation_id=uuid4() if organisation else None)
    return {"Authorization": f"Bearer {issuer.issue(principal)}"}


async def callers(
    name: str, client: httpx.AsyncClient, service_settings: ServiceSettings
) -> dict[str, Headers]:
    """A valid token of each role: real accounts where this service keeps accounts."""
    found = {"staff": token(Role.STAFF), "employer": token(Role.EMPLOYER, True), "seeker": token(Role.SEEKER)}
    if name == "employer":
        email = f"staff-{uuid4().hex[:8]}@talent.example.cn"
        with redirect_stdout(io.StringIO()):
            assert await create_staff(service_settings, email, "张敏", STAFF_PASSWORD) == 0
        found["staff"] = await sign_in(client, email, STAFF_PASSWORD)
        found["employer"] = await approved_employer(client, found["staff"])
    if name == "seeker":
        found["seeker"], _ = await seeker_user(client)
    return found


class Fuzzer:
    """Sends the generated cases to one base URL and keeps the count and the failures."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.sent = 0
        self.failures: list[str] = []

    def run(
        self, operation: APIOperation[Any, Any, Any, Any], mode: GenerationMode, role: str, headers: Headers
    ) -> None:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Case[Any]) -> None:
            response = case.call(base_url=self.base_url, headers=headers, timeout=30)
            self.sent += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                where = f"{role} {mode.value}: {case.method} {case.formatted_path} -> {response.status_code}"
                self.failures.extend(
                    f"{where}: {failure.title}: {failure.message}" for failure in group.exceptions
                )

        # An operation without parameters or body has no invalid request to generate.
        with contextlib.suppress(Unsatisfiable):
            call()


def fuzz(spec: dict[str, Any], base_url: str, roles: dict[str, Headers]) -> Fuzzer:
    """Every operation, as every role, with valid then invalid data."""
    fuzzer = Fuzzer(base_url)
    # A live event stream never ends, so no response to it could be checked.
    schema = schemathesis.openapi.from_dict(spec).exclude(path="/me/inbox/stream")
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        for role, headers in roles.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzzer.run(operation, mode, role, headers)
    return fuzzer


@pytest.mark.parametrize("name", list(APPS))
async def test_generated_requests_get_no_server_error_and_match_the_schema(
    namespace: Namespace, name: str
) -> None:
    service_settings = settings_for(namespace, name)
    app = APPS[name](service_settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    async with serving(app) as client:
        roles = await callers(name, client, service_settings)
        serve = asyncio.create_task(server.serve())
        try:
            await wait_for(lambda: asyncio.sleep(0, server.started), until=bool, what="the HTTP server")
            fuzzer = await asyncio.to_thread(fuzz, app.openapi(), f"http://127.0.0.1:{port}", roles)
        finally:
            server.should_exit = True
            await serve
    print(f"{name}: {fuzzer.sent} requests, {len(fuzzer.failures)} failures")
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:40])
