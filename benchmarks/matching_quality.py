"""Ranking quality on generated markets: a bilingual market of candidate pools, and eight weeks of outcomes.

    .venv/bin/python -m benchmarks.matching_quality [--seed 2026] [--pools 300] [--seekers 20000]
        [--vacancies 2000] [--part bilingual|outcomes|both] [--encoder]

The bilingual market (``benchmarks.bilingual_market``): each pool is a vacancy written in Chinese
or English and 30-50 seekers of its city with a known relevance (qualified 3, partial 2, near
miss 1, keyword-stuffed, expecting pay far above the maximum, or unrelated 0). Each slice
switches on one difficulty (seekers writing in the other language, skills written as synonyms
and abbreviations, stuffed profiles, near-miss occupations, salary excess); "all" switches on
every one. Every ranker orders each pool: TF-IDF cosine (IDF fitted on the slice's texts),
today's cold-start ranker (``TODAY``: the features and weights as they were before the skill
vocabulary, frozen here) and the service's cold-start ranker, both without IDF as the service
starts. Figures: NDCG@10 (gain 2^relevance - 1) per pool, averaged; on "all", how often a
qualified seeker writing in the other language than the vacancy reaches the top 10 relative to
one writing in the same language (parity), and the share of top-10 slots stuffed profiles hold
against their share of candidates. With ``--encoder``, one more ranker: the service's
cold-start ranker with a multilingual sentence encoder's cosine (``benchmarks.sentence_encoder``)
in place of its n-gram text similarity, and the encoder's throughput.

The outcomes market (``shared.synthetic``) (``shared.synthetic``) simulates eight weeks of exposures and
outcomes from a hidden true fit. The trained ranker learns from the earlier 80 % of the
exposed pairs. Each seeker with a success in the later period then has 100 candidate
vacancies: those successes, the pairs that led nowhere, and vacancies drawn at random
(counted as not relevant). Every ranker orders the same candidates. Figures: NDCG@10 and
Recall@10 per seeker, averaged over those seekers. Beside the ranker trained on every exposure,
three learn only from what the cold-start ranker would have pushed (each vacancy's top 10 of
its exposed seekers, ``policy.plan_pushes``): without exploration, with it, and with it and
inverse-propensity weights; last, the retrain's own judge of them (weighted NDCG@10 on the
later pushes).
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import numpy as np
import numpy.typing as npt

from benchmarks.bilingual_market import BilingualPools, Difficulty, Pool
from benchmarks.sentence_encoder import SentenceEncoder
from services.matching.domain.encoding import (
    encode_seekers,
    encode_vacancies,
    fit_idf,
    seeker_text,
    term_counts,
    vacancy_text,
    weighted,
)
from services.matching.domain.features import (
    FEATURES,
    MAX_MISSING,
    Feature,
    Matrix,
    Pairs,
    evidence_of,
    pair_features,
)
from services.matching.domain.policy import DAILY_CAP, EXPLORATION_SHARE, plan_pushes
from services.matching.domain.ranker import LinearRanker
from services.matching.domain.training import (
    Example,
    Quality,
    examples,
    fit,
    ips_weights,
    quality,
    time_split,
)
from shared.events import catalogue as c
from shared.synthetic import SyntheticMarket
from shared.synthetic.outcomes import STAGES

CANDIDATES = 100
LOGGED_ON = date(2026, 9, 1)
TOP = 10
SLICES = {
    "plain": Difficulty.NONE,
    "other language": Difficulty.OTHER_LANGUAGE,
    "synonyms, abbreviations": Difficulty.VARIANT_FORMS,
    "stuffed profiles": Difficulty.STUFFED,
    "near-miss occupations": Difficulty.NEAR_MISS,
    "salary far above": Difficulty.SALARY,
    "all": Difficulty.ALL,
}
TODAY = LinearRanker(
    "cold-start-1 (before the skill vocabulary)",
    -2.5,
    np.array([3.0, 2.5, -1.0, 1.5, 1.0, 0.8, 0.5, 0.6, 0.4]),
    np.zeros(9),
    np.ones(9),
)
"""The cold-start ranker as it was before the skill vocabulary, over ``today_features``."""
ENCODER_SCALE = 0.5
"""Sentence embeddings of unrelated texts still have a cosine of 0.1-0.3 (n-grams: about 0),
so the encoder's similarity counts at half the n-gram cosine's weight."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pools", type=int, default=300)
    parser.add_argument("--seekers", type=int, default=20_000)
    parser.add_argument("--vacancies", type=int, default=2_000)
    parser.add_argument("--part", choices=("bilingual", "outcomes", "both"), default="both")
    parser.add_argument(
        "--encoder",
        action="store_true",
        help="add the service ranker with a multilingual sentence encoder's similarity as its text "
        "similarity (slow the first time: every text is encoded)",
    )
    arguments = parser.parse_args()
    if arguments.part != "outcomes":
        bilingual(arguments.seed, arguments.pools, SentenceEncoder() if arguments.encoder else None)
    if arguments.part != "bilingual":
        outcomes(arguments.seed, arguments.seekers, arguments.vacancies)


