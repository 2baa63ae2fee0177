"""Retrain the ranker from stored outcomes; promote it only if it beats the model in use.

    python -m services.matching.retrain [--min-examples 200]

Reads the matching store (pushed matches are the exposures, each with the probability it had
of being pushed; outcomes are the results), splits the pairs by time, fits on the earlier
80 % weighing each pair by its inverse propensity, and compares the inverse-propensity
weighted NDCG@10 of the new model and the model in use on the later 20 %. Every model is
stored with its figures; the running service switches to a promoted one within a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from services.matching.adapters.models import Models, StoredModel
from services.matching.domain.encoding import (
    encode_seekers,
    encode_vacancies,
    fit_idf,
    seeker_text,
    term_counts,
    vacancy_text,
)
from services.matching.domain.features import Matrix, pair_features
from services.matching.domain.ranker import LinearRanker
from services.matching.domain.training import Example, examples, fit, ips_weights, quality, time_split
from shared.config import ServiceSettings
from shared.events import catalogue as c
from shared.store.mongo import Store


class NotEnoughData(Exception):
    pass


async def retrain(
    settings: ServiceSettings, *, min_examples: int = 200, say: Callable[[str], None] = print
) -> StoredModel:
    store = Store(settings.mongo_url, settings.mongo_database)
    await store.open()
    try:
        return await _retrain(store, min_examples, say)
    finally:
        await store.close()


async def _retrain(store: Store, min_examples: int, say: Callable[[str], None]) -> StoredModel:
    started = time.perf_counter()
    db = store.database()
    say("[retrain] 1/4 reading exposures and outcomes")
    fields = {
        "seeker_id": 1,
        "vacancy_id": 1,
        "published_at": 1,
        "notify": 1,
        "propensity": 1,
        "exploratory": 1,
    }
    pushed = {  # a record from before propensities was pushed by the plain top, with certainty
        (m["seeker_id"], m["vacancy_id"]): m
        async for m in db["matches"].find({}, fields)
        if m.get("notify", True) and m.get("propensity", 1.0) > 0
    }
    events = [
        (seeker_id, vacancy_id, "matched", datetime.fromisoformat(m["published_at"]))
        for (seeker_id, vacancy_id), m in pushed.items()
    ]
    events += [
        (o["seeker_id"], o["vacancy_id"], o["kind"], datetime.fromisoformat(o["at"]))
        async for o in db["outcomes"].find({"vacancy_id": {"$ne": None}})
        if (o["seeker_id"], o["vacancy_id"]) in pushed
    ]
    seekers = {d["_id"]: c.SeekerState.model_validate(d["state"]) async for d in db["seekers"].find({})}
    vacancies = {d["_id"]: c.VacancyState.model_validate(d["state"]) async for d in db["vacancies"].find({})}
    verified = {d["_id"] async for d in db["verified"].find({"verified": True})}
    data = [e for e in examples(events) if e.seeker_id in seekers and e.vacancy_id in vacancies]
    successes = sum(e.label for e in data)
    records = [pushed[(e.seeker_id, e.vacancy_id)] for e in data]
    weights = ips_weights(np.array([m.get("propensity", 1.0) for m in records], np.float64))
    explored = sum(bool(m.get("exploratory")) for m in records)
    say(f"[retrain]     {len(events):,} events → {len(data):,} pushed pairs ({explored:,} "
        f"by exploration), {successes:,} successes")  # fmt: skip
    if len(data) < min_examples or successes == 0 or successes == len(data):
        raise NotEnoughData(
            f"{len(data)} pairs with {successes} successes: training needs at least {min_examples} pairs "
            "with both successes and failures; run again once more outcomes are in"
        )

    say("[retrain] 2/4 encoding the market")
    texts = [seeker_text(s) for s in seekers.values()] + [vacancy_text(v) for v in vacancies.values()]
    idf = fit_idf(term_counts(texts))
    train, test = time_split(data)

    say(f"[retrain] 3/4 fitting on {len(train):,} earlier pairs")
    new_features = _features(data, seekers, vacancies, verified, idf)
    version = f"lr-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}"
    labels = np.array([e.label for e in train], np.int_)
    candidate = fit(new_features[: len(train)], labels, version, weights[: len(train)])

    say(f"[retrain] 4/4 judging on {len(test):,} later pairs, weighted by inverse propensity")
    current = await Models(store).active()
    current_ranker = current.ranker if current else LinearRanker.cold_start()
    current_features = _features(test, seekers, vacancies, verified, current.idf if current else None)
    judging = weights[len(train) :]
    new_quality = quality(candidate.scores(new_features[len(train) :]), test, weights=judging)
    old_quality = quality(current_ranker.scores(current_features), test, weights=judging)
    promoted = new_quality.ndcg > old_quality.ndcg
    metrics: dict[str, Any] = {
        "ndcg_at_10": round(new_quality.ndcg, 4), "recall_at_10": round(new_quality.recall, 4),
        "judged_seekers": new_quality.groups, "train_pairs": len(train), "test_pairs": len(test),
        "explored_pairs": explored,
        "compared_with": current_ranker.version, "their_ndcg_at_10": round(old_quality.ndcg, 4),
        "their_recall_at_10": round(old_quality.recall, 4),
    }  # fmt: skip
    model = StoredModel(candidate, idf, metrics, datetime.now(UTC), promoted)
    await Models(store).save(model)
    verdict = "promoted: now in use" if promoted else f"kept {current_ranker.version} in use"
    say(f"[retrain] {version}: NDCG@10 {new_quality.ndcg:.4f} vs {old_quality.ndcg:.4f} "
        f"({current_ranker.version}), Recall@10 {new_quality.recall:.4f} vs {old_quality.recall:.4f}; "
        f"{verdict} ({time.perf_counter() - started:.1f} s)")  # fmt: skip
    return model


def _features(
    pairs: list[Example],
    seekers: dict[str, c.SeekerState],
    vacancies: dict[str, c.VacancyState],
    verified: set[str],
    idf: npt.NDArray[np.float32] | None,
) -> Matrix:
    seeker_ids = sorted({e.seeker_id for e in pairs})
    vacancy_ids = sorted({e.vacancy_id for e in pairs})
    s_columns = encode_seekers([seekers[i] for i in seeker_ids], verified, idf)
    v_columns = encode_vacancies([vacancies[i] for i in vacancy_ids], idf)
    s_row = {i: row for row, i in enumerate(seeker_ids)}
    v_row = {i: row for row, i in enumerate(vacancy_ids)}
    s = np.array([s_row[e.seeker_id] for e in pairs], np.intp)
    v = np.array([v_row[e.vacancy_id] for e in pairs], np.intp)
    return pair_features(s_columns, s, v_columns, v)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.matching.retrain", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--min-examples", type=int, default=200)
    arguments = parser.parse_args(argv)
    from services.matching.core.config import settings  # read from the environment only when run

    try:
        asyncio.run(retrain(settings, min_examples=arguments.min_examples))
    except NotEnoughData as error:
        print(f"[retrain] not trained: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
