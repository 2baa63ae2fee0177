"""Staff scheduling runs off the event loop, on the real store: a request answers 202 and the
schedule arrives later; a second request while one runs is refused (409); the service keeps
answering other requests during a long solve; a run can be cancelled and publishes nothing, the
planner's run at the cutoff too."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from services.fair.adapters.repository import FairStore
from services.fair.bootstrap import create_app
from services.fair.domain.model import Registration
from shared.auth import Role
from shared.events import catalogue as c
from shared.store.mongo import as_document
from tests.conftest import Namespace
from tests.helpers import serving, settings_for, wait_for
from tests.integration.services.fair_support import (
    MONDAY,
    Clock,
    Market,
    created,
    ok,
    run_schedule,
    series_body,
    token,
)

pytestmark = pytest.mark.integration
STAFF = token(Role.STAFF)
# 600 x 20 pairs x 6 slots is beyond the exact model; two interviews five slots apart fit
# only slots 0 and 5, so placement falls short of the slot-free bound and LNS runs its budget.
BOOTHS, SEEKERS = 20, 600
TIGHT = {"slot_minutes": 30, "per_seeker": 2, "per_booth_slot": 2, "gap_slots": 4}


@dataclass
class BigFair:
    client: httpx.AsyncClient
    id: str
    app: FastAPI
    clock: Clock

    def url(self, path: str = "") -> str:
        return f"/staff/fairs/{self.id}/schedule{path}"


async def _fill(store: FairStore, fair_id: UUID) -> None:
    """Approved employers, registered seekers and a match of every seeker with every employer,
    written straight into the store (the read model the scheduler reads)."""
    registrations, matches = [], []
    rng = random.Random(17)
    employers = []
    for _ in range(BOOTHS):
        employer, vacancy = uuid4(), uuid4()
        employers.append((employer, vacancy))
        registration = Registration.new(
            fair_id, c.ParticipantKind.EMPLOYER, employer, MONDAY, vacancy_ids=[vacancy]
        ).model_copy(update={"status": c.RegistrationStatus.APPROVED})
        registrations.append(as_document(registration))
    for _ in range(SEEKERS):
        seeker = uuid4()
        registration = Registration.new(fair_id, c.ParticipantKind.SEEKER, seeker, MONDAY)
        registrations.append(as_document(registration))
        matches += [
            {
                "_id": str(uuid4()),
                "seeker_id": str(seeker),
                "vacancy_id": str(vacancy),
                "employer_id": str(employer),
                "score": round(rng.random(), 3),
            }
            for employer, vacancy in employers
        ]
    await store["registrations"].insert_many(registrations)
    await store["matches"].insert_many(matches)


@pytest.fixture
async def big_fair(namespace: Namespace) -> AsyncIterator[BigFair]:
    booths = [f"A{n:02d}" for n in range(BOOTHS)]
    body = series_body(venue={"name": "大厅", "zones": [{"name": "A区", "booths": booths}]}, interviews=TIGHT)
    clock = Clock()
    app = create_app(settings_for(namespace, "fair"), clock=clock, planner_interval_s=60, solver_seconds=120)
    async with serving(app) as client:
        created(await client.post("/staff/series", json=body, headers=STAFF))
        fair_id = ok(await client.get("/fairs", headers=STAFF))["items"][0]["id"]
        await _fill(app.state.fair_store, UUID(fair_id))
        yield BigFair(client, fair_id, app, clock)


async def test_a_long_solve_leaves_the_service_answering_refuses_a_second_run_and_can_be_cancelled(
    big_fair: BigFair,
) -> None:
    client = big_fair.client
    started = await client.post(big_fair.url(), headers=STAFF)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]

    # While it solves (a 120 s budget): another endpoint answers, long before the solve
    # could end (seconds, on a busy 2-core machine), and a second run is refused.
    asked = time.monotonic()
    listed = ok(await client.get("/fairs", headers=STAFF))
    assert time.monotonic() - asked < 20.0
    assert listed["items"][0]["id"] == big_fair.id
    second = await client.post(big_fair.url(), headers=STAFF)
    assert second.status_code == 409
    assert "running since" in second.json()["detail"]
    state: dict[str, Any] = ok(await client.get(big_fair.url(), headers=STAFF))
    assert state["schedule_run"]["id"] == run_id  # still running when the others answered

    cancelled = ok(await client.delete(big_fair.url("/run"), headers=STAFF))
    assert cancelled == {"run_id": run_id, "status": "cancelled"}
    state = ok(await client.get(big_fair.url(), headers=STAFF))
    assert state.get("schedule_run") is None
    assert "schedule_summary" not in state
    assert (await client.delete(big_fair.url("/run"), headers=STAFF)).status_code == 404

    # A new run may start once the cancelled one is gone.
    restarted = await client.post(big_fair.url(), headers=STAFF)
    assert restarted.status_code == 202, restarted.text
    ok(await client.delete(big_fair.url("/run"), headers=STAFF))


async def test_the_cutoff_run_is_marked_like_a_staff_run_and_can_be_cancelled(big_fair: BigFair) -> None:
    client = big_fair.client
    big_fair.clock.now += timedelta(days=3, hours=9)  # Thursday 19:00 in Shanghai, past the cutoff
    await big_fair.app.state.planner.tick()  # returns once the run is started, not solved
    state: dict[str, Any] = ok(await client.get(big_fair.url(), headers=STAFF))
    run_id = state["schedule_run"]["id"]
    assert ok(await client.get(f"/fairs/{big_fair.id}", headers=STAFF))["status"] == "closed"
    refused = await client.post(big_fair.url(), headers=STAFF)
    assert refused.status_code == 409  # staff cannot start a second run beside it

    cancelled = ok(await client.delete(big_fair.url("/run"), headers=STAFF))
    assert cancelled == {"run_id": run_id, "status": "cancelled"}
    state = ok(await client.get(big_fair.url(), headers=STAFF))
    assert state.get("schedule_run") is None
    assert "schedule_summary" not in state
    await big_fair.app.state.planner.tick()  # the cutoff was claimed once: no second run starts
    assert ok(await client.get(big_fair.url(), headers=STAFF)).get("schedule_run") is None
    assert ok(await client.get(f"/fairs/{big_fair.id}", headers=STAFF))["schedule_version"] == 0


async def test_a_run_publishes_its_version_and_then_another_may_start(namespace: Namespace) -> None:
    booths = [f"A{n:02d}" for n in range(4)]
    body = series_body(venue={"name": "大厅", "zones": [{"name": "A区", "booths": booths}]})
    app = create_app(settings_for(namespace, "fair"), clock=Clock(), planner_interval_s=60, solver_seconds=2)
    async with serving(app) as client:
        created(await client.post("/staff/series", json=body, headers=STAFF))
        fair_id = ok(await client.get("/fairs", headers=STAFF))["items"][0]["id"]
        store: FairStore = app.state.fair_store
        employer, vacancy, seeker = uuid4(), uuid4(), uuid4()
        employer_registration = Registration.new(
            UUID(fair_id), c.ParticipantKind.EMPLOYER, employer, MONDAY, vacancy_ids=[vacancy]
        ).model_copy(update={"status": c.RegistrationStatus.APPROVED})
        seeker_registration = Registration.new(UUID(fair_id), c.ParticipantKind.SEEKER, seeker, MONDAY)
        await store["registrations"].insert_many(
            [as_document(employer_registration), as_document(seeker_registration)]
        )
        match = {"_id": str(uuid4()), "seeker_id": str(seeker), "vacancy_id": str(vacancy), "score": 0.7}
        await store["matches"].insert_one({**match, "employer_id": str(employer)})

        first = await run_schedule(client, fair_id, STAFF)
        second = await run_schedule(client, fair_id, STAFF)
        assert (first["version"], second["version"]) == (1, 2)
        assert first["interviews"] == second["interviews"] == 1
        interviews = await wait_for(
            lambda: client.get(f"/staff/fairs/{fair_id}/interviews", headers=STAFF),
            until=lambda response: response.status_code == 200,
            what="the published schedule",
        )
        assert [i["seeker_id"] for i in interviews.json()["interviews"]] == [str(seeker)]


async def test_hours_breaks_interviewers_availability_and_wishes_given_at_registration_shape_the_schedule(
    namespace: Namespace,
) -> None:
    app = create_app(settings_for(namespace, "fair"), clock=Clock(), planner_interval_s=60, solver_seconds=5)
    async with serving(app) as client:
        created(await client.post("/staff/series", json=series_body(), headers=STAFF))
        fair = ok(await client.get("/fairs", headers=STAFF))["items"][0]
        starts = datetime.fromisoformat(fair["starts_at"])  # six 30-minute slots

        def window(first: int, last: int) -> dict[str, str]:
            """Slots first..last inclusive."""
            return {
                "starts": (starts + timedelta(minutes=30 * first)).isoformat(),
                "ends": (starts + timedelta(minutes=30 * (last + 1))).isoformat(),
            }

        market = Market(namespace, app.state.fair_store)
        busy, quiet = await market.employer(), await market.employer(industry="信息技术")
        seekers = [await market.seeker() for _ in range(3)]
        await market.matches(*[(s, busy, 0.5) for s in seekers], *[(s, quiet, 0.9) for s in seekers])
        plans = {
            # Two interviewers from slot 1 to 4, off in slot 3.
            busy: {
                "interviewers": 2,
                "hours": window(1, 4),
                "breaks": [window(3, 3)],
                "maximum_interviews": 3,
            },
            quiet: {"hours": window(0, 1)},
        }
        for employer, plan in plans.items():
            headers = token(Role.EMPLOYER, organisation_id=employer)
            body = {"vacancy_ids": [str(v) for v in market.employers[employer]], "plan": plan}
            registration = created(
                await client.post(f"/fairs/{fair['id']}/employer-registration", json=body, headers=headers)
            )
            ok(
                await client.post(
                    f"/staff/fairs/{fair['id']}/registrations/{registration['id']}/approve", headers=STAFF
                )
            )
        bodies = [
            {"availability": [window(2, 5)], "wishes": [str(busy)]},
            {"interviews_wanted": 1, "wishes": [str(busy), str(quiet)]},
            {},
        ]
        for seeker, body in zip(seekers, bodies, strict=True):
            url = f"/fairs/{fair['id']}/seeker-registration"
            created(await client.post(url, json=body, headers=token(Role.SEEKER, seeker)))
        late, url = await market.seeker(), f"/fairs/{fair['id']}/seeker-registration"
        outside = {
            "availability": [{"starts": "2030-01-01T09:00:00+08:00", "ends": "2030-01-01T10:00:00+08:00"}]
        }
        refused = await client.post(url, json=outside, headers=token(Role.SEEKER, late))
        assert refused.status_code == 422
        assert "no whole interview slot" in refused.text
        backwards = {"availability": [{"starts": window(2, 2)["ends"], "ends": window(2, 2)["starts"]}]}
        refused = await client.post(url, json=backwards, headers=token(Role.SEEKER, late))
        assert refused.status_code == 422
        assert "starts < ends" in refused.text

        summary = await run_schedule(client, fair["id"], STAFF)
        assert summary["worst_off_measure"] == "interviews"
        published = ok(await client.get(f"/staff/fairs/{fair['id']}/interviews", headers=STAFF))["interviews"]
        at_busy = [i for i in published if i["employer_id"] == str(busy)]
        assert {i["slot"] for i in at_busy} <= {1, 2, 4}
        assert len(at_busy) <= 3
        assert {i["slot"] for i in published if i["employer_id"] == str(quiet)} <= {0, 1}
        first_seeker = [i for i in published if i["seeker_id"] == str(seekers[0])]
        assert first_seeker
        assert {i["slot"] for i in first_seeker} <= {2, 3, 4, 5}
        assert len([i for i in published if i["seeker_id"] == str(seekers[1])]) == 1
        # Both wished the busy booth: both got it (it has room for three).
        assert {i["seeker_id"] for i in at_busy} >= {str(seekers[0]), str(seekers[1])}
