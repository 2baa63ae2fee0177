"""What the ranker understands, through the matching service on the real broker and store: a
skill written in another language or as an abbreviation, and a stuffed profile's empty claims."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.matching.bootstrap import create_app
from shared.config import ServiceSettings
from shared.events import Topic
from shared.events import catalogue as c
from tests.conftest import Namespace
from tests.helpers import publish, serving, settings_for, topic_events, wait_for
from tests.integration.services.test_matching import stored_seekers
from tests.unit.matching.test_quality import welder, welding_vacancy

pytestmark = pytest.mark.integration

WELDING = ["氩弧焊", "电弧焊技术"]


@pytest.fixture
async def matching(namespace: Namespace) -> AsyncIterator[ServiceSettings]:
    settings = settings_for(namespace, "matching")
    async with serving(create_app(settings)):
        yield settings


async def matches_for(namespace: Namespace, job: c.VacancyState, expected: int) -> dict[str, dict[str, Any]]:
    async def found() -> list[dict[str, Any]]:
        events = await topic_events(namespace, Topic.MATCH)
        return [e["payload"] for e in events if e["payload"]["vacancy_id"] == str(job.vacancy_id)]

    payloads = await wait_for(found, until=lambda m: len(m) >= expected, what="the vacancy's matches")
    return {payload["seeker_id"]: payload for payload in payloads}


async def post_after(namespace: Namespace, *seekers: c.SeekerState) -> c.VacancyState:
    """Publish the seekers, then, once the matcher has stored them, the vacancy."""
    await publish(namespace, *seekers, producer="seeker")
    await wait_for(stored_seekers(namespace), until=lambda n: n == len(seekers), what="the seekers stored")
    job = welding_vacancy()
    await publish(namespace, job, producer="employer")
    return job


async def test_a_chinese_vacancy_matches_an_english_profile_by_its_abbreviations(
    namespace: Namespace, matching: ServiceSettings
) -> None:
    english = welder(
        skills=["GTAW", "TIG welding", "arc welding"],
        desired_roles=["Welder"],
        summary="5 years of experience as a welder.",
        notification_language="en",
    )
    accountant = welder(skills=["会计方法", "电子表格"], desired_roles=["会计"])
    job = await post_after(namespace, accountant, english)

    found = await matches_for(namespace, job, expected=2)
    told = found[str(english.seeker_id)]
    assert told["rank"] == 1
    assert told["score"] > found[str(accountant.seeker_id)]["score"]
    held = {reason["skill"]["zh"] for reason in told["reasons"] if reason["code"] == "skill_held"}
    assert held == set(WELDING), "氩弧焊 matched by GTAW and TIG welding"
    assert "skill_lacked" not in {reason["code"] for reason in told["reasons"]}


async def test_a_stuffed_profile_ranks_below_a_genuine_one(
    namespace: Namespace, matching: ServiceSettings
) -> None:
    genuine = welder()
    stuffed = welder(
        skills=[
            *WELDING,
            "焊接设备操作",
            "识读标准蓝图",
            "MIG焊",
            "MAG焊",
            "数控编程",
            "项目管理",
            "叉车操作",
        ],
        education=[
            c.Education(
                level=c.EducationLevel.VOCATIONAL, school="某学院", major="旅游管理", graduation_year=2025
            )
        ],
        experience_years=0,
    )
    job = await post_after(namespace, stuffed, genuine)

    found = await matches_for(namespace, job, expected=2)
    assert found[str(genuine.seeker_id)]["rank"] == 1
    assert found[str(genuine.seeker_id)]["score"] > found[str(stuffed.seeker_id)]["score"] + 0.05
