"""Every rendered form carries a new idempotency key, and the API writes its post makes send it
(the APIs are answered here by a recording stand-in; the services' handling of the key is
tested on the real ones in tests/integration/services/test_idempotency.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from services.web.bootstrap import create_app
from services.web.core.config import Settings
from services.web.idempotency import FIELD, HEADER

pytestmark = pytest.mark.security

HIDDEN_KEY = re.compile(rf'<input type="hidden" name="{FIELD}" value="([^"]+)">')
CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')


class Recorded:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/auth/login":
            token = {"access_token": "a.b.c", "token_type": "bearer", "expires_in": 60, "role": "seeker"}
            return httpx.Response(200, json={**token, "account_id": "x"})
        return httpx.Response(201, json={"id": "x"})


@pytest.fixture
def web() -> Iterator[tuple[TestClient, Recorded]]:
    recorded = Recorded()
    with TestClient(create_app(Settings()), base_url="https://testserver") as client:
        client.app.state.backend.client = httpx.AsyncClient(transport=httpx.MockTransport(recorded.answer))  # type: ignore[attr-defined]
        yield client, recorded


def form_of(page: str) -> dict[str, str]:
    keys = HIDDEN_KEY.findall(page)
    assert len(keys) == 1, page
    return {"csrf": CSRF.findall(page)[0], FIELD: keys[0]}


def test_each_rendered_form_carries_a_new_key(web: tuple[TestClient, Recorded]) -> None:
    client, _ = web
    first, second = (form_of(client.get("/login").text)[FIELD] for _ in range(2))
    assert first != second
    assert re.fullmatch(r"[0-9a-f-]{36}", first)


def test_posting_the_same_form_twice_sends_the_same_keys(web: tuple[TestClient, Recorded]) -> None:
    client, recorded = web
    form = form_of(client.get("/signup/seeker").text)
    fields = {**form, "display_name": "王小明", "email": "wang@example.cn", "password": "correct horse 九"}
    served_with = dict(client.cookies)

    for _ in range(2):  # the first answer was lost (a timeout), so the retry carries the same cookies
        client.cookies = served_with
        assert client.post("/signup/seeker", data=fields, follow_redirects=False).status_code == 303

    register_and_login = [(r.url.path, r.headers.get(HEADER)) for r in recorded.requests]
    once = [("/auth/register", f"{form[FIELD]}.0"), ("/auth/login", f"{form[FIELD]}.1")]
    assert register_and_login == once + once


def test_a_read_or_a_post_without_a_key_sends_none(web: tuple[TestClient, Recorded]) -> None:
    client, recorded = web
    form = form_of(client.get("/login").text)
    fields = {"csrf": form["csrf"], FIELD: "not a key!", "side": "seeker", "email": "a@b.cn", "password": "x"}
    assert client.post("/login", data=fields, follow_redirects=False).status_code == 303
    assert [r.headers.get(HEADER) for r in recorded.requests] == [None]
