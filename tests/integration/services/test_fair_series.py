"""Fair series and fairs on the real broker and store: exactly-once creation with two
replicas, staff changes to one fair, and bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from shared.auth import Role
from shared.events import Topic
from tests.conftest import Namespace
from tests.helpers import serving, topic_events, wait_for
from tests.integration.services.fair_support import (
    Clock,
    IssuedOnUse,
    created,
    fair_app,
    ok,
    series_body,
    token,
)

pytestmark = pytest.mark.integration
STAFF = IssuedOnUse(Role.STAFF)


def fairs_scheduled(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in events if event["event_type"] == "fair.scheduled"]


async def test_two_replicas_create_each_weekly_fair_once(namespace: Namespace) -> None:
    clock = Clock()
    first, second = fair_app(namespace, clock), fair_app(namespace, clock)
    async with serving(first) as one, serving(second):
        series = created(await one.post("/staff/series", json=series_body(), headers=STAFF))
        # Both planners run on their own every 0.2 s; make them also race head to head.
        for _ in range(3):
            await asyncio.gather(first.state.planner.tick(), second.state.planner.tick())

        page = ok(await one.get("/fairs", params={"series_id": series["id"]}, headers=STAFF))
        starts = [fair["starts_at"] for fair in page["items"]]
        # Saturdays 09:00 Asia/Shanghai = 01:00 UTC; registration closes Thursday 18:00 local.
        assert starts == [f"2026-{day}T01:00:00Z" for day in ("11-28", "12-05", "12-12", "12-19")]
        assert page["items"][0]["registration_cutoff"] == "2026-11-26T10:00:00Z"

        clock.now += timedelta(days=7)  # a week later the next Saturday's fair appears, once
        await asyncio.gather(first.state.planner.tick(), second.state.planner.tick())
        fairs = await wait_for(
            lambda: first.state.fair_store["fairs"].count_documents({}),
            until=lambda n: n == 5,
            what="5 fairs",
        )
        assert fairs == 5
        announced = fairs_scheduled(await topic_events(namespace, Topic.FAIR))
        assert len(announced) == 5
        assert len({event["payload"]["fair_id"] for event in announced}) == 5


async def test_staff_cancel_move_resize_and_close_one_fair(namespace: Namespace) -> None:
    clock = Clock()
    async with serving(fair_app(namespace, clock)) as client:
        created(await client.post("/staff/series", json=series_body(), headers=STAFF))
        fairs = ok(await client.get("/fairs", headers=STAFF))["items"]
        first, second, third = fairs[0], fairs[1], fairs[2]

        cancelled = ok(
            await client.post(
                f"/staff/fairs/{first['id']}/cancel", json={"reason": "场馆检修"}, headers=STAFF
            )
        )
        assert cancelled["status"] == "cancelled"
        again = await client.post(f"/staff/fairs/{first['id']}/cancel", json={"reason": "x"}, headers=STAFF)
        assert again.status_code == 409
        seeker = token(Role.SEEKER)
        refused = await client.post(f"/fairs/{first['id']}/seeker-registration", headers=seeker)
        assert refused.status_code == 409
        assert "cancelled" in refused.json()["detail"]

        move = {
            "starts_at": "2026-12-06T09:30:00+08:00",
            "ends_at": "2026-12-06T12:30:00+08:00",
            "registration_cutoff": "2026-12-04T18:00:00+08:00",
        }
        moved = ok(await client.post(f"/staff/fairs/{second['id']}/move", json=move, headers=STAFF))
        assert moved["starts_at"] == "2026-12-06T01:30:00Z"
        backwards = {**move, "ends_at": "2026-12-06T08:00:00+08:00"}
        bad = await client.post(f"/staff/fairs/{second['id']}/move", json=backwards, headers=STAFF)
        assert bad.status_code == 422

        resized = ok(
            await client.put(f"/staff/fairs/{third['id']}/capacity", json={"booths": 3}, headers=STAFF)
        )
        assert resized["booth_capacity"] == 3
        too_big = await client.put(f"/staff/fairs/{third['id']}/capacity", json={"booths": 5}, headers=STAFF)
        assert too_big.status_code == 422
        assert "the venue has 4 booths" in too_big.text

        closed = ok(await client.post(f"/staff/fairs/{third['id']}/close-registration", headers=STAFF))
        assert closed["status"] == "closed"
        late = await client.post(f"/fairs/{third['id']}/seeker-registration", headers=seeker)
        assert late.status_code == 409

        events = await wait_for(
            lambda: topic_events(namespace, Topic.FAIR),
            until=lambda found: {"fair.cancelled", "fair.moved"} <= {e["event_type"] for e in found},
            what="the cancellation and the move on the bus",
        )
        cancellation = next(e for e in events if e["event_type"] == "fair.cancelled")
        assert cancellation["payload"] == {"fair_id": first["id"], "reason": "场馆检修"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rule": {**series_body()["rule"], "ends": "08:00"}}, "must end after it starts"),
        ({"rule": {**series_body()["rule"], "timezone": "Mars/Olympus"}}, "unknown time zone"),
        ({"rule": {**series_body()["rule"], "weekday": 8}}, "less than or equal to 7"),
        (
            {"venue": {"name": "大厅", "zones": [{"name": "A", "booths": ["A1", "A1"]}]}},
            "a booth label appears twice",
        ),
        ({"title": ""}, "at least 1 character"),
        ({"title": "招" * 201}, "at most 200 characters"),
        ({"weeks_ahead": "many"}, "valid integer"),
        ({"surprise": 1}, "Extra inputs are not permitted"),
    ],
)
async def test_a_bad_series_is_refused_and_creates_nothing(
    namespace: Namespace, change: dict[str, Any], message: str
) -> None:
    async with serving(fair_app(namespace, Clock())) as client:
        response = await client.post("/staff/series", json={**series_body(), **change}, headers=STAFF)
        assert response.status_code == 422
        assert message in response.text
        assert ok(await client.get("/staff/series", headers=STAFF)) == []
        assert ok(await client.get("/fairs", headers=STAFF))["total"] == 0


async def test_only_staff_create_series(namespace: Namespace) -> None:
    async with serving(fair_app(namespace, Clock())) as client:
        assert (await client.post("/staff/series", json=series_body())).status_code == 401
        employer = token(Role.EMPLOYER)
        assert (await client.post("/staff/series", json=series_body(), headers=employer)).status_code == 403
