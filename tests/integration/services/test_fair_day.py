"""Scheduling, the day of the fair and after, on the real broker and store: published schedules,
the cutoff run, idempotent check-in, no-show rebooking, outcomes, statistics and erasure."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared.auth import Role
from shared.events import Topic
from shared.events import catalogue as c
from tests.conftest import Namespace
from tests.helpers import publish, serving, topic_events, wait_for
from tests.integration.services.fair_support import (
    Clock,
    IssuedOnUse,
    Market,
    created,
    fair_app,
    ok,
    run_schedule,
    series_body,
    token,
)

pytestmark = pytest.mark.integration
STAFF = IssuedOnUse(Role.STAFF)
SLOTS = 6  # 09:00-12:00 in 30-minute slots


@dataclass
class Fair:
    client: Any
    market: Market
    clock: Clock
    id: str
    employers: list[UUID]
    seekers: list[UUID]
    codes: dict[UUID, str]

    def url(self, path: str) -> str:
        return f"/fairs/{self.id}{path}"

    def staff_url(self, path: str) -> str:
        return f"/staff/fairs/{self.id}{path}"

    async def itinerary(self, seeker: UUID) -> list[dict[str, Any]]:
        answer = ok(await self.client.get(self.url("/itinerary"), headers=token(Role.SEEKER, seeker)))
        return list(answer["interviews"])

    async def schedule(self) -> dict[str, Any]:
        return await run_schedule(self.client, self.id, STAFF)

    async def scan(self, participant: UUID) -> dict[str, Any]:
        body = {"code": self.codes[participant]}
        return dict(ok(await self.client.post(self.staff_url("/check-ins"), json=body, headers=STAFF)))


@pytest.fixture
async def fair(namespace: Namespace) -> AsyncIterator[Fair]:
    """Three employers (two manufacturers, one software house) and four seekers, registered."""
    clock = Clock()
    app = fair_app(namespace, clock)
    async with serving(app) as client:
        created(await client.post("/staff/series", json=series_body(), headers=STAFF))
        fair_id = ok(await client.get("/fairs", headers=STAFF))["items"][0]["id"]
        market = Market(namespace, app.state.fair_store)
        employers = [
            await market.employer(industry="制造业"),
            await market.employer(industry="制造业"),
            await market.employer(industry="信息技术"),
        ]
        seekers = [await market.seeker() for _ in range(4)]
        await market.matches(
            *[(seeker, employers[0], 0.9) for seeker in seekers],
            *[(seeker, employers[1], 0.6) for seeker in seekers],
            *[(seeker, employers[2], 0.3) for seeker in seekers[:3]],
        )
        codes = {}
        for employer in employers:
            headers = token(Role.EMPLOYER, organisation_id=employer)
            body = {"vacancy_ids": [str(v) for v in market.employers[employer]]}
            registration = created(
                await client.post(f"/fairs/{fair_id}/employer-registration", json=body, headers=headers)
            )
            url = f"/staff/fairs/{fair_id}/registrations/{registration['id']}/approve"
            assert ok(await client.post(url, headers=STAFF))["status"] == "approved"
            codes[employer] = registration["code"]
        for seeker in seekers:
            url = f"/fairs/{fair_id}/seeker-registration"
            codes[seeker] = created(await client.post(url, headers=token(Role.SEEKER, seeker)))["code"]
        yield Fair(client, market, clock, fair_id, employers, seekers, codes)


async def test_the_schedule_keeps_every_rule_and_is_published(fair: Fair) -> None:
    summary = await fair.schedule()
    # Booths hold 6 interviews each; 4 seekers x k=2 fit, so everyone gets two.
    assert summary["fairness_level"] == summary["fairness_level_bound"] == 2
    assert summary["method"] == "flow"
    assert summary["min_interviews_per_seeker"] == 2
    assert summary["interviews"] == 8
    assert summary["optimality_gap"] == 0.0
    assert summary["total_score"] == pytest.approx(4 * 0.9 + 4 * 0.6)
    stored = ok(await fair.client.get(fair.staff_url("/schedule"), headers=STAFF))
    assert stored["schedule_summary"] == summary

    itineraries = {seeker: await fair.itinerary(seeker) for seeker in fair.seekers}
    booked = [interview for interviews in itineraries.values() for interview in interviews]
    assert Counter((i["booth"], i["slot"]) for i in booked).most_common(1)[0][1] == 1
    for interviews in itineraries.values():
        slots = sorted(interview["slot"] for interview in interviews)
        assert len(slots) == 2
        assert slots[1] - slots[0] >= 2
        assert all(0 <= slot < SLOTS for slot in slots)

    events = await wait_for(
        lambda: topic_events(fair.market.namespace, Topic.FAIR),
        until=lambda found: any(e["event_type"] == "fair.schedule_published" for e in found),
        what="the published schedule",
    )
    published = next(e["payload"] for e in events if e["event_type"] == "fair.schedule_published")
    assert (published["part"], published["parts"], published["schedule_version"]) == (1, 1, 1)
    assert len(published["interviews"]) == 8
    zones = {b["employer_id"]: b["zone"] for b in published["booths"]}
    assert zones[str(fair.employers[0])] == zones[str(fair.employers[1])] == "A区 制造"
    assert zones[str(fair.employers[2])] == "B区 综合"

    mine = ok(
        await fair.client.get(
            fair.url("/itinerary"), headers=token(Role.EMPLOYER, organisation_id=fair.employers[0])
        )
    )
    assert mine["booth"]["zone"] == "A区 制造"
    assert {i["seeker_id"] for i in mine["interviews"]} == {str(s) for s in fair.seekers}

    # Nobody sees another's itinerary: an outsider is simply not registered here.
    for outsider in (token(Role.SEEKER), token(Role.EMPLOYER, organisation_id=uuid4())):
        assert (await fair.client.get(fair.url("/itinerary"), headers=outsider)).status_code == 404
    # Staff have no itinerary: refused by role, before any fair is looked up (no 404 to probe ids).
    assert (await fair.client.get(f"/fairs/{uuid4()}/itinerary", headers=STAFF)).status_code == 403
    assert (await fair.client.get(fair.url("/itinerary"), headers=STAFF)).status_code == 403


async def test_the_cutoff_schedules_the_fair_on_its_own(fair: Fair) -> None:
    fair.clock.now += timedelta(days=3, hours=9)  # Thursday 19:00 in Shanghai, past the cutoff
    current = await wait_for(
        lambda: fair.client.get(f"/fairs/{fair.id}", headers=STAFF),
        until=lambda response: response.json()["status"] == "scheduled",
        what="the planner to schedule the fair at its cutoff",
    )
    assert current.json()["schedule_version"] == 1
    late = await fair.client.post(
        fair.url("/seeker-registration"), headers=token(Role.SEEKER, fair.seekers[0])
    )
    assert late.status_code == 409


async def test_scheduling_without_seekers_is_refused_with_the_reason(namespace: Namespace) -> None:
    async with serving(fair_app(namespace, Clock())) as client:
        created(await client.post("/staff/series", json=series_body(), headers=STAFF))
        fair_id = ok(await client.get("/fairs", headers=STAFF))["items"][0]["id"]
        response = await client.post(f"/staff/fairs/{fair_id}/schedule", headers=STAFF)
        assert response.status_code == 409
        assert response.json()["detail"] == "no employer has a booth: approve employers before scheduling"


async def test_check_in_is_idempotent_and_the_code_prints_as_qr(fair: Fair) -> None:
    seeker = fair.seekers[0]
    first = await fair.scan(seeker)
    second = await fair.scan(seeker)
    assert first["already_checked_in"] is False
    assert second["already_checked_in"] is True
    assert second["checked_in_at"] == first["checked_in_at"]

    unknown = await fair.client.post(fair.staff_url("/check-ins"), json={"code": "不存在"}, headers=STAFF)
    assert unknown.status_code == 404
    image = await fair.client.get(fair.url("/registration/qr.png"), headers=token(Role.SEEKER, seeker))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")

    events = await wait_for(
        lambda: topic_events(fair.market.namespace, Topic.FAIR),
        until=lambda found: any(e["event_type"] == "fair.checked_in" for e in found),
        what="the check-in on the bus",
    )
    check_ins = [e["payload"] for e in events if e["event_type"] == "fair.checked_in"]
    assert [(p["participant_id"], p["participant_kind"]) for p in check_ins] == [(str(seeker), "seeker")]


async def test_a_no_show_employers_seekers_are_rebooked_and_told(fair: Fair) -> None:
    await fair.schedule()
    absent, present = fair.employers[0], fair.employers[1:]
    for employer in present:
        await fair.scan(employer)
    refused = await fair.client.post(fair.staff_url(f"/employers/{present[0]}/no-show"), headers=STAFF)
    assert refused.status_code == 409

    result = ok(await fair.client.post(fair.staff_url(f"/employers/{absent}/no-show"), headers=STAFF))
    # Four lost interviews; three of the seekers also match the software house, which has room.
    assert result == {"cancelled": 4, "rebooked": 3, "not_rebooked": 1}
    for seeker in fair.seekers:
        interviews = await fair.itinerary(seeker)
        live = [i for i in interviews if i["status"] == "scheduled"]
        assert str(absent) not in {i["employer_id"] for i in live}
        assert len({i["employer_id"] for i in live}) == len(live)
        slots = sorted(i["slot"] for i in live)
        assert all(b - a >= 2 for a, b in itertools.pairwise(slots))
        assert len(live) == (2 if seeker in fair.seekers[:3] else 1)

    events = await wait_for(
        lambda: topic_events(fair.market.namespace, Topic.FAIR),
        until=lambda found: any(e["event_type"] == "fair.schedule_changed" for e in found),
        what="the schedule change on the bus",
    )
    change = next(e["payload"] for e in events if e["event_type"] == "fair.schedule_changed")
    assert len(change["cancelled"]) == 4
    assert {i["employer_id"] for i in change["added"]} == {str(fair.employers[2])}


async def test_statistics_add_up_to_the_recorded_outcomes_and_survive_erasure(fair: Fair) -> None:
    await fair.schedule()
    manufacturer, software = fair.employers[1], fair.employers[2]
    for participant in [manufacturer, software, *fair.seekers[:3]]:
        await fair.scan(participant)
    s1, s2, s3 = fair.seekers[:3]
    for seeker, employer, outcome in [
        (s1, manufacturer, "hiring_intention"),
        (s1, manufacturer, "hired"),  # replaces the intention: a hire is an intention come true
        (s2, software, "hiring_intention"),
        (s3, manufacturer, "not_suitable"),
    ]:
        body = {"seeker_id": str(seeker), "employer_id": str(employer), "outcome": outcome}
        ok(await fair.client.post(fair.staff_url("/outcomes"), json=body, headers=STAFF))
    foreign = {
        "seeker_id": str(s1),
        "employer_id": str(manufacturer),
        "vacancy_id": str(fair.market.employers[software][0]),
        "outcome": "hired",
    }
    assert (
        await fair.client.post(fair.staff_url("/outcomes"), json=foreign, headers=STAFF)
    ).status_code == 422

    held = 0
    for seeker in fair.seekers[:3]:
        held += sum(
            i["employer_id"] in {str(manufacturer), str(software)} for i in await fair.itinerary(seeker)
        )
    expected = {
        "fairs": 1,
        "employers_attending": 2,
        "vacancies_offered": 2,
        "posts_offered": 10,
        "visitors": 3,
        "interviews_held": held,
        "hiring_intentions": 2,
        "hires": 1,
        "not_suitable": 1,
    }
    figures = ok(await fair.client.get(fair.staff_url("/statistics"), headers=STAFF))["figures"]
    assert figures == expected

    fair.clock.now += timedelta(days=6)  # after the fair: the cumulative figures include it
    total = ok(await fair.client.get("/staff/statistics", headers=STAFF))
    assert total["total"] == expected
    rows = list(
        csv.DictReader(io.StringIO((await fair.client.get("/staff/statistics.csv", headers=STAFF)).text))
    )
    assert [row["fair_id"] for row in rows] == [fair.id, "total"]
    assert int(rows[-1]["hires"]) == 1

    demand = ok(await fair.client.get(fair.staff_url("/talent-demand"), headers=STAFF))
    assert {"dimension": "talent_category", "value": "high_skill", "vacancies": 2, "posts": 10} in demand
    assert {"dimension": "industry", "value": "信息技术", "vacancies": 1, "posts": 5} in demand
    demand_csv = (await fair.client.get(fair.staff_url("/talent-demand.csv"), headers=STAFF)).text
    assert demand_csv.splitlines()[0] == "dimension,value,vacancies,posts"

    events = await wait_for(
        lambda: topic_events(fair.market.namespace, Topic.FAIR),
        until=lambda found: sum(e["event_type"] == "fair.outcome_recorded" for e in found) == 4,
        what="four outcomes on the bus",
    )
    last = [e["payload"] for e in events if e["event_type"] == "fair.outcome_recorded"][-1]
    assert c.FairOutcomeRecorded.model_validate(last).outcome == c.Outcome.NOT_SUITABLE

    # Erasure: the person is gone from every collection; the fair's figures stay.
    await publish(fair.market.namespace, c.SeekerDeleted(seeker_id=s1))
    database = fair.market.store["erasures"].database

    async def traces() -> dict[str, int]:
        """Per collection, the documents that still mention the person (the erasure record aside)."""
        found = {}
        for name in await database.list_collection_names():
            documents = [d async for d in database[name].find({}) if str(s1) in json.dumps(d, default=str)]
            if documents and name != "erasures":
                found[name] = len(documents)
        return found

    await wait_for(
        lambda: database["erasures"].count_documents({"_id": str(s1)}),
        until=lambda n: n == 1,
        what="the erasure",
    )
    await wait_for(traces, until=lambda found: found == {}, what="no trace of the erased seeker")
    assert ok(await fair.client.get(fair.staff_url("/statistics"), headers=STAFF))["figures"] == expected


async def test_withdrawals_after_the_schedule_cancel_and_rebook_never_onto_a_released_booth(
    fair: Fair,
) -> None:
    await fair.schedule()
    leaving_seeker = fair.seekers[3]
    ok(await fair.client.delete(fair.url("/registration"), headers=token(Role.SEEKER, leaving_seeker)))
    assert {i["status"] for i in await fair.itinerary(leaving_seeker)} == {"cancelled"}

    first, second, software = fair.employers
    ok(
        await fair.client.delete(
            fair.url("/registration"), headers=token(Role.EMPLOYER, organisation_id=first)
        )
    )

    def live(interviews: list[dict[str, Any]]) -> set[str]:
        return {i["employer_id"] for i in interviews if i["status"] == "scheduled"}

    for seeker in fair.seekers[:3]:  # the withdrawn employer's seekers now meet the software house
        assert live(await fair.itinerary(seeker)) == {str(second), str(software)}

    await fair.scan(second)
    result = ok(await fair.client.post(fair.staff_url(f"/employers/{software}/no-show"), headers=STAFF))
    # Nobody is left to take them: the first employer's booth was released, the second meets them already.
    assert result == {"cancelled": 3, "rebooked": 0, "not_rebooked": 3}
    for seeker in fair.seekers[:3]:
        assert live(await fair.itinerary(seeker)) == {str(second)}

    events = await wait_for(
        lambda: topic_events(fair.market.namespace, Topic.FAIR),
        until=lambda found: sum(e["event_type"] == "fair.schedule_changed" for e in found) == 3,
        what="three schedule changes on the bus",
    )
    reasons = [e["payload"]["reason"] for e in events if e["event_type"] == "fair.schedule_changed"]
    assert reasons == [
        "the seeker withdrew",
        f"employer {first} withdrew",
        f"employer {software} did not come",
    ]
