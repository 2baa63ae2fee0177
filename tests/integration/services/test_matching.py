"""The matching service on the real broker and store: filters, reasons, replays, erasure, restart."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from pymongo import AsyncMongoClient

from services.matching.bootstrap import create_app
from services.matching.domain.policy import DAILY_CAP, EXPLORATION_SHARE, Push, plan_pushes
from services.matching.domain.ranker import LinearRanker
from shared.config import ServiceSettings
from shared.events import Topic, dead_letter_topic, topic_name
from shared.events import catalogue as c
from tests import factories
from tests.conftest import Namespace
from tests.helpers import (
    consumed,
    publish,
    publish_envelopes,
    read_all,
    send_raw,
    serving,
    settings_for,
    topic_events,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(namespace: Namespace) -> ServiceSettings:
    return settings_for(namespace, "matching")


@pytest.fixture
async def matching(settings: ServiceSettings) -> AsyncIterator[None]:
    async with serving(create_app(settings)):
        yield


def vacancy(**overrides: Any) -> c.VacancyState:
    fields = {
        "skills": ["数控编程", "阅读机械图纸"],
        "education_level": "vocational",
        "min_experience_years": 2,
    }
    return factories.vacancy_state(**{**fields, **overrides})


def seeker(**overrides: Any) -> c.SeekerState:
    fields = {"skills": ["数控编程", "AutoCAD", "阅读机械图纸"], "desired_cities": ["安阳"]}
    return factories.seeker_state(uuid4(), **{**fields, **overrides})


def pairs(events: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(e["payload"]["seeker_id"], e["payload"]["vacancy_id"]) for e in events}


async def matches_of(namespace: Namespace, vacancy_id: UUID) -> list[dict[str, Any]]:
    events = await topic_events(namespace, Topic.MATCH)
    return [e for e in events if e["payload"]["vacancy_id"] == str(vacancy_id)]


@pytest.mark.usefixtures("matching")
async def test_a_posted_vacancy_is_matched_with_suitable_seekers_only(namespace: Namespace) -> None:
    fitting = seeker()
    opted_out = seeker(consent={"allow_matching": False})
    no_recommendations = seeker(consent={"personalised_recommendations": False})
    elsewhere = seeker(desired_cities=["昆明"])
    accountant = seeker(skills=["会计", "Excel"], desired_roles=["会计"], education=[], experience_years=0,
                        talent_category="enterprise_management", desired_cities=[])  # fmt: skip
    await publish(namespace, fitting, opted_out, no_recommendations, elsewhere, accountant, producer="seeker")
    await wait_for(stored_seekers(namespace), until=lambda n: n == 5, what="the seekers stored")
    job = vacancy()
    await publish(namespace, job, producer="employer")

    found = await wait_for(
        lambda: matches_of(namespace, job.vacancy_id),
        until=lambda m: len(m) >= 2,
        what="matches for the vacancy",
    )
    assert pairs(found) == {
        (str(fitting.seeker_id), str(job.vacancy_id)),
        (str(accountant.seeker_id), str(job.vacancy_id)),
    }
    by_seeker = {e["payload"]["seeker_id"]: e["payload"] for e in found}
    best, weak = by_seeker[str(fitting.seeker_id)], by_seeker[str(accountant.seeker_id)]
    assert (best["rank"], weak["rank"]) == (1, 2)
    assert best["score"] > weak["score"]
    assert best["model_version"] == "cold-start-2"
    held = [reason for reason in best["reasons"] if reason["code"] == "skill_held"]
    assert {reason["skill"]["zh"] for reason in held} == {"数控编程", "阅读机械图纸"}
    assert all(reason["contribution"] > 0 for reason in held)
    assert all(reason["contribution"] != 0 for reason in best["reasons"])
    assert any(reason["contribution"] < 0 for reason in weak["reasons"]), "what counted against is shown too"
    for match in (best, weak):  # the reasons are the score: nothing counted is hidden, nothing else shown
        logit = match["baseline"] + sum(reason["contribution"] for reason in match["reasons"])
        assert 1 / (1 + math.exp(-logit)) == pytest.approx(match["score"], abs=5e-5 + 1e-9)


async def test_each_published_score_is_its_baseline_plus_its_reasons(
    settings: ServiceSettings, namespace: Namespace
) -> None:
    people = [
        seeker(skills=["SMAW", "Excel", "数控编程"]),
        seeker(skills=["会计方法", "焊接"], experience_years=0, education=[], desired_cities=[]),
        seeker(skills=["Excel"], desired_roles=["会计"], talent_category="enterprise_management"),
    ]
    async with serving(create_app(settings)) as client:
        await publish(namespace, *people, producer="seeker")
        await wait_for(stored_seekers(namespace), until=lambda n: n == 3, what="the seekers stored")
        job = vacancy(skills=["电弧焊技术", "电子表格", "数控编程", "会计方法"], remote=True)
        await publish(namespace, job, producer="employer")
        found = await wait_for(
            lambda: matches_of(namespace, job.vacancy_id), until=lambda m: len(m) == 3, what="three matches"
        )
        model = (await client.get("/model")).json()
    assert model["baseline"] == LinearRanker.cold_start().intercept
    for match in (event["payload"] for event in found):
        assert match["baseline"] == model["baseline"]
        logit = match["baseline"] + sum(reason["contribution"] for reason in match["reasons"])
        assert 1 / (1 + math.exp(-logit)) == pytest.approx(match["score"], abs=5e-5 + 1e-9), (
            "to its 4 decimals"
        )
        skills = [reason for reason in match["reasons"] if reason.get("skill")]
        assert len(skills) == len({reason["skill"]["zh"] for reason in skills}) == 4, "one reason a skill"
        assert all(reason["detail"] == "" for reason in match["reasons"]), "values, never English text"
    first = next(e["payload"] for e in found if e["payload"]["seeker_id"] == str(people[0].seeker_id))
    held = {reason["skill"]["zh"] for reason in first["reasons"] if reason["code"] == "skill_held"}
    assert held == {"电弧焊技术", "电子表格", "数控编程"}


@pytest.mark.usefixtures("matching")
async def test_replays_and_immaterial_edits_publish_nothing_new(namespace: Namespace) -> None:
    person = seeker()
    await publish(namespace, person, producer="seeker")
    await wait_for(stored_seekers(namespace), until=lambda n: n == 1, what="the seeker stored")
    job = vacancy()
    [posted] = await publish(namespace, job, producer="employer")
    await wait_for(
        lambda: matches_of(namespace, job.vacancy_id), until=lambda m: len(m) == 1, what="the match"
    )

    await publish_envelopes(namespace, posted)  # a redelivery of the same event
    await publish(namespace, job, producer="employer")  # the same state again, as a new event
    headcount_only = c.VacancyUpdated.model_validate({**job.model_dump(), "version": 2, "headcount": 9})
    await publish(namespace, headcount_only, producer="employer")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        database = client[f"{namespace.database}_matching"]

        async def stored_version() -> int:
            document = await database["vacancies"].find_one({"_id": str(job.vacancy_id)})
            return int(document["version"]) if document else 0

        await wait_for(stored_version, until=lambda v: v == 2, what="the headcount edit to be applied")
    finally:
        await client.close()
    assert len(await matches_of(namespace, job.vacancy_id)) == 1


@pytest.mark.usefixtures("matching")
async def test_a_real_profile_change_tells_the_pair_again_under_a_new_event_id(namespace: Namespace) -> None:
    job = vacancy()
    await publish(namespace, job, producer="employer")
    await wait_for(stored_vacancies(namespace), until=lambda n: n == 1, what="the vacancy stored")
    person = seeker(skills=["Excel"], desired_roles=["会计"])
    await publish(namespace, person, producer="seeker")
    await wait_for(lambda: matches_of(namespace, job.vacancy_id), until=bool, what="the first match")

    skilled = factories.seeker_state(
        person.seeker_id,
        version=2,
        kind=c.SeekerUpdated,
        skills=["数控编程", "阅读机械图纸"],
        desired_cities=["安阳"],
    )
    await publish(namespace, skilled, producer="seeker")
    first, again = await wait_for(
        lambda: matches_of(namespace, job.vacancy_id), until=lambda m: len(m) == 2, what="the pair told again"
    )
    assert again["payload"]["score"] - first["payload"]["score"] >= 0.05
    assert again["event_id"] != first["event_id"]
    assert again["causation_id"] != first["causation_id"]


@pytest.mark.usefixtures("matching")
async def test_a_new_seeker_gets_open_vacancies_and_a_deleted_one_is_forgotten(
    namespace: Namespace, settings: ServiceSettings
) -> None:
    job, closed = vacancy(), vacancy(title="数控车床操作员")
    await publish(namespace, job, closed, producer="employer")
    earlier = seeker()
    await publish(namespace, earlier, producer="seeker")
    both = {(str(earlier.seeker_id), str(job.vacancy_id)), (str(earlier.seeker_id), str(closed.vacancy_id))}
    await wait_for(
        mine_or(namespace, earlier.seeker_id), until=lambda m: pairs(m) == both, what="both vacancies matched"
    )
    await publish(
        namespace, c.VacancyClosed(vacancy_id=closed.vacancy_id, employer_id=closed.employer_id, version=2)
    )
    await wait_for(
        lambda: consumed(namespace, "matching", Topic.VACANCY), until=bool, what="the closing read"
    )
    person = seeker()
    await publish(namespace, person, producer="seeker")
    await wait_for(mine_or(namespace, person.seeker_id), until=bool, what="matches for the new seeker")
    await wait_for(lambda: consumed(namespace, "matching", Topic.SEEKER), until=bool, what="the seeker read")
    found = await mine_or(namespace, person.seeker_id)()
    assert {e["payload"]["vacancy_id"] for e in found} == {str(job.vacancy_id)}, (
        "the closed one is not matched"
    )

    await publish(namespace, c.SeekerDeleted(seeker_id=person.seeker_id), producer="seeker")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        database = client[settings.mongo_database]

        async def left() -> list[str]:
            found = []
            for name in await database.list_collection_names():
                async for document in database[name].find({}):
                    if str(person.seeker_id) in repr(document):
                        found.append(name)
            return found

        await wait_for(left, until=lambda names: names == ["erasures"], what="the seeker to be forgotten")
    finally:
        await client.close()
    later = vacancy(title="数控编程员")
    await publish(namespace, later, producer="employer")
    marker_seeker = seeker()
    await publish(namespace, marker_seeker, producer="seeker")
    await wait_for(
        mine_or(namespace, marker_seeker.seeker_id),
        until=lambda m: str(later.vacancy_id) in {e["payload"]["vacancy_id"] for e in m},
        what="the marker seeker matched with the later vacancy",
    )
    await wait_for(lambda: consumed(namespace, "matching", Topic.SEEKER), until=bool, what="the seekers read")
    assert pairs(await matches_of(namespace, later.vacancy_id)) == {
        (str(seeker_id), str(later.vacancy_id)) for seeker_id in (earlier.seeker_id, marker_seeker.seeker_id)
    }, "the erased seeker is not matched again"


@pytest.mark.usefixtures("matching")
async def test_a_burst_of_profile_events_is_applied_in_order_and_bad_ones_are_dead_lettered(
    namespace: Namespace, settings: ServiceSettings
) -> None:
    job = vacancy()
    await publish(namespace, job, producer="employer")
    await wait_for(stored_vacancies(namespace), until=lambda n: n == 1, what="the vacancy stored")
    gone, staying = uuid4(), seeker()
    registered = factories.seeker_state(gone, skills=["数控编程"], desired_cities=["安阳"])
    edited = factories.seeker_state(gone, version=2, kind=c.SeekerUpdated, skills=["数控编程", "AutoCAD"])
    seeker_topic = topic_name(Topic.SEEKER, namespace.topic_prefix)
    # One partition (one key), so the service reads them in this order, in one batch or several.
    await publish(namespace, registered, edited, c.SeekerDeleted(seeker_id=gone), producer="seeker")
    await send_raw(namespace, seeker_topic, "不是事件".encode(), key=str(gone).encode())
    await publish(namespace, staying, producer="seeker")

    await wait_for(mine_or(namespace, staying.seeker_id), until=bool, what="the staying seeker's match")
    await wait_for(lambda: consumed(namespace, "matching", Topic.SEEKER), until=bool, what="the burst read")
    assert pairs(await matches_of(namespace, job.vacancy_id)) == {
        (str(staying.seeker_id), str(job.vacancy_id))
    }
    [dead] = await read_all(namespace, dead_letter_topic(seeker_topic), 1)
    assert dead.value == "不是事件".encode()
    assert dict(dead.headers)["dlq.service"] == b"matching"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        database = client[settings.mongo_database]
        assert await database["seekers"].find_one({"_id": str(gone)}) is None
        assert await database["matches"].find_one({"seeker_id": str(gone)}) is None
        assert await database["erasures"].find_one({"_id": str(gone)}) is not None
    finally:
        await client.close()


def mine_or(namespace: Namespace, seeker_id: UUID) -> Any:
    async def probe() -> list[dict[str, Any]]:
        return [
            e
            for e in await topic_events(namespace, Topic.MATCH)
            if e["payload"]["seeker_id"] == str(seeker_id)
        ]

    return probe


async def test_after_a_restart_the_market_comes_back_from_the_store(
    namespace: Namespace, settings: ServiceSettings
) -> None:
    person = seeker()
    async with serving(create_app(settings)):
        await publish(namespace, person, producer="seeker")
        await wait_for(stored_seekers(namespace), until=lambda n: n == 1, what="the seeker stored")
    job = vacancy()
    async with serving(create_app(settings)):
        await publish(namespace, job, producer="employer")
        found = await wait_for(
            lambda: matches_of(namespace, job.vacancy_id),
            until=lambda m: len(m) == 1,
            what="a match after restart",
        )
    assert pairs(found) == {(str(person.seeker_id), str(job.vacancy_id))}


async def test_past_the_daily_cap_every_match_is_published_and_only_the_cap_is_pushable_also_after_a_restart(
    namespace: Namespace, settings: ServiceSettings
) -> None:
    jobs = [vacancy() for _ in range(DAILY_CAP + 2)]
    person = seeker()
    async with serving(create_app(settings)):
        await publish(namespace, *jobs, producer="employer")
        await wait_for(stored_vacancies(namespace), until=lambda n: n == len(jobs), what="the vacancies")
        await publish(namespace, person, producer="seeker")
        first = await wait_for(mine_or(namespace, person.seeker_id), until=lambda m: len(m) == len(jobs),
                               what="every vacancy matched")  # fmt: skip
    by_rank = sorted(first, key=lambda e: e["payload"]["rank"])
    pushable = [e["payload"]["notify"] for e in by_rank]
    assert sum(pushable) == DAILY_CAP
    assert all(pushable[2:DAILY_CAP]), "the best are pushable, but for exploration of the two beyond"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        records = {m["vacancy_id"]: m async for m in client[settings.mongo_database]["matches"].find({})}
    finally:
        await client.close()
    ranked = [e["payload"]["vacancy_id"] for e in by_rank]
    day = date.fromisoformat(records[ranked[0]]["published_on"])
    plan = plan_pushes(str(person.seeker_id), ranked, DAILY_CAP, day, EXPLORATION_SHARE)
    stored = [Push(records[v]["notify"], records[v]["propensity"], records[v]["exploratory"]) for v in ranked]
    assert stored == plan, "each record keeps the propensity it had of being pushed"
    assert [push.notify for push in plan] == pushable
    assert [push.propensity for push in plan] == [0.9, 0.9] + [1.0] * (DAILY_CAP - 2) + [0.1, 0.1]
    late = vacancy()
    async with serving(create_app(settings)):  # the day's tally comes back from the stored matches
        await publish(namespace, late, producer="employer")
        [found] = await wait_for(lambda: matches_of(namespace, late.vacancy_id), until=bool, what="the match")
    assert found["payload"]["notify"] is False


def stored_seekers(namespace: Namespace) -> Any:
    return stored_count(namespace, "seekers")


def stored_vacancies(namespace: Namespace) -> Any:
    return stored_count(namespace, "vacancies")


def stored_count(namespace: Namespace, collection: str) -> Any:
    async def probe() -> int:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
        try:
            return int(await client[f"{namespace.database}_matching"][collection].count_documents({}))
        finally:
            await client.close()

    return probe


async def test_two_replicas_share_the_work_and_each_ranks_the_whole_market(
    namespace: Namespace, settings: ServiceSettings
) -> None:
    first, second = create_app(settings), create_app(settings)
    people = [seeker() for _ in range(8)]
    jobs = [vacancy() for _ in range(8)]

    def markets() -> list[Any]:
        return [app.state.matching.market for app in (first, second)]

    async with serving(first):
        async with serving(second):
            await publish(namespace, *people, producer="seeker")
            await wait_for(stored_seekers(namespace), until=lambda n: n == 8, what="the seekers stored")

            async def whole() -> list[int]:
                return [len(market.seekers) for market in markets()]

            await wait_for(whole, until=lambda sizes: sizes == [8, 8], what="both markets to hold everyone")
            await publish(namespace, *jobs, producer="employer")
            everyone = {(str(p.seeker_id), str(j.vacancy_id)) for p in people for j in jobs}
            found = await wait_for(
                lambda: topic_events(namespace, Topic.MATCH),
                until=lambda events: pairs(events) >= everyone,
                what="every seeker matched with every vacancy",
            )
            assert len(found) == len(everyone), "no pair is matched twice"
            assert all(len(market.vacancies) == 8 for market in markets())

        later = vacancy()  # the second replica is gone: the first takes over its partitions
        await publish(namespace, later, producer="employer")
        alone = await wait_for(
            lambda: matches_of(namespace, later.vacancy_id),
            until=lambda m: len(m) == 8,
            what="the remaining replica to match the new vacancy with everyone",
        )
        assert {e["payload"]["seeker_id"] for e in alone} == {str(p.seeker_id) for p in people}
