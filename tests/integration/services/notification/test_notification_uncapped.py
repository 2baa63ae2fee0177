"""Ranking is never capped; telling is: matching, the employer and seeker services and the
notification service together on the real broker and store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest
from pymongo import AsyncMongoClient

from services.matching.bootstrap import create_app
from services.matching.domain.policy import DAILY_CAP
from services.notification.domain.preferences import DEFAULT_MIN_SCORE
from shared.events import Topic
from tests import factories
from tests.conftest import Namespace
from tests.helpers import consumed, events_of, publish, serving, settings_for, wait_for
from tests.integration.services.conftest import Employer, SeekerService, approved_employer, seeker_user
from tests.integration.services.notification.conftest import Rig

pytestmark = pytest.mark.integration

Headers = dict[str, str]
ACCOUNTANT: dict[str, Any] = {
    "title": "会计 Accountant",
    "description": "负责公司账务、报税。Bookkeeping and tax filings.",
    "skills": ["会计", "Excel", "税务申报"],
    "education_level": "bachelor",
    "min_experience_years": 3,
    "talent_category": "enterprise_management",
}


@pytest.fixture
async def matching(namespace: Namespace) -> AsyncIterator[None]:
    async with serving(create_app(settings_for(namespace, "matching"))):
        yield


async def cnc_seeker(seeker: SeekerService, namespace: Namespace) -> tuple[Headers, UUID]:
    """A seeker with a CNC profile in 安阳, once matching has it in its market."""
    headers, seeker_id = await seeker_user(seeker.client)
    me = (await seeker.client.get("/me", headers=headers)).json()
    profile = {
        "version": me["version"],
        "display_name": "王小明",
        "contact": {"email": "xiaoming.wang@example.cn", "phone": "+86 138 0000 0000"},
        "education": [
            {"level": "bachelor", "school": "郑州大学", "major": "机械工程", "graduation_year": 2021}
        ],
        "work_history": [
            {"employer": "河南安钢集团", "role": "设备维修技师", "start_year": 2021, "end_year": 2024}
        ],
        "skills": ["数控编程", "AutoCAD"],
        "desired_roles": ["机械工程师", "CNC programmer"],
        "desired_cities": ["安阳", "郑州"],
        "salary_expectation": {"min": 6000, "max": 9000},
        "talent_category": "high_skill",
        "summary": "三年设备维修经验。Three years maintaining CNC lathes.",
    }
    response = await seeker.client.put("/me/profile", json=profile, headers=headers)
    assert response.status_code == 200, response.text
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        seekers = client[f"{namespace.database}_matching"]["seekers"]

        async def matchable() -> int:
            document = await seekers.find_one({"_id": seeker_id})
            return int(document["version"]) if document else 0

        await wait_for(matchable, until=lambda version: version >= 2, what="the profile in matching's market")
    finally:
        await client.close()
    return headers, UUID(seeker_id)


async def inbox_total(rig: Rig, headers: Headers) -> int:
    response = await rig.client.get("/me/inbox", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


async def my_matches(seeker: SeekerService, headers: Headers) -> list[dict[str, Any]]:
    response = await seeker.client.get("/me/matches", params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def all_told(namespace: Namespace) -> None:
    """Every match event so far has been handled by the notification service."""
    await wait_for(lambda: consumed(namespace, "notification", Topic.MATCH), until=bool, what="matches told")


@pytest.mark.usefixtures("matching")
async def test_a_vacancy_posted_after_the_cap_is_spent_still_gets_its_candidates_but_pushes_nothing(
    employer: Employer, staff: Headers, seeker: SeekerService, rig: Rig, namespace: Namespace
) -> None:
    me, seeker_id = await cnc_seeker(seeker, namespace)
    await rig.prefer(me, min_score=0.0)  # only the cap holds pushes back
    company = await approved_employer(employer.client, staff)

    async def post() -> str:
        response = await employer.client.post("/vacancies", json=factories.vacancy(), headers=company)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    for _ in range(DAILY_CAP):
        await post()
    await wait_for(lambda: inbox_total(rig, me), until=lambda n: n == DAILY_CAP, what="the day's pushes")

    late = await post()  # every seeker's cap for the day is spent

    async def candidates() -> list[str]:
        response = await employer.client.get(f"/vacancies/{late}/candidates", headers=company)
        assert response.status_code == 200, response.text
        return [item["seeker_id"] for item in response.json()["items"]]

    assert await wait_for(candidates, until=bool, timeout=15, what="the late vacancy's candidates") == [
        str(seeker_id)
    ]
    listed = await wait_for(
        lambda: my_matches(seeker, me), until=lambda m: len(m) == DAILY_CAP + 1, what="the seeker's matches"
    )
    assert late in {match["vacancy_id"] for match in listed}
    [found] = [
        e["payload"] for e in await events_of(namespace, Topic.MATCH, "match.found")
        if e["payload"]["vacancy_id"] == late
    ]  # fmt: skip
    assert found["notify"] is False
    await all_told(namespace)
    assert await inbox_total(rig, me) == DAILY_CAP, "nothing more is pushed that day"


@pytest.mark.usefixtures("matching")
async def test_a_match_below_the_threshold_is_listed_not_pushed_until_the_seeker_lowers_it(
    seeker: SeekerService, rig: Rig, namespace: Namespace
) -> None:
    me, _ = await cnc_seeker(seeker, namespace)
    weak = factories.vacancy_state(**ACCOUNTANT)
    await publish(namespace, weak, producer="employer")

    [listed] = await wait_for(lambda: my_matches(seeker, me), until=bool, what="the weak match listed")
    assert listed["vacancy_id"] == str(weak.vacancy_id)
    assert listed["score"] < DEFAULT_MIN_SCORE
    await rig.skipped(f"score {listed['score']:.2f} below the chosen minimum {DEFAULT_MIN_SCORE:.2f}")
    await all_told(namespace)
    assert await inbox_total(rig, me) == 0

    await rig.prefer(me, min_score=round(listed["score"] - 0.1, 2))
    another = factories.vacancy_state(**{**ACCOUNTANT, "title": "会计助理 Assistant accountant"})
    await publish(namespace, another, producer="employer")
    [pushed] = await rig.inbox(me, 1)
    assert pushed["subject_key"] == f"match:{another.vacancy_id}"
    # The seeker service reads the match from its own subscription, perhaps after the push.
    await wait_for(lambda: my_matches(seeker, me), until=lambda m: len(m) == 2, what="both matches listed")


async def test_a_match_not_marked_notify_is_neither_pushed_nor_recorded_as_skipped(rig: Rig) -> None:
    seeker_id, me = await rig.seeker()
    employer_id, _ = await rig.employer()
    held, told = factories.vacancy_state().vacancy_id, factories.vacancy_state().vacancy_id
    await publish(
        rig.namespace, factories.match_found(seeker_id, held, employer_id, score=0.95, rank=1, notify=False)
    )
    await publish(rig.namespace, factories.match_found(seeker_id, told, employer_id, score=0.9, rank=2))
    [pushed] = await rig.inbox(me, 1)
    assert pushed["subject_key"] == f"match:{told}"
    await all_told(rig.namespace)
    assert await inbox_total(rig, me) == 1
    assert await rig.db["skipped"].count_documents({}) == 0
