"""Features and the linear ranker: real contributions as reasons, no protected attributes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.domain.encoding import encode_seekers, encode_vacancies
from services.matching.domain.features import FEATURES, MAX_MISSING, Feature, pair_features
from services.matching.domain.policy import DAILY_CAP, DailyTally
from services.matching.domain.ranker import MOST_SKILL_REASONS, SKILL_FEATURES, LinearRanker, PairFacts
from shared.events import catalogue as c
from tests import factories


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


def features_of(
    seekers: list[c.SeekerState], job: c.VacancyState, verified: frozenset[str] = frozenset()
) -> np.ndarray:
    s = encode_seekers(seekers, set(verified), idf=None)
    v = encode_vacancies([job], idf=None)
    return pair_features(s, np.arange(len(seekers)), v, np.array([0]))


def test_no_feature_is_a_protected_attribute() -> None:
    protected = ("gender", "sex", "age", "birth", "marital", "ethnic", "religion", "hukou", "household")
    assert not [f for f in FEATURES if any(word in f.value for word in protected)]


def test_a_fitting_seeker_outranks_a_mismatched_one() -> None:
    fitting = seeker()
    mismatched = seeker(skills=["会计", "Excel"], desired_roles=["会计"], education=[], experience_years=0,
                        talent_category="enterprise_management")  # fmt: skip
    scores = LinearRanker.cold_start().scores(features_of([fitting, mismatched], vacancy()))
    assert scores[0] > scores[1] + 0.2


def test_features_say_what_they_measure() -> None:
    [row] = features_of(
        [seeker(skills=["数控编程", "AutoCAD"])], vacancy(skills=["数控编程", "阅读机械图纸", "AutoCAD"])
    )
    named = dict(zip(FEATURES, row, strict=True))
    # Two of three asked, two listed: coverage weighed by precision, 2·2 / (3 + 2); the profile's
    # years in the vacancy's occupation family are evidence enough for both.
    assert named[Feature.SKILLS_MATCHED] == pytest.approx(4 / 5)
    assert named[Feature.SKILLS_MISSING] == pytest.approx(1 / 5)
    assert named[Feature.EDUCATION_GAP] == 0
    assert named[Feature.EXPERIENCE_GAP] == 0
    assert named[Feature.CITY_FIT] == 1
    assert named[Feature.CATEGORY_FIT] == 1
    assert named[Feature.CREDENTIAL_VERIFIED] == 0
    assert 0.2 < named[Feature.TEXT_SIMILARITY] < 1


def test_both_directions_give_the_same_features() -> None:
    people = [seeker(), seeker(skills=["焊接"]), seeker(desired_cities=[])]
    jobs = [vacancy(), vacancy(city="郑州", remote=True)]
    s, v = encode_seekers(people, set(), None), encode_vacancies(jobs, None)
    for j in range(len(jobs)):
        many_seekers = pair_features(s, np.arange(3), v, np.array([j]))
        for i in range(len(people)):
            one_seeker = pair_features(s, np.array([i]), v, np.arange(len(jobs)))
            np.testing.assert_allclose(one_seeker[j], many_seekers[i], rtol=1e-6)


def facts_of(skills: list[str], held: list[bool], evidence: float = 1.0) -> PairFacts:
    return PairFacts(
        [(c.ReasonSkill(zh=s, en=s), h) for s, h in zip(skills, held, strict=True)], evidence, {}
    )


def terms_of(ranker: LinearRanker, row: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    terms: npt.NDArray[np.float64] = ranker.contributions(row[np.newaxis, :])[0]
    return terms


def test_reasons_are_exactly_the_terms_of_the_score() -> None:
    ranker = LinearRanker.cold_start()
    rows = features_of([seeker(), seeker(experience_years=0, skills=["数控编程"])], vacancy())
    for row, held in zip(rows, ([True, True], [True, False]), strict=True):
        reasons = ranker.reasons(row, terms_of(ranker, row), facts_of(["数控编程", "阅读机械图纸"], held))
        logit = ranker.baseline + sum(reason.contribution for reason in reasons)
        assert 1 / (1 + np.exp(-logit)) == pytest.approx(ranker.scores(row[np.newaxis, :])[0], abs=1e-9)
        assert all(reason.contribution != 0 for reason in reasons)
        assert [abs(r.contribution) for r in reasons] == sorted(
            (abs(r.contribution) for r in reasons), reverse=True
        )
    short = ranker.reasons(
        rows[1], terms_of(ranker, rows[1]), facts_of(["数控编程", "阅读机械图纸"], [True, False])
    )
    lacking = {reason.code for reason in short if reason.contribution < 0}
    assert {"experience_gap", "skill_lacked"} <= lacking
    assert [r.skill.zh for r in short if r.skill and r.code == "skill_held"] == ["数控编程"]


@settings(max_examples=400, deadline=None)
@given(
    held=st.lists(st.booleans(), max_size=100),
    listed_extra=st.integers(0, 50),
    evidence=st.floats(0.3, 1),
    others=st.lists(st.floats(-1, 1), min_size=len(FEATURES), max_size=len(FEATURES)),
    seed=st.integers(0, 2**32 - 1),
    trained=st.booleans(),
)
def test_the_baseline_and_the_reasons_sum_to_the_logit_whatever_the_pair(
    held: list[bool], listed_extra: int, evidence: float, others: list[float], seed: int, trained: bool
) -> None:
    ranker = LinearRanker.cold_start()
    if trained:
        generator = np.random.default_rng(seed)
        ranker = LinearRanker(
            "trained", float(generator.normal()), generator.normal(0, 2, len(FEATURES)),
            generator.normal(0, 0.5, len(FEATURES)), generator.uniform(0.1, 3, len(FEATURES)),
        )  # fmt: skip
    asked, matched = len(held), sum(held)
    row = np.array(others, np.float32)
    if asked:  # the skill features as the formulas give them for these skills
        row[FEATURES.index(Feature.SKILLS_MATCHED)] = (
            evidence * matched * 2 / (asked + matched + listed_extra)
        )
    row[FEATURES.index(Feature.SKILLS_MISSING)] = min(asked - evidence * matched, MAX_MISSING) / MAX_MISSING
    reasons = ranker.reasons(
        row, terms_of(ranker, row), facts_of([f"skill {k}" for k in range(asked)], held, evidence)
    )
    assert ranker.baseline + sum(r.contribution for r in reasons) == pytest.approx(
        ranker.logits(row[np.newaxis, :])[0], abs=1e-9
    )
    assert len(reasons) <= 50
    named = [r.skill.zh for r in reasons if r.skill]
    counted = ranker.contributions(row[np.newaxis, :])[0][[FEATURES.index(f) for f in SKILL_FEATURES]].any()
    assert len(named) == len(set(named)) == (min(asked, MOST_SKILL_REASONS) if counted else 0)
    assert not {"skills_matched", "skills_missing"} & {r.code for r in reasons}


def test_the_daily_tally_caps_each_seeker_counts_a_pair_once_and_starts_afresh_each_day() -> None:
    tally, today = DailyTally(), date(2026, 11, 23)
    for vacancy in range(DAILY_CAP - 1):
        tally.add("a", f"v{vacancy}", today)
    tally.add("a", "v0", today)  # the same match mirrored back from the log
    assert tally.room("a", today) == 1
    tally.add("a", "v-last", today)
    assert (tally.room("a", today), tally.room("b", today)) == (0, DAILY_CAP)
    tally.add("a", "v-yesterday", today - timedelta(days=1))  # a late mirror of yesterday's
    assert tally.room("a", today) == 0
    tomorrow = today + timedelta(days=1)
    assert tally.room("a", tomorrow) == DAILY_CAP
    tally.add("c", "v1", tomorrow)
    tally.forget("c")
    assert tally.room("c", tomorrow) == DAILY_CAP
