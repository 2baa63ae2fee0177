"""The in-memory market: block-wise ranking agrees with scoring every pair by brute force,
through appends, edits, removals, merges and compaction, and after a model switch; the
sketched shortlist scores what it returns exactly and misses few of the exact winners, and
each query's best candidates of a grid are found whatever the grid's shape."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from services.matching.domain.encoding import (
    Columns,
    encode_seekers,
    encode_vacancies,
    fit_idf,
    term_counts,
    vacancy_skills,
)
from services.matching.domain.features import FEATURES, Feature, pair_features
from services.matching.domain.matcher import Market, Match, _best_in_rows
from services.matching.domain.ranker import LinearRanker
from services.matching.domain.vocabulary import load_vocabulary
from shared.events import catalogue as c
from shared.synthetic import SyntheticMarket
from shared.synthetic.generator import DEFAULT_START

TODAY = DEFAULT_START.date()
TOP = 20
NEAR_TIE = 0.01
SCORE_ROUNDING = 5e-5 + 1e-9
"""Scores are told to four decimals; the reasons sum to the logit of the score before rounding."""


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[c.SeekerState], list[c.VacancyState]]:
    market = SyntheticMarket(11, employers=30, vacancies=120, seekers=1_500)
    seekers: list[c.SeekerState] = [market.seeker_event(i)[0] for i in range(1_500)]
    vacancies: list[c.VacancyState] = [market.vacancy_event(i) for i in range(120)]
    return seekers, vacancies


def market_of(
    seekers: list[c.SeekerState],
    vacancies: list[c.VacancyState],
    *,
    block_rows: int,
) -> Market:
    market = Market(block_rows=block_rows)
    for vacancy in vacancies:
        market.vacancies.upsert(str(vacancy.vacancy_id), vacancy)
    for seeker in seekers:
        market.seekers.upsert(str(seeker.seeker_id), seeker)
    return market


def edited(seeker: c.SeekerState, **changes: object) -> c.SeekerState:
    return c.SeekerUpdated.model_validate({**seeker.model_dump(), **changes, "version": seeker.version + 1})


def brute_force(
    seekers: list[c.SeekerState], vacancy: c.VacancyState, ranker: LinearRanker, idf: np.ndarray | None = None
) -> list[tuple[str, float]]:
    """Every pair scored, then the hard filters: consent and city."""
    return every_pair(encode_seekers(seekers, set(), idf), encode_vacancies([vacancy], idf), 0, ranker)


def every_pair(s: Columns, v: Columns, j: int, ranker: LinearRanker) -> list[tuple[str, float]]:
    """The scores of all seekers that pass the hard filters for vacancy ``j``, best first."""
    features = pair_features(s, np.arange(len(s)), v, np.array([j]))
    keep = s.allowed & (features[:, list(Feature).index(Feature.CITY_FIT)] > 0)
    scores = ranker.scores(features)
    ranked = sorted(((round(float(scores[i]), 4), s.ids[i]) for i in np.flatnonzero(keep)), reverse=True)
    return [(seeker_id, score) for score, seeker_id in ranked]


def agree(ours: list[Match], scores: list[tuple[str, float]]) -> None:
    """``ours`` names distinct eligible seekers, best first, each with the score brute force gives
    that very seeker, and they are the best ``TOP`` but for near ties."""
    by_id = dict(scores)
    assert len({m.seeker_id for m in ours}) == len(ours) == min(TOP, len(scores))
    assert all(m.seeker_id in by_id for m in ours), "only seekers that pass the hard filters"
    assert [m.score for m in ours] == pytest.approx([by_id[m.seeker_id] for m in ours], abs=2e-4)
    assert [m.score for m in ours] == sorted((m.score for m in ours), reverse=True)
    assert [m.rank for m in ours] == list(range(1, len(ours) + 1))
    # The shortlist is sketched: it may swap a winner for a near tie, and lower the cut by no more.
    assert not ours or ours[-1].score >= scores[len(ours) - 1][1] - NEAR_TIE
    assert len({seeker_id for seeker_id, _ in scores[:TOP]} - {m.seeker_id for m in ours}) <= TOP // 10


def test_small_blocks_rank_like_brute_force_through_edits_and_removals(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]],
) -> None:
    seekers, vacancies = synthetic
    market = market_of([], vacancies, block_rows=128)
    current = {str(s.seeker_id): s for s in seekers}
    for i, seeker in enumerate(seekers):
        market.seekers.upsert(str(seeker.seeker_id), seeker)
        if i % 97 == 0:
            market.seekers_for(str(vacancies[0].vacancy_id), TOP, TODAY)  # queries between appends
    for seeker in seekers[::5]:
        changed = edited(seeker, skills=[*seeker.skills[:1], "数控编程"], desired_cities=["安阳"])
        current[str(seeker.seeker_id)] = changed
        market.seekers.upsert(str(seeker.seeker_id), changed)
    for seeker in seekers[1::4]:
        current.pop(str(seeker.seeker_id), None)
        market.seekers.remove(str(seeker.seeker_id))

    blocks = list(market.seekers.alive_blocks())
    assert len(blocks) > 5
    assert all(len(block) <= 128 for block in blocks)
    assert sum(len(block.rows) for block in blocks) == len(current) == len(market.seekers)
    for vacancy in vacancies[:15]:
        expected = brute_force(list(current.values()), vacancy, market.ranker)
        agree(market.seekers_for(str(vacancy.vacancy_id), TOP, TODAY), expected)


@pytest.mark.parametrize("reweighted", [False, True], ids=["cold start", "after a model switch"])
def test_the_shortlist_scores_exactly_and_finds_nearly_every_winner(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]], reweighted: bool
) -> None:
    seekers, vacancies = synthetic
    market = market_of(seekers, vacancies, block_rows=512)
    idf = fit_idf(term_counts([s.summary for s in seekers])) if reweighted else None
    if reweighted:
        market.seekers_for(str(vacancies[0].vacancy_id), TOP, TODAY)  # encoded with the cold start
        market.use(LinearRanker.cold_start(), idf)
    ids = [str(v.vacancy_id) for v in vacancies[:40]]
    rankings = market.seekers_for_each(ids, TOP, TODAY)
    s, v = encode_seekers(seekers, set(), idf), encode_vacancies(vacancies[:40], idf)
    found = 0
    for j, vacancy_id in enumerate(ids):
        scores = every_pair(s, v, j, market.ranker)
        expected, by_id = dict(scores[:TOP]), dict(scores)
        ours = rankings[vacancy_id].matches()
        assert len(ours) == len(expected)
        assert [m.score for m in ours] == pytest.approx([by_id[m.seeker_id] for m in ours], abs=2e-4)
        # A pair the shortlist missed loses only to a near tie.
        assert min(m.score for m in ours) >= min(expected.values()) - NEAR_TIE
        found += len({m.seeker_id for m in ours} & set(expected))
    assert found / (40 * TOP) >= 0.95


@pytest.mark.parametrize(("queries", "count", "kept"), [(5, 5_703, 200), (3, 1_000, 200), (1, 100_000, 150)])
def test_the_best_of_each_row_are_found_whatever_the_shape(queries: int, count: int, kept: int) -> None:
    values = np.random.default_rng(count).standard_normal((queries, count)).astype(np.float32)
    values[0, :kept] = values[0, -1]  # ties
    best = _best_in_rows(values, kept)
    assert best.shape == (queries, kept)
    assert all(len(set(row)) == kept for row in best.tolist())
    found = np.sort(np.take_along_axis(values, best, axis=1), axis=1)
    assert np.array_equal(found, np.sort(values, axis=1)[:, -kept:])


def test_a_batch_ranks_each_vacancy_as_alone(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]],
) -> None:
    seekers, vacancies = synthetic
    market = market_of(seekers, vacancies, block_rows=512)
    ids = [str(v.vacancy_id) for v in vacancies[:40]]
    batch = market.seekers_for_each(ids, TOP, TODAY)
    assert set(batch) == set(ids)
    for vacancy_id in ids:
        together, alone = batch[vacancy_id].matches(), market.seekers_for(vacancy_id, TOP, TODAY)
        # One vacancy's dot products are summed in another order than a grid's: equal to float32 noise.
        assert {m.seeker_id: m.score for m in together} == pytest.approx(
            {m.seeker_id: m.score for m in alone}, abs=1e-4
        )
        reasons = {m.seeker_id: r for m, r in zip(together, market.explain(together), strict=True)}
        for match, alone_reasons in zip(alone, market.explain(alone), strict=True):
            assert [r.code for r in reasons[match.seeker_id]] == [r.code for r in alone_reasons]


def test_vacancies_for_a_seeker_respect_deadline_and_city(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]],
) -> None:
    seekers, vacancies = synthetic
    seeker = next(s for s in seekers if s.desired_cities and s.consent.allow_matching)
    market = market_of([seeker], vacancies, block_rows=32)
    found = market.vacancies_for(str(seeker.seeker_id), TOP, TODAY)
    by_id = {str(v.vacancy_id): v for v in vacancies}
    assert found
    assert all(by_id[m.vacancy_id].remote or by_id[m.vacancy_id].city in seeker.desired_cities for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert market.vacancies_for(str(seeker.seeker_id), TOP, date(2100, 1, 1)) == []


def test_a_seeker_with_nothing_to_match_on_yet_is_not_ranked(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]],
) -> None:
    """Just signed up: a name, no roles, skills, education or summary, open to any city."""
    seekers, vacancies = synthetic
    full = next(s for s in seekers if s.consent.allow_matching and s.consent.personalised_recommendations)
    empty = {"desired_roles": [], "skills": [], "education": [], "summary": "", "desired_cities": []}
    bare = edited(full, **empty)
    market = market_of([bare], vacancies, block_rows=32)
    assert market.vacancies_for(str(bare.seeker_id), TOP, TODAY) == []
    rankings = market.seekers_for_each([str(v.vacancy_id) for v in vacancies], TOP, TODAY)
    assert all(ranking.matches() == [] for ranking in rankings.values())

    market.seekers.upsert(str(full.seeker_id), edited(bare, **full.model_dump(exclude={"version"})))
    assert market.vacancies_for(str(full.seeker_id), TOP, TODAY), "ranked once the profile is filled in"


def test_a_new_model_reweights_what_is_encoded(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]],
) -> None:
    seekers, vacancies = synthetic
    idf = fit_idf(term_counts([s.summary for s in seekers[:500]]))
    market = market_of(seekers[:600], vacancies, block_rows=256)
    market.seekers_for(str(vacancies[0].vacancy_id), TOP, TODAY)  # encoded with the cold start
    market.use(LinearRanker.cold_start(), idf)
    for vacancy in vacancies[:5]:
        expected = brute_force(seekers[:600], vacancy, market.ranker, idf)
        agree(market.seekers_for(str(vacancy.vacancy_id), TOP, TODAY), expected)


def test_reasons_name_matched_and_missing_skills_from_the_encoded_profile(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]],
) -> None:
    seekers, vacancies = synthetic
    vacancy = vacancies[0]
    seeker = edited(
        seekers[0], skills=[vacancy.skills[0].upper()], desired_cities=[vacancy.city], consent=c.Consent()
    )
    market = Market()
    market.vacancies.upsert(str(vacancy.vacancy_id), vacancy)
    market.seekers.upsert(str(seeker.seeker_id), seeker)
    assert isinstance(market.seekers.kept[str(seeker.seeker_id)], bytes)  # no state is kept
    [match] = market.seekers_for(str(vacancy.vacancy_id), TOP, TODAY)
    [reasons] = market.explain([match])
    skills = [reason for reason in reasons if reason.skill is not None]
    assert len(skills) == len(vacancy_skills(vacancy)), "each asked skill's whole effect is one reason"
    [held] = [reason for reason in skills if reason.code == "skill_held"]
    vocabulary = load_vocabulary()
    known = vocabulary.skill_id(vacancy.skills[0])
    assert held.skill == (
        c.ReasonSkill(id=known, zh=vocabulary.by_id[known].zh, en=vocabulary.by_id[known].en)
        if known
        else c.ReasonSkill(zh=vacancy.skills[0], en=vacancy.skills[0])
    )
    assert held.contribution > 0
    assert all(reason.contribution < 0 for reason in skills if reason.code == "skill_lacked")
    assert all(reason.detail == "" for reason in reasons)


@pytest.mark.parametrize("trained", [False, True])
def test_the_baseline_and_the_reasons_of_many_pairs_sum_to_their_logits(
    synthetic: tuple[list[c.SeekerState], list[c.VacancyState]], trained: bool
) -> None:
    seekers, vacancies = synthetic
    market = market_of(seekers, vacancies, block_rows=512)
    if trained:  # means and scales as a fitted model has them: each skill carries a share of the means
        generator = np.random.default_rng(5)
        cold = LinearRanker.cold_start()
        market.use(
            LinearRanker(
                "trained", -1.2, cold.weights * generator.uniform(0.5, 2, len(FEATURES)),
                generator.uniform(-0.5, 0.5, len(FEATURES)), generator.uniform(0.2, 2, len(FEATURES)),
            ),
            None,
        )  # fmt: skip
    checked = 0
    for vacancy in vacancies:
        matches = market.seekers_for(str(vacancy.vacancy_id), TOP, TODAY)
        for match, reasons in zip(matches, market.explain(matches), strict=True):
            logit = market.ranker.baseline + sum(reason.contribution for reason in reasons)
            assert 1 / (1 + np.exp(-logit)) == pytest.approx(match.score, abs=SCORE_ROUNDING)
            assert not {"skills_matched", "skills_missing"} & {reason.code for reason in reasons}
            checked += 1
    assert checked > 1_000