def bilingual(seed: int, count: int, encoder: SentenceEncoder | None) -> None:
    started = time.perf_counter()
    source = BilingualPools(seed, count)
    rankers = ["TF-IDF", "today", "service"] + (["encoder"] if encoder else [])
    print(f"[quality] bilingual market, seed {seed}: {count} pools per slice")
    print(f"{'slice':<26}" + "".join(f"{ranker:>9}" for ranker in rankers) + f"{'candidates':>12}")
    for name, difficulty in SLICES.items():
        pools = source.pools(difficulty)
        rankings = rank_pools(pools, encoder)
        ndcg = {ranker: float(np.mean([_ndcg(p, order) for p, order in zip(pools, orders, strict=True)]))
                for ranker, orders in rankings.items()}  # fmt: skip
        candidates = sum(len(pool.candidates) for pool in pools)
        print(f"{name:<26}" + "".join(f"{ndcg[ranker]:>9.4f}" for ranker in rankers) + f"{candidates:>12,}")
        if difficulty == Difficulty.ALL:
            overall = (pools, rankings)
    pools, rankings = overall
    print(f"{'on all':<26}" + "".join(f"{ranker:>9}" for ranker in rankers))
    rows = {ranker: _shares(pools, orders) for ranker, orders in rankings.items()}
    for label, column in (
        ("qualified in top 10, same language", 0),
        ("qualified in top 10, other language", 1),
        ("cross-language parity", 2),
        ("top-10 slots held by stuffed", 3),
        ("stuffed share of candidates", 4),
    ):
        print(f"{label:<26}" if len(label) <= 26 else f"{label}\n{'':<26}", end="")
        print("".join(f"{rows[ranker][column]:>9.3f}" for ranker in rankers))
    if encoder and encoder.encoded:
        print(f"[encoder] {encoder.encoded:,} texts encoded at {encoder.rate:,.0f} a second")
    print(f"[quality] bilingual market in {time.perf_counter() - started:.1f} s")


