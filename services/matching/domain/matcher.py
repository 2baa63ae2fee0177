"""Ranking one side of the market for entities of the other, after the hard filters.

Candidates are scored block by block: a block of seekers against a batch of vacancies is one
grid of logits, after the city filter has kept only the rows that may match. Each block keeps
its own best rows, the blocks' best are merged, and only the winners get their exact
features, score and reasons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from services.matching.domain.encoding import (
    Columns,
    encode_seekers,
    encode_vacancies,
    normalise_skill,
    skill_index,
    stack,
    take,
)
from services.matching.domain.features import Feature, Pairs, Rows, pair_features
from services.matching.domain.index import BLOCK_ROWS, Block, Side
from services.matching.domain.policy import fingerprint
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
class _Best:
    """The best candidates found so far for one query: logits and where each row lives."""

    logits: list[npt.NDArray[np.float32]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    rows: list[Rows] = field(default_factory=list)

    def add(self, logits: npt.NDArray[np.float32], block: Block, rows: Rows, limit: int) -> None:
        top = _top(logits, limit)
        self.logits.append(logits[top])
        self.blocks.extend([block] * len(top))
        self.rows.append(rows[top])

    def winners(self, limit: int) -> list[tuple[Block, int]]:
        if not self.logits:
            return []
        logits, rows = np.concatenate(self.logits), np.concatenate(self.rows)
        return [(self.blocks[i], int(rows[i])) for i in _top(logits, limit)]


@dataclass
class Market:
    """Matchable seekers and open vacancies, and the ranker in use."""

    ranker: LinearRanker = field(default_factory=LinearRanker.cold_start)
    idf: npt.NDArray[np.float32] | None = None
    verified: set[str] = field(default_factory=set)
    block_rows: int = BLOCK_ROWS

    def __post_init__(self) -> None:
        self.seekers: Side[c.SeekerState, bytes] = Side(
            lambda states: encode_seekers(states, self.verified, self.idf), fingerprint, self.block_rows
        )
        self.vacancies: Side[c.VacancyState, c.VacancyState] = Side(
            lambda states: encode_vacancies(states, self.idf), lambda state: state, self.block_rows
        )

    def use(self, ranker: LinearRanker, idf: npt.NDArray[np.float32] | None) -> None:
        """Switch to another model; its IDF weights re-weight the text of both sides."""
        self.seekers.reweight(self.idf, idf)
        self.vacancies.reweight(self.idf, idf)
        self.ranker, self.idf = ranker, idf

    def verify(self, seeker_id: str) -> None:
        self.verified.add(seeker_id)
        self.seekers.set_flag(seeker_id, "verified", True)

    def seekers_for(self, vacancy_id: str, limit: int, today: date) -> list[Match]:
        """The best matchable seekers for an open vacancy."""
        return self.seekers_for_each([vacancy_id], limit, today).get(vacancy_id, [])

    def seekers_for_each(self, vacancy_ids: Iterable[str], limit: int, today: date) -> dict[str, list[Match]]:
        """The best matchable seekers for each of a batch of open vacancies (re-ranking, say).

        Vacancies of one city are scored together against the seekers who want that city or
        any city; remote vacancies against every matchable seeker.
        """
        found = [(vacancy_id, self.vacancies.locate(vacancy_id)) for vacancy_id in vacancy_ids]
        located = [
            (vacancy_id, where)
            for vacancy_id, where in found
            if where is not None and where[0].columns.last_day[where[1]] >= today.toordinal()
        ]
        if not located:
            return {}
        batch = _gather([where for _, where in located])
        groups: dict[int, list[int]] = defaultdict(list)
        for j, (_, (block, row)) in enumerate(located):
            remote = bool(block.columns.remote[row])
            groups[-1 if remote else int(block.columns.cities[row].indices[0])].append(j)
        best = [_Best() for _ in located]
        for block in self.seekers.alive_blocks():
            matchable = block.alive & block.columns.allowed
            open_to_any = block.columns.city_count == 0
            for city, members in groups.items():
                keep = matchable if city < 0 else matchable & (open_to_any | block.wanting(city))
                rows = np.flatnonzero(keep)
                if len(rows) == 0:
                    continue
                v = np.array(members, np.intp)
                logits = self.ranker.grid_logits(Pairs(block.columns, rows, batch, v, grid=True))
                for column, j in enumerate(members):
                    best[j].add(logits[:, column], block, rows, limit)
        return {
            vacancy_id: self._matches([(seeker, row, vblock, vrow) for seeker, row in best[j].winners(limit)])
            for j, (vacancy_id, (vblock, vrow)) in enumerate(located)
        }

    def vacancies_for(self, seeker_id: str, limit: int, today: date) -> list[Match]:
        """The best open vacancies for a seeker who allows matching and recommendations."""
        found = self.seekers.locate(seeker_id)
        if found is None:
            return []
        sblock, srow = found
        seeker = sblock.columns
        if not seeker.allowed[srow]:
            return []
        cities = seeker.cities[srow].indices
        best = _Best()
        for block in self.vacancies.alive_blocks():
            keep = block.alive & (block.columns.last_day >= today.toordinal())
            if len(cities):
                keep &= np.logical_or.reduce([block.columns.remote, *map(block.wanting, cities)])
            rows = np.flatnonzero(keep)
            if len(rows):
                pairs = Pairs(seeker, np.array([srow]), block.columns, rows, grid=True)
                best.add(self.ranker.grid_logits(pairs)[0], block, rows, limit)
        return self._matches([(sblock, srow, block, row) for block, row in best.winners(limit)])

    def _matches(self, pairs: list[tuple[Block, int, Block, int]]) -> list[Match]:
        """Exact features, score and reasons of the winning pairs, best first."""
        scored = []
        for sblock, srow, vblock, vrow in pairs:
            features = pair_features(sblock.columns, np.array([srow]), vblock.columns, np.array([vrow]))[0]
            score = float(self.ranker.scores(features[np.newaxis, :])[0])
            scored.append((score, features, sblock.columns, srow, vblock.columns.ids[vrow]))
        scored.sort(key=lambda item: -item[0])
        matches = []
        for rank, (score, features, seekers, srow, vacancy_id) in enumerate(scored, start=1):
            vacancy = self.vacancies.kept[vacancy_id]
            matches.append(
                Match(
                    seeker_id=seekers.ids[srow],
                    vacancy_id=vacancy_id,
                    employer_id=str(vacancy.employer_id),
                    score=round(score, 4),
                    rank=rank,
                    reasons=self.ranker.reasons(features, _details(seekers, srow, vacancy)),
                )
            )
        return matches


def _top(values: npt.NDArray[np.float32], limit: int) -> Rows:
    """Positions of the ``limit`` largest values, largest first."""
    if len(values) > limit:
        best = np.argpartition(-values, limit)[:limit]
        return best[np.argsort(-values[best], kind="stable")]
    return np.argsort(-values, kind="stable")


def _gather(where: list[tuple[Block, int]]) -> Columns:
    """The rows of a batch of entities, wherever they live, as one block of columns."""
    return stack([take(block.columns, np.array([row], np.intp)) for block, row in where])


def _details(seekers: Columns, row: int, vacancy: c.VacancyState) -> dict[Feature, str]:
    have = set(seekers.skills[row].indices.tolist())
    matched = [skill for skill in vacancy.skills if skill_index(normalise_skill(skill)) in have]
    missing = [skill for skill in vacancy.skills if skill_index(normalise_skill(skill)) not in have]
    held = int(seekers.experience[row])
    return {
        Feature.SKILLS_MATCHED: "、".join(matched)[:500],
        Feature.SKILLS_MISSING: "、".join(missing)[:500],
        Feature.EDUCATION_GAP: f"{vacancy.education_level.value} required",
        Feature.EXPERIENCE_GAP: f"{vacancy.min_experience_years} years asked, {held} held",
        Feature.SALARY_FIT: f"{vacancy.salary.min}–{vacancy.salary.max} CNY",
        Feature.CITY_FIT: "remote" if vacancy.remote else vacancy.city,
        Feature.CATEGORY_FIT: vacancy.talent_category.value,
    }
