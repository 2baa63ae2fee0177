"""Registration on the real broker and store: booth capacity, the waitlist, eligibility, walk-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from shared.auth import Role
from shared.events import Topic
from shared.events import catalogue as c
from tests import factories
from tests.conftest import Namespace
from tests.helpers import publish, serving, topic_events, wait_for
from tests.integration.services.fair_support import (
    Clock,
    IssuedOnUse,
    Market,
    created,
    fair_app,
    ok,
    series_body,
    token,
)

pytestmark = pytest.mark.integration
STAFF = IssuedOnUse(Role.STAFF)


@dataclass
class FairUnderTest:
    client: httpx.AsyncClient
    market: Market
    fair: dict[str, Any]
    clock: Clock


@pytest.fixture
async def graduate_fair(namespace: Namespace) -> AsyncIterator[FairUnderTest]:
    clock = Clock()
    app = fair_app(namespace, clock)
    async with serving(app) as client:
        body = series_body(theme="graduates", eligibility={"graduated_within_years": 2})
        created(await client.post("/staff/series", json=body, headers=STAFF))
        fair = ok(await client.get("/fairs", headers=STAFF))["items"][0]
        yield FairUnderTest(client, Market(namespace, app.state.fair_store), fair, clock)


def employer_token(employer_id: UUID) -> dict[str, str]:
    return token(Role.EMPLOYER, organisation_id=employer_id)


async def register_employer(f: FairUnderTest, employer_id: UUID) -> dict[str, Any]:
    body = {"vacancy_ids": [str(v) for v in f.market.employers[employer_id]]}
    url = f"/fairs/{f.fair['id']}/employer-registration"
    return created(await f.client.post(url, json=body, headers=employer_token(employer_id)))


async def approve(f: FairUnderTest, registration: dict[str, Any]) -> dict[str, Any]:
    url = f"/staff/fairs/{f.fair['id']}/registrations/{registration['id']}/approve"
    return dict(ok(await f.client.post(url, headers=STAFF)))


async def test_booths_fill_then_the_waitlist_moves_up_in_order(graduate_fair: FairUnderTest) -> None:
    f = graduate_fair
    ok(await f.client.put(f"/staff/fairs/{f.fair['id']}/capacity", json={"booths": 2}, headers=STAFF))
    employers = [await f.market.employer() for _ in range(4)]
    registrations = [await register_employer(f, employer) for employer in employers]
    assert {r["status"] for r in registrations} == {"registered"}

    decided = [await approve(f, registration) for registration in registrations]
    assert [d["status"] for d in decided] == ["approved", "approved", "waitlisted", "waitlisted"]
    twice = await f.client.post(
        f"/staff/fairs/{f.fair['id']}/registrations/{registrations[0]['id']}/approve", headers=STAFF
    )
    assert twice.status_code == 409

    shrink = await f.client.put(f"/staff/fairs/{f.fair['id']}/capacity", json={"booths": 1}, headers=STAFF)
    assert shrink.status_code == 409
    assert "2 employers are approved already" in shrink.json()["detail"]

    withdrawn = ok(
        await f.client.delete(f"/fairs/{f.fair['id']}/registration", headers=employer_token(employers[0]))
    )
    assert withdrawn["status"] == "withdrawn"
    statuses = {
        r["participant_id"]: r["status"]
        for r in ok(
            await f.client.get(f"/staff/fairs/{f.fair['id']}/registrations?kind=employer", headers=STAFF)
        )
    }
    # The first on the waitlist took the booth; the second still waits.
    assert [statuses[str(e)] for e in employers] == ["withdrawn", "approved", "approved", "waitlisted"]

    ok(await f.client.put(f"/staff/fairs/{f.fair['id']}/capacity", json={"booths": 3}, headers=STAFF))
    mine = ok(await f.client.get(f"/fairs/{f.fair['id']}/registration", headers=employer_token(employers[3])))
    assert mine["status"] == "approved"
    # A seeker choosing wishes sees the employers taking part, not the one that withdrew.
    taking_part = ok(
        await f.client.get(f"/fairs/{f.fair['id']}/employers", headers=token(Role.SEEKER, uuid4()))
    )
    assert {e["employer_id"] for e in taking_part} == {str(e) for e in employers[1:]}

    events = await wait_for(
        lambda: topic_events(f.market.namespace, Topic.FAIR),
        until=lambda found: sum(e["event_type"] == "fair.registration" for e in found) >= 4 + 4 + 1 + 2,
        what="every registration change on the bus",
    )
    last = [e["payload"] for e in events if e["event_type"] == "fair.registration"][-1]
    assert last["participant_id"] == str(employers[3])
    assert last["status"] == "approved"


async def test_employers_bring_only_their_own_open_vacancies(graduate_fair: FairUnderTest) -> None:
    f = graduate_fair
    employer, other = await f.market.employer(), await f.market.employer()
    url = f"/fairs/{f.fair['id']}/employer-registration"
    foreign = {"vacancy_ids": [str(f.market.employers[other][0])]}
    response = await f.client.post(url, json=foreign, headers=employer_token(employer))
    assert response.status_code == 422
    assert str(f.market.employers[other][0]) in response.text
    empty = await f.client.post(url, json={"vacancy_ids": []}, headers=employer_token(employer))
    assert empty.status_code == 422
    wrong_type = await f.client.post(url, json={"vacancy_ids": ["岗位"]}, headers=employer_token(employer))
    assert wrong_type.status_code == 422

    pending = await f.market.employer(approved=False)
    body = {"vacancy_ids": [str(f.market.employers[pending][0])]}
    refused = await f.client.post(url, json=body, headers=employer_token(pending))
    assert refused.status_code == 403
    assert "not approved" in refused.json()["detail"]
    assert (
        ok(await f.client.get(f"/staff/fairs/{f.fair['id']}/registrations?kind=employer", headers=STAFF))
        == []
    )

    await register_employer(f, employer)
    own = {"vacancy_ids": [str(f.market.employers[employer][0])]}
    again = await f.client.post(url, json=own, headers=employer_token(employer))
    assert again.status_code == 409

    missing = await f.client.post(
        f"/fairs/{uuid4()}/employer-registration", json=foreign, headers=employer_token(other)
    )
    assert missing.status_code == 404


async def test_seekers_are_checked_for_eligibility_with_a_clear_refusal(graduate_fair: FairUnderTest) -> None:
    f = graduate_fair
    url = f"/fairs/{f.fair['id']}/seeker-registration"
    old_hand = await f.market.seeker(graduation_year=2015)
    refused = await f.client.post(url, headers=token(Role.SEEKER, old_hand))
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        f"not eligible for {f.fair['title']}: this fair is for graduates of 2024 or later; "
        "your most recent graduation is 2015"
    )
    unknown = await f.client.post(url, headers=token(Role.SEEKER, uuid4()))
    assert unknown.status_code == 409
    assert "profile has not reached" in unknown.json()["detail"]

    graduate = await f.market.seeker(graduation_year=2026)
    registration = created(await f.client.post(url, headers=token(Role.SEEKER, graduate)))
    assert registration["status"] == "registered"
    assert registration["code"]
    assert (await f.client.post(url, headers=token(Role.SEEKER, graduate))).status_code == 409

    # After the cutoff pre-registration is closed, but staff add walk-ins at the door.
    late = await f.market.seeker(graduation_year=2025)
    f.clock.now = f.clock.now.replace(day=27)
    closed = await f.client.post(url, headers=token(Role.SEEKER, late))
    assert closed.status_code == 409
    assert "registration for this fair closed at 2026-11-26T10:00:00+00:00" in closed.json()["detail"]
    walk_in = created(
        await f.client.post(
            f"/staff/fairs/{f.fair['id']}/walk-ins", json={"seeker_id": str(late)}, headers=STAFF
        )
    )
    assert walk_in["walk_in"] is True
    assert walk_in["checked_in_at"] is not None
    ineligible = await f.client.post(
        f"/staff/fairs/{f.fair['id']}/walk-ins", json={"seeker_id": str(old_hand)}, headers=STAFF
    )
    assert ineligible.status_code == 403


async def test_the_read_models_follow_versions_and_closed_vacancies(graduate_fair: FairUnderTest) -> None:
    f = graduate_fair
    employer = await f.market.employer(vacancies=2)
    kept, closed = f.market.employers[employer]
    await publish(f.market.namespace, c.VacancyClosed(vacancy_id=closed, employer_id=employer, version=2))
    # A replay of the vacancy's first version (older) must not reopen it.
    await publish(
        f.market.namespace, factories.vacancy_state(vacancy_id=closed, employer_id=employer, version=1)
    )
    await wait_for(
        lambda: f.market.store["vacancies"].find_one({"_id": str(closed)}),
        until=lambda document: document is not None and document["open"] is False,
        what="the closed vacancy in the read model",
    )
    seeker = await f.market.seeker(graduation_year=2026)
    newer = factories.seeker_state(seeker, version=3, education=[])
    older = factories.seeker_state(seeker, version=2)
    await publish(f.market.namespace, newer, older)
    await wait_for(
        lambda: f.market.store["seekers"].find_one({"_id": str(seeker)}),
        until=lambda document: document is not None and document["version"] == 3,
        what="the newest profile version",
    )

    url = f"/fairs/{f.fair['id']}/employer-registration"
    refused = await f.client.post(url, json={"vacancy_ids": [str(closed)]}, headers=employer_token(employer))
    assert refused.status_code == 422
    assert created(
        await f.client.post(url, json={"vacancy_ids": [str(kept)]}, headers=employer_token(employer))
    )
    # Version 3 lists no education, so the graduate fair refuses, whatever version 2 said.
    response = await f.client.post(
        f"/fairs/{f.fair['id']}/seeker-registration", headers=token(Role.SEEKER, seeker)
    )
    assert response.status_code == 403
    assert "lists no graduation" in response.json()["detail"]