def rank_pools(
    pools: list[Pool], encoder: SentenceEncoder | None = None
) -> dict[str, list[npt.NDArray[np.intp]]]:
    """Each ranker's order of each pool's candidates, best first (ties broken at random). With an
    ``encoder``, the service's cold-start ranker again with the cosine of the two texts'
    sentence embeddings (below 0 as 0, weighed by the same evidence, times ``ENCODER_SCALE``) in
    place of its n-gram text similarity."""
    vacancies: list[c.VacancyState] = [pool.vacancy for pool in pools]
    seekers: list[c.SeekerState] = [candidate.seeker for pool in pools for candidate in pool.candidates]
    owner = np.repeat(np.arange(len(pools)), [len(pool.candidates) for pool in pools])
    s = np.arange(len(seekers))
    seeker_columns, vacancy_columns = encode_seekers(seekers, set(), None), encode_vacancies(vacancies, None)
    features = pair_features(seeker_columns, s, vacancy_columns, owner)
    texts = [seeker_text(seeker) for seeker in seekers], [vacancy_text(vacancy) for vacancy in vacancies]
    idf = fit_idf(term_counts(texts[0] + texts[1]))
    seeker_text_rows, vacancy_text_rows = (
        weighted(term_counts(texts[0]), idf),
        weighted(term_counts(texts[1]), idf),
    )
    cosine = np.asarray(seeker_text_rows.multiply(vacancy_text_rows[owner]).sum(axis=1)).ravel()
    untouched = np.asarray(seeker_columns.text.multiply(vacancy_columns.text[owner]).sum(axis=1)).ravel()
    scores = {
        "TF-IDF": cosine,
        "today": TODAY.scores(today_features(features, untouched, seekers, vacancies, owner)),
        "service": LinearRanker.cold_start().scores(features),
    }
    if encoder is not None:
        meanings = encoder.encode(texts[0]), encoder.encode(texts[1])
        cosine = np.einsum("ij,ij->i", meanings[0], meanings[1][owner])
        evidence = evidence_of(Pairs(seeker_columns, s, vacancy_columns, owner))
        encoded = features.copy()
        encoded[:, FEATURES.index(Feature.TEXT_SIMILARITY)] = ENCODER_SCALE * np.maximum(cosine, 0) * evidence
        scores["encoder"] = LinearRanker.cold_start().scores(encoded)
    rng = np.random.default_rng(0)
    bounds = np.cumsum([0, *(len(pool.candidates) for pool in pools)])
    orders: dict[str, list[npt.NDArray[np.intp]]] = {}
    for ranker, values in scores.items():
        orders[ranker] = []
        for start, end in itertools.pairwise(bounds):
            shuffled = rng.permutation(end - start)
            orders[ranker].append(shuffled[np.argsort(-values[start:end][shuffled], kind="stable")])
    return orders


def today_features(
    features: Matrix,
    cosine: npt.NDArray[np.float32],
    seekers: list[c.SeekerState],
    vacancies: list[c.VacancyState],
    owner: npt.NDArray[np.intp],
) -> Matrix:
    """The features as they were before the skill vocabulary: the text's plain ``cosine``, skills
    shared only when written alike (case and spacing aside), every listed skill credited in full,
    and a salary fit of 0 however far the expectation lies above the maximum. The other features
    are computed as they still are."""

    def written(skill: str) -> str:
        return " ".join(skill.casefold().split())

    today = features.copy()
    today[:, FEATURES.index(Feature.TEXT_SIMILARITY)] = cosine
    for row, (seeker, vacancy) in enumerate(zip(seekers, (vacancies[i] for i in owner), strict=True)):
        asked = {written(skill) for skill in vacancy.skills}
        matched = len(asked & {written(skill) for skill in seeker.skills})
        today[row, FEATURES.index(Feature.SKILLS_MATCHED)] = matched / len(asked) if asked else 0
        today[row, FEATURES.index(Feature.SKILLS_MISSING)] = (
            min(len(asked) - matched, MAX_MISSING) / MAX_MISSING
        )
    salary = FEATURES.index(Feature.SALARY_FIT)
    today[:, salary] = np.maximum(today[:, salary], 0)
    return today


def _ndcg(pool: Pool, order: npt.NDArray[np.intp]) -> float:
    relevance = np.array([candidate.relevance for candidate in pool.candidates], np.float64)
    discounts = 1 / np.log2(np.arange(2, TOP + 2))
    gains = 2**relevance - 1
    ideal = float(np.sort(gains)[::-1][:TOP] @ discounts[: min(TOP, len(gains))])
    return float(gains[order[:TOP]] @ discounts[: min(TOP, len(order))]) / ideal if ideal else 0.0


def _shares(
    pools: list[Pool], orders: list[npt.NDArray[np.intp]]
) -> tuple[float, float, float, float, float]:
    """Qualified seekers in the top 10 (same language, other language, their ratio), and the
    share of top-10 slots held by stuffed profiles beside their share of candidates."""
    reached = {True: [0, 0], False: [0, 0]}
    stuffed_top = slots = stuffed = candidates = 0
    for pool, order in zip(pools, orders, strict=True):
        top = set(order[:TOP].tolist())
        for position, candidate in enumerate(pool.candidates):
            if candidate.kind == "qualified":
                tally = reached[candidate.chinese == pool.chinese]
                tally[0] += position in top
                tally[1] += 1
            stuffed += candidate.kind == "stuffed"
            stuffed_top += candidate.kind == "stuffed" and position in top
        slots += len(top)
        candidates += len(pool.candidates)
    same, other = (reached[k][0] / max(reached[k][1], 1) for k in (True, False))
    return same, other, other / same if same else 0.0, stuffed_top / slots, stuffed / candidates


