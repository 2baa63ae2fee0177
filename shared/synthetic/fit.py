"""The hidden true fit of a seeker for a vacancy, from which outcomes are drawn.

It combines what a profile shows (skills, education, experience, cities, pay) with what it
does not: the seeker's true occupations, a per-seeker diligence and per-pair luck. A model
trained on outcomes can learn some of the hidden part; a ranker that reads only the text cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shared.synthetic.seekers import SeekerTable
from shared.synthetic.taxonomy import Taxonomy
from shared.synthetic.vacancies import VacancyTable

_CHUNK = 1 << 16
_SAME_UNIT, _SAME_SUBMAJOR, _SAME_INDUSTRY = 0.5, 0.3, 0.15
_SECOND_OCCUPATION = 0.75
_ELSEWHERE = 0.35
"""Fit kept when the vacancy is in a city the seeker did not ask for."""
_WEIGHTS = {
    "bias": -2.4,
    "occupation": 2.6,
    "skills": 1.8,
    "education_short": -0.7,
    "experience_short": -0.15,
    "diligence": 0.5,
    "luck": 0.4,
}
_MAX_YEARS_SHORT = 6

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def occupation_similarity(taxonomy: Taxonomy) -> npt.NDArray[np.float32]:
    """1 for the same occupation; less for the same ISCO unit, sub-major group or industry."""
    isco = np.array([item.isco for item in taxonomy.occupations])
    submajor = np.array([item.isco[:2] for item in taxonomy.occupations])
    industry = np.array([item.industry for item in taxonomy.occupations])
    similarity = np.select(
        [isco[:, None] == isco, submajor[:, None] == submajor, industry[:, None] == industry],
        [_SAME_UNIT, _SAME_SUBMAJOR, _SAME_INDUSTRY],
        0.0,
    ).astype(np.float32)
    np.fill_diagonal(similarity, 1.0)
    return similarity


def _splitmix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    mixed = values + _GOLDEN
    mixed = (mixed ^ (mixed >> np.uint64(30))) * _MIX_1
    mixed = (mixed ^ (mixed >> np.uint64(27))) * _MIX_2
    result: npt.NDArray[np.uint64] = mixed ^ (mixed >> np.uint64(31))
    return result


def _unit_interval(hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.float64]:
    """Strictly between 0 and 1."""
    return ((hashes >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53


def pair_luck(
    key: int, seeker: npt.NDArray[np.integer], vacancy: npt.NDArray[np.integer]
) -> npt.NDArray[np.float64]:
    """Standard normal noise that depends only on the key and the pair, whatever else is asked."""
    pair = (seeker.astype(np.uint64) << np.uint64(32)) | vacancy.astype(np.uint64)
    first = _splitmix(pair ^ np.uint64(key))
    second = _splitmix(first)
    luck: npt.NDArray[np.float64] = np.sqrt(-2 * np.log(_unit_interval(first))) * np.cos(
        2 * np.pi * _unit_interval(second)
    )
    return luck


def _skill_coverage(
    seeker_skills: npt.NDArray[np.int16], vacancy_skills: npt.NDArray[np.int16]
) -> npt.NDArray[np.float64]:
    """The share of each vacancy's required skills that the paired seeker lists."""
    required = vacancy_skills >= 0
    held = (seeker_skills[:, :, None] == vacancy_skills[:, None, :]).any(axis=1) & required
    coverage: npt.NDArray[np.float64] = held.sum(axis=1) / np.maximum(required.sum(axis=1), 1)
    return coverage


@dataclass(frozen=True)
class TrueFit:
    seekers: SeekerTable
    vacancies: VacancyTable
    similarity: npt.NDArray[np.float32]
    key: int

    def pairs(
        self, seeker: npt.NDArray[np.integer], vacancy: npt.NDArray[np.integer]
    ) -> npt.NDArray[np.float64]:
        """The fit, in [0, 1], of each ``seeker[i]`` for ``vacancy[i]``."""
        result = np.empty(len(seeker), dtype=np.float64)
        for begin in range(0, len(seeker), _CHUNK):
            end = begin + _CHUNK
            result[begin:end] = self._chunk(seeker[begin:end], vacancy[begin:end])
        return result

    def _chunk(
        self, seeker: npt.NDArray[np.integer], vacancy: npt.NDArray[np.integer]
    ) -> npt.NDArray[np.float64]:
        seekers, vacancies, truth = self.seekers, self.vacancies, self.seekers.truth
        occupation = vacancies.occupation[vacancy]
        second = truth.second_occupation[seeker]
        occupation_match = np.maximum(
            self.similarity[truth.occupation[seeker], occupation],
            np.where(second >= 0, _SECOND_OCCUPATION * self.similarity[np.maximum(second, 0), occupation], 0),
        )
        education_short = np.maximum(
            vacancies.education[vacancy].astype(np.int64) - seekers.education[seeker], 0
        )
        years = vacancies.min_experience[vacancy].astype(np.int64) - seekers.experience[seeker]
        experience_short = np.clip(years, 0, _MAX_YEARS_SHORT)
        score = (
            _WEIGHTS["bias"]
            + _WEIGHTS["occupation"] * occupation_match
            + _WEIGHTS["skills"] * _skill_coverage(seekers.skills[seeker], vacancies.skills[vacancy])
            + _WEIGHTS["education_short"] * education_short
            + _WEIGHTS["experience_short"] * experience_short
            + _WEIGHTS["diligence"] * truth.diligence[seeker]
            + _WEIGHTS["luck"] * pair_luck(self.key, seeker, vacancy)
        )
        city = vacancies.city[vacancy]
        in_city = (
            vacancies.remote[vacancy]
            | (seekers.home_city[seeker] == city)
            | (seekers.second_city[seeker] == city)
        )
        expected = seekers.salary_min[seeker].astype(np.float64)
        offered = vacancies.salary_max[vacancy].astype(np.float64)
        pay = np.where(expected > offered, np.clip(1 - 1.5 * (expected / offered - 1), 0.3, 1.0), 1.0)
        fit: npt.NDArray[np.float64] = np.where(in_city, 1.0, _ELSEWHERE) * pay / (1 + np.exp(-score))
        return fit
