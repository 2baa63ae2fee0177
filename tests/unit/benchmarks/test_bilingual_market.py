"""The bilingual benchmark market: seeded, with the difficulties each slice asks for and no other."""

from __future__ import annotations

from benchmarks.bilingual_market import RELEVANCE, BilingualPools, Difficulty
from services.matching.domain.vocabulary import load_vocabulary


def test_the_same_seed_gives_the_same_pools_and_another_seed_others() -> None:
    first, again, other = BilingualPools(5, 4), BilingualPools(5, 4), BilingualPools(6, 4)
    assert first.pool(2, Difficulty.ALL) == again.pool(2, Difficulty.ALL)
    assert first.pool(2, Difficulty.ALL) != other.pool(2, Difficulty.ALL)


def test_a_plain_pool_has_one_language_preferred_labels_and_no_hard_cases() -> None:
    source = BilingualPools(5, 20)
    vocabulary = load_vocabulary()
    preferred = {skill.en for skill in vocabulary.skills} | {skill.zh for skill in vocabulary.skills}
    for pool in source.pools(Difficulty.NONE):
        assert {candidate.chinese for candidate in pool.candidates} == {pool.chinese}
        assert {candidate.kind for candidate in pool.candidates} <= {"qualified", "partial", "unrelated"}
        assert all(skill in preferred for c in pool.candidates for skill in c.seeker.skills)


def test_the_full_market_mixes_languages_forms_and_every_kind() -> None:
    pools = BilingualPools(5, 30).pools(Difficulty.ALL)
    candidates = [candidate for pool in pools for candidate in pool.candidates]
    assert {candidate.kind for candidate in candidates} == set(RELEVANCE)
    assert any(candidate.chinese != pool.chinese for pool in pools for candidate in pool.candidates)
    vocabulary = load_vocabulary()
    written = [skill for candidate in candidates for skill in candidate.seeker.skills]
    labels = {skill.en for skill in vocabulary.skills} | {skill.zh for skill in vocabulary.skills}
    assert sum(skill not in labels for skill in written) > len(written) / 5
    assert all(vocabulary.skill_id(skill) for skill in written)
    stuffed = [c for c in candidates if c.kind == "stuffed"]
    assert all(c.seeker.experience_years == 0 and len(c.seeker.skills) >= 12 for c in stuffed)
    salary = [(c.seeker, pool.vacancy) for pool in pools for c in pool.candidates if c.kind == "salary"]
    assert all(s.salary_expectation and s.salary_expectation.min >= 2 * v.salary.max for s, v in salary)
