"""Preferences over REST: defaults, changes, bad input refused with field messages and nothing
changed, roles; and the live inbox over Server-Sent Events on a real HTTP server."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from services.notification.domain.preferences import DEFAULT_MIN_SCORE
from shared.auth import Principal, Role
from tests import factories
from tests.helpers import bearer, free_port, publish
from tests.integration.services.notification.conftest import TOKENS, Rig, run_server, stop_server

pytestmark = pytest.mark.integration


async def test_defaults_then_a_change_then_bad_input_that_changes_nothing(rig: Rig) -> None:
    _, me = await rig.seeker()
    defaults = (await rig.client.get("/me/preferences", headers=me)).json()
    assert defaults["preferences"]["channels"] == ["inbox"]
    assert defaults["preferences"]["quiet_hours"] == {"start": "22:00:00", "end": "08:00:00"}
    assert defaults["preferences"]["time_zone"] == "Asia/Shanghai"
    assert defaults["webhook_secret"] is None

    chosen = await rig.prefer(
        me, channels=["inbox", "webhook"], webhook_url="https://hooks.example.cn/王", min_score=0.7,
        quiet_hours={"start": "23:00", "end": "07:00"}, language="en",
    )  # fmt: skip
    secret = chosen["webhook_secret"]
    assert len(secret) >= 40
    again = await rig.prefer(me, channels=["webhook"], webhook_url="https://hooks.example.cn/other")
    assert again["webhook_secret"] == secret, "the signing secret stays when the URL changes"
    assert again["preferences"]["min_score"] == DEFAULT_MIN_SCORE, "a PUT replaces every preference"

    bad: list[tuple[dict[str, Any], list[str], str]] = [
        ({"channels": ["email"]}, ["body"], "the email channel needs an email address"),
        ({"min_score": "high"}, ["body", "min_score"], "valid number"),
        ({"time_zone": "火星/奥林匹斯"}, ["body", "time_zone"], "unknown time zone"),
        ({"email": "不是邮箱", "channels": ["email"]}, ["body", "email"], "valid email address"),
        ({"daily_cap": 10_001}, ["body", "daily_cap"], "less than or equal to 1000"),
        ({"channels": "inbox"}, ["body", "channels"], "valid list"),
    ]
    for body, location, message in bad:
        response = await rig.client.put("/me/preferences", json=body, headers=me)
        assert response.status_code == 422, body
        [error] = response.json()["detail"]
        assert error["loc"] == location, body
        assert message in error["msg"], body
    huge = await rig.client.put("/me/preferences", json={"email": "a" * 300_000}, headers=me)
    assert huge.status_code == 413
    assert (await rig.client.get("/me/preferences", headers=me)).json() == again


async def test_who_may_call_what(rig: Rig) -> None:
    assert (await rig.client.get("/me/preferences")).status_code == 401
    assert (await rig.client.get("/me/inbox", headers=bearer("not-a-token"))).status_code == 401
    staff = await rig.client.get("/me/inbox", headers=rig.staff())
    assert staff.status_code == 403
    lone = bearer(TOKENS.issue(Principal(account_id=uuid4(), role=Role.EMPLOYER)))
    response = await rig.client.get("/me/preferences", headers=lone)
    assert response.status_code == 403
    assert "register your organisation first" in response.json()["detail"]
    _, me = await rig.seeker()
    retry = await rig.client.post(f"/staff/deliveries/{uuid4()}/email/retry", headers=rig.staff())
    assert retry.status_code == 404
    wrong_channel = await rig.client.post(f"/staff/deliveries/{uuid4()}/pigeon/retry", headers=rig.staff())
    assert wrong_channel.status_code == 422
    assert (await rig.client.post("/me/inbox/not-an-id/read", headers=me)).status_code == 422


async def test_an_open_page_receives_a_new_notification_over_server_sent_events(rig: Rig) -> None:
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "前端开发工程师")
    seeker_id, me = await rig.seeker()
    port = free_port()
    # The rig already runs the app's lifespan (broker, store); this server only serves HTTP.
    server = await run_server(rig.app, port, lifespan="off")
    try:
        async with (
            asyncio.timeout(30),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
            client.stream("GET", "/me/inbox/stream", headers=me) as stream,
        ):
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert await anext(lines) == ": connected"
            await publish(
                rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.9, rank=1)
            )
            async for line in lines:
                if line == "event: notification":
                    data = await anext(lines)
                    break
    finally:
        await stop_server(*server)
    item = json.loads(data.removeprefix("data: "))
    assert item["subject"] == "新的岗位匹配：前端开发工程师"
    assert item["read"] is False