def exposed_pairs(market: SyntheticMarket) -> list[Example]:
    """The market's simulated weeks as training examples: each exposed pair, its best outcome."""
    outcomes = market.simulate_outcomes()
    rows = [
        (int(s), int(v), "matched", _time(t))
        for s, v, t in zip(
            outcomes.exposures.seeker, outcomes.exposures.vacancy, outcomes.exposures.at, strict=True
        )
    ] + [
        (int(s), int(v), STAGES[k].value, _time(t))
        for s, v, k, t in zip(
            outcomes.events.seeker,
            outcomes.events.vacancy,
            outcomes.events.stage,
            outcomes.events.at,
            strict=True,
        )
    ]
    return examples([(str(s), str(v), kind, at) for s, v, kind, at in rows])


def featurer(
    market: SyntheticMarket, data: list[Example]
) -> tuple[npt.NDArray[np.float32], Callable[[list[Example]], Matrix]]:
    """IDF weights fitted on the exposed seekers' and every vacancy's text, as a retrain fits
    them, and the features of any of ``data``'s pairs under them."""
    seeker_index = sorted({int(e.seeker_id) for e in data})
    seekers: list[c.SeekerState] = [market.seeker_event(i)[0] for i in seeker_index]
    vacancies: list[c.VacancyState] = [market.vacancy_event(i) for i in range(len(market.vacancies))]
    idf = fit_idf(term_counts([seeker_text(s) for s in seekers] + [vacancy_text(v) for v in vacancies]))
    seeker_columns, vacancy_columns = encode_seekers(seekers, set(), idf), encode_vacancies(vacancies, idf)
    seeker_row = {str(index): row for row, index in enumerate(seeker_index)}

    def features_of(pairs: list[Example]) -> Matrix:
        s = np.array([seeker_row[e.seeker_id] for e in pairs], np.intp)
        v = np.array([int(e.vacancy_id) for e in pairs], np.intp)
        return pair_features(seeker_columns, s, vacancy_columns, v)

    return idf, features_of


def outcomes(seed: int, seeker_count: int, vacancy_count: int) -> dict[str, Quality]:
    """Random, TF-IDF cosine alone, cold start and trained (on every exposure, and on the pushes
    of the cold-start ranker with and without exploration and IPW), on eight weeks' outcomes."""
    started = time.perf_counter()
    market = SyntheticMarket(seed, vacancies=vacancy_count, seekers=seeker_count)
    data = exposed_pairs(market)
    successes = sum(e.label for e in data)
    print(f"[quality] seed {seed}: {seeker_count:,} seekers, {vacancy_count:,} "
          f"vacancies, {len(data):,} exposed pairs, {successes:,} successes", flush=True)  # fmt: skip

    _, features_of = featurer(market, data)
    train, later = time_split(data)
    trained = fit(features_of(train), np.array([e.label for e in train], np.int_), "lr-benchmark")
    test = candidates(later, vacancy_count, np.random.default_rng(seed))
    features = features_of(test)
    print(f"[quality] features and training in {time.perf_counter() - started:.1f} s; trained on "
          f"{len(train):,} earlier pairs, judged on {len(test):,} later candidate pairs")  # fmt: skip
    cold_start = LinearRanker.cold_start()
    logged = cold_start.scores(features_of(data))
    biased, explored = pushed(data, logged, 0.0), pushed(data, logged, EXPLORATION_SHARE)
    share = f"{EXPLORATION_SHARE:.0%} exploration"
    learned = {
        "cold start pushes, no exploration": learn(train, biased, features_of, weigh=False),
        f"{share}, no IPW": learn(train, explored, features_of, weigh=False),
        f"{share}, IPW": learn(train, explored, features_of, weigh=True),
    }
    rng = np.random.default_rng(seed + 1)
    rankers = {
        "random": rng.random(len(test)),
        "TF-IDF cosine alone": features[:, FEATURES.index(Feature.TEXT_SIMILARITY)],
        "cold-start ranker": cold_start.scores(features),
        "trained, every exposure": trained.scores(features),
        **{f"trained, {name}": model.scores(features) for name, model in learned.items()},
    }
    print(f"{'ranker':<48}{'NDCG@10':>10}{'Recall@10':>12}{'seekers':>10}")
    results = {name: quality(np.asarray(scores, np.float64), test) for name, scores in rankers.items()}
    for name, result in results.items():
        print(f"{name:<48}{result.ndcg:>10.4f}{result.recall:>12.4f}{result.groups:>10,}")

    print("[quality] the retrain's own judge: NDCG@10 on the later pushes, weighted by inverse propensity")
    judged = [e for e in later if (e.seeker_id, e.vacancy_id) in explored]
    weights = ips_weights(np.array([explored[(e.seeker_id, e.vacancy_id)] for e in judged]))
    judged_features = features_of(judged)
    for name, model in {"cold-start ranker": cold_start, **learned}.items():
        result = quality(model.scores(judged_features), judged, weights=weights)
        print(f"{name:<48}{result.ndcg:>10.4f}{result.recall:>12.4f}{result.groups:>10,}")
    return results


