"""Retraining from stored outcomes: a better model is promoted and used, an equal one is not;
exploration lets it learn what the ranker in use never pushes, and biased pushes alone do not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from itertools import cycle
from typing import Any
from uuid import uuid4

import numpy as np
import pytest
from pymongo import AsyncMongoClient

from services.matching.adapters.models import Models, StoredModel
from services.matching.bootstrap import create_app
from services.matching.domain.features import FEATURES, FEATURES_VERSION, Feature
from services.matching.domain.ranker import LinearRanker
from services.matching.retrain import NotEnoughData, retrain
from shared.config import ServiceSettings
from shared.events import catalogue as c
from shared.store.mongo import Store
from tests import factories
from tests.conftest import Namespace
from tests.helpers import publish, serving, settings_for, wait_for

pytestmark = pytest.mark.integration
START = datetime(2026, 9, 1, tzinfo=UTC)


async def seed_outcomes(settings: ServiceSettings, namespace: Namespace) -> None:
    """A market where seekers take up jobs outside their own talent category: cold start ranks
    category matches first, so a model learning from outcomes must do better."""
    categories = cycle(c.TalentCategory)
    seekers = [factories.seeker_state(uuid4(), talent_category=next(categories)) for _ in range(60)]
    vacancies = [factories.vacancy_state(talent_category=next(categories)) for _ in range(20)]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        db = client[settings.mongo_database]
        await db["seekers"].insert_many(
            [{"_id": str(s.seeker_id), "version": 1, "state": s.model_dump(mode="json")} for s in seekers]
        )
        await db["vacancies"].insert_many(
            [
                {"_id": str(v.vacancy_id), "version": 1, "state": v.model_dump(mode="json"), "closed": False}
                for v in vacancies
            ]
        )
        matches, outcomes = [], []
        for i, (seeker, vacancy) in enumerate((s, v) for s in seekers for v in vacancies):
            published = START + timedelta(minutes=i)
            at = published.isoformat()
            pair = {"seeker_id": str(seeker.seeker_id), "vacancy_id": str(vacancy.vacancy_id)}
            told = {"score": 0.5, "published_on": published.date().isoformat(), "published_at": at}
            matches.append({"_id": f"{vacancy.vacancy_id}:{seeker.seeker_id}", **pair, **told})
            if seeker.talent_category != vacancy.talent_category and i % 3 == 0:
                outcomes.append({"_id": str(uuid4()), **pair, "kind": "applied", "at": at})
        await db["matches"].insert_many(matches)
        await db["outcomes"].insert_many(outcomes)
    finally:
        await client.close()


async def test_retraining_promotes_only_a_better_model(namespace: Namespace) -> None:
    settings = settings_for(namespace, "matching")
    with pytest.raises(NotEnoughData, match="at least 200 pairs"):
        await retrain(settings, say=lambda _: None)
    await seed_outcomes(settings, namespace)
    progress: list[str] = []

    first = await retrain(settings, say=progress.append)
    assert first.promoted
    assert first.metrics["compared_with"] == "cold-start-2"
    assert first.metrics["ndcg_at_10"] > first.metrics["their_ndcg_at_10"]
    steps = [line[10:13] for line in progress if line[10:13].endswith("/4")]
    assert steps == ["1/4", "2/4", "3/4", "4/4"]
    assert "promoted: now in use" in progress[-1]

    second = await retrain(settings, say=progress.append)
    assert not second.promoted, "a model no better than the one in use is stored, not promoted"
    assert second.metrics["compared_with"] == first.ranker.version

    async with serving(create_app(settings)) as client:
        in_use = (await client.get("/model")).json()
    assert in_use["version"] == first.ranker.version
    assert in_use["metrics"]["ndcg_at_10"] == first.metrics["ndcg_at_10"]
    assert (in_use["seekers"], in_use["vacancies"]) == (60, 20)


async def test_a_model_of_features_that_meant_something_else_is_not_used(namespace: Namespace) -> None:
    settings = settings_for(namespace, "matching")
    store = Store(settings.mongo_url, settings.mongo_database)
    await store.open()
    try:
        zeros = [0.0] * len(FEATURES)
        await store.database()["models"].insert_one(
            {"_id": "lr-before-the-vocabulary", "intercept": 0.0, "weights": zeros, "means": zeros,
             "scales": [1.0] * len(FEATURES), "idf": None, "metrics": {}, "trained_at": START.isoformat(),
             "promoted": True, "promoted_at": START.isoformat()}
        )  # fmt: skip
        models = Models(store)
        assert (await models.active(), await models.active_version()) == (None, None)

        current = LinearRanker("lr-these-features", 0.0, np.zeros(len(FEATURES)), np.zeros(len(FEATURES)),
                               np.ones(len(FEATURES)))  # fmt: skip
        await models.save(StoredModel(current, None, {}, START, promoted=True))
        assert await models.active_version() == "lr-these-features"
        assert FEATURES_VERSION == 2
    finally:
        await store.close()


MOVERS = 150
"""Seekers of one talent category who, unknown to the ranker in use, take up only jobs of another."""


async def log_pushes_and_outcomes(namespace: Namespace, exploration_share: float) -> ServiceSettings:
    """The matching service ranks 20 vacancies for each seeker (those of the seeker's own category
    first, as the cold-start ranker does) and pushes 10 with ``exploration_share``; each seeker
    then applies to every pushed vacancy of the other category and to one in ten of their own."""
    settings = settings_for(namespace, "matching")
    own, other = c.TalentCategory.HIGH_SKILL, c.TalentCategory.PROFESSIONAL_TECHNICAL
    jobs = [factories.vacancy_state(talent_category=own if i % 2 else other) for i in range(20)]
    movers = [factories.seeker_state(uuid4(), talent_category=own) for _ in range(MOVERS)]
    index = {str(job.vacancy_id): i for i, job in enumerate(jobs)} | {
        str(mover.seeker_id): i for i, mover in enumerate(movers)
    }
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        db = client[settings.mongo_database]

        def stored(collection: str) -> Callable[[], Awaitable[int]]:
            return lambda: db[collection].count_documents({})

        async with serving(create_app(settings, exploration_share=exploration_share)):
            await publish(namespace, *jobs, producer="employer")
            await wait_for(stored("vacancies"), until=lambda n: n == len(jobs), what="the vacancies")
            await publish(namespace, *movers, producer="seeker")
            await wait_for(stored("matches"), until=lambda n: n == MOVERS * len(jobs), timeout=120,
                           what="every seeker's 20 matches recorded")  # fmt: skip
        outcomes = [
            {"_id": str(uuid4()), "seeker_id": m["seeker_id"], "vacancy_id": m["vacancy_id"],
             "kind": "applied", "at": m["published_at"]}
            async for m in db["matches"].find({"notify": True})
            if index[m["vacancy_id"]] % 2 == 0 or (index[m["seeker_id"]] + index[m["vacancy_id"]]) % 10 == 1
        ]  # fmt: skip
        await db["outcomes"].insert_many(outcomes)
    finally:
        await client.close()
    return settings


async def test_with_exploration_a_retrain_learns_what_the_ranker_in_use_never_pushes_and_is_promoted(
    namespace: Namespace,
) -> None:
    settings = await log_pushes_and_outcomes(namespace, exploration_share=0.3)
    progress: list[str] = []
    model = await retrain(settings, say=progress.append)
    assert model.metrics["compared_with"] == "cold-start-2"
    assert model.metrics["ndcg_at_10"] > model.metrics["their_ndcg_at_10"]
    assert model.promoted
    assert "by exploration" in progress[1]
    assert model.ranker.weights[FEATURES.index(Feature.CATEGORY_FIT)] < 0, "it learned that they move"
    async with serving(create_app(settings)) as client:
        assert (await client.get("/model")).json()["version"] == model.ranker.version


async def test_without_exploration_the_same_seekers_teach_nothing_and_nothing_is_promoted(
    namespace: Namespace,
) -> None:
    settings = await log_pushes_and_outcomes(namespace, exploration_share=0.0)
    model = await retrain(settings, say=lambda _: None)
    assert model.metrics["ndcg_at_10"] <= model.metrics["their_ndcg_at_10"]
    assert not model.promoted
    async with serving(create_app(settings)) as client:
        assert (await client.get("/model")).json()["version"] == "cold-start-2"
