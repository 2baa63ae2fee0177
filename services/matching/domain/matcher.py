"""Ranking one side of the market for an entity of the other, after the hard filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from services.matching.domain.encoding import encode_seekers, encode_vacancies, normalise_skill
from services.matching.domain.features import Feature, pair_features
from services.matching.domain.index import Side
from services.matching.domain.ranker import LinearRanker
from shared.events import catalogue as c


@dataclass(frozen=True)
class Match:
    seeker_id: str
    vacancy_id: str
    employer_id: str
    score: float
    rank: int
    reasons: list[c.MatchReason]


@dataclass
class Market:
    """Matchable seekers and open vacancies, and the ranker in use."""

    ranker: LinearRanker = field(default_factory=LinearRanker.cold_start)
    idf: npt.NDArray[np.float32] | None = None
    verified: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.seekers: Side[c.SeekerState] = Side(
            lambda states: encode_seekers(states, self.verified, self.idf)
        )
        self.vacancies: Side[c.VacancyState] = Side(lambda states: encode_vacancies(states, self.idf))

    def use(self, ranker: LinearRanker, idf: npt.NDArray[np.float32] | None) -> None:
        """Switch to another model; its IDF weights re-encode both sides at the next query."""
        self.ranker, self.idf = ranker, idf
        self.seekers.reencode_all()
        self.vacancies.reencode_all()

    def seekers_for(self, vacancy_id: str, limit: int) -> list[Match]:
        """The best matchable seekers for an open vacancy."""
        row = self.vacancies.row(vacancy_id)
        if row is None:
            return []
        self.seekers.refresh()
        seekers, vacancies = self.seekers.columns, self.vacancies.columns
        keep = self.seekers.alive & seekers.allowed
        if not vacancies.remote[row]:
            wants_city = np.asarray((seekers.cities @ vacancies.cities[row].T).todense()).ravel() > 0
            keep &= wants_city | (seekers.city_count == 0)
        return self._best(np.flatnonzero(keep), np.array([row], np.intp), limit, by_seeker=False)

    def vacancies_for(self, seeker_id: str, limit: int, today: date) -> list[Match]:
        """The best open vacancies for a seeker who allows matching and recommendations."""
        row = self.seekers.row(seeker_id)
        if row is None or not self.seekers.columns.allowed[row]:
            return []
        self.vacancies.refresh()
        seekers, vacancies = self.seekers.columns, self.vacancies.columns
        keep = self.vacancies.alive & (vacancies.last_day >= today.toordinal())
        if seekers.city_count[row] > 0:
            in_city = np.asarray((vacancies.cities @ seekers.cities[row].T).todense()).ravel() > 0
            keep &= in_city | vacancies.remote
        return self._best(np.array([row], np.intp), np.flatnonzero(keep), limit, by_seeker=True)

    def _best(
        self, s: npt.NDArray[np.intp], v: npt.NDArray[np.intp], limit: int, *, by_seeker: bool
    ) -> list[Match]:
        others = v if by_seeker else s
        if len(others) == 0:
            return []
        features = pair_features(self.seekers.columns, s, self.vacancies.columns, v)
        scores = self.ranker.scores(features)
        if len(scores) > limit:
            best = np.argpartition(-scores, limit)[:limit]
            top = best[np.argsort(-scores[best], kind="stable")]
        else:
            top = np.argsort(-scores, kind="stable")
        matches = []
        for rank, i in enumerate(top, start=1):
            seeker = self.seekers.states[self.seekers.columns.ids[s[0] if by_seeker else s[i]]]
            vacancy = self.vacancies.states[self.vacancies.columns.ids[v[i] if by_seeker else v[0]]]
            details = _details(seeker, vacancy)
            matches.append(
                Match(
                    seeker_id=str(seeker.seeker_id),
                    vacancy_id=str(vacancy.vacancy_id),
                    employer_id=str(vacancy.employer_id),
                    score=round(float(scores[i]), 4),
                    rank=rank,
                    reasons=self.ranker.reasons(features[i], details),
                )
            )
        return matches


def _details(seeker: c.SeekerState, vacancy: c.VacancyState) -> dict[Feature, str]:
    have = {normalise_skill(skill) for skill in seeker.skills}
    matched = [skill for skill in vacancy.skills if normalise_skill(skill) in have]
    missing = [skill for skill in vacancy.skills if normalise_skill(skill) not in have]
    return {
        Feature.SKILLS_MATCHED: "、".join(matched)[:500],
        Feature.SKILLS_MISSING: "、".join(missing)[:500],
        Feature.EDUCATION_GAP: f"{vacancy.education_level.value} required",
        Feature.EXPERIENCE_GAP: f"{vacancy.min_experience_years} years asked, {seeker.experience_years} held",
        Feature.SALARY_FIT: f"{vacancy.salary.min}–{vacancy.salary.max} CNY",
        Feature.CITY_FIT: "remote" if vacancy.remote else vacancy.city,
        Feature.CATEGORY_FIT: vacancy.talent_category.value,
    }