def pushed(
    data: list[Example], scores: npt.NDArray[np.float64], share: float
) -> dict[tuple[str, str], float]:
    """The pairs a ranker pushes, each with its propensity: every vacancy's exposed seekers ranked
    by ``scores``, the top ``DAILY_CAP`` pushed with ``share`` of the slots explored beyond."""
    by_vacancy: dict[str, list[tuple[float, str]]] = {}
    for example, score in zip(data, scores, strict=True):
        by_vacancy.setdefault(example.vacancy_id, []).append((-float(score), example.seeker_id))
    propensity: dict[tuple[str, str], float] = {}
    for vacancy_id, ranked in by_vacancy.items():
        seeker_ids = [seeker_id for _, seeker_id in sorted(ranked)]
        plan = plan_pushes(vacancy_id, seeker_ids, DAILY_CAP, LOGGED_ON, share)
        propensity.update(
            ((seeker_id, vacancy_id), push.propensity)
            for seeker_id, push in zip(seeker_ids, plan, strict=True)
            if push.notify
        )
    return propensity


def learn(
    train: list[Example],
    log: dict[tuple[str, str], float],
    features_of: Callable[[list[Example]], Matrix],
    *,
    weigh: bool,
) -> LinearRanker:
    """A ranker trained only on the pairs pushed in ``log`` (the outcomes a service would have)."""
    seen = [e for e in train if (e.seeker_id, e.vacancy_id) in log]
    weights = ips_weights(np.array([log[(e.seeker_id, e.vacancy_id)] for e in seen])) if weigh else None
    return fit(features_of(seen), np.array([e.label for e in seen], np.int_), "lr-logged", weights)


def candidates(later: list[Example], vacancies: int, rng: np.random.Generator) -> list[Example]:
    """For each seeker with a later success: its later pairs, padded with random vacancies."""
    by_seeker: dict[str, dict[str, Example]] = {}
    for example in later:
        by_seeker.setdefault(example.seeker_id, {})[example.vacancy_id] = example
    pool: list[Example] = []
    for seeker_id, pairs in by_seeker.items():
        if not any(e.label for e in pairs.values()):
            continue
        moment = min(e.at for e in pairs.values())
        for vacancy in rng.permutation(vacancies):
            if len(pairs) >= CANDIDATES:
                break
            pairs.setdefault(str(vacancy), Example(seeker_id, str(vacancy), 0, moment))
        pool.extend(pairs.values())
    return pool


def _time(value: np.datetime64) -> datetime:
    return datetime.fromtimestamp(value.astype("datetime64[s]").astype(int), UTC)


if __name__ == "__main__":
    main()
