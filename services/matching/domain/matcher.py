"""Ranking one side of the market for entities of the other, after the hard filters.

Candidates are scored in two passes. The first is block by block: a block of seekers against
a batch of vacancies is one grid of logits, after the city filter has kept only the rows
that may match, with the text similarity estimated from the texts' sketches (one dense
matrix product instead of a sparse one). Each query keeps a shortlist of ``SHORTLIST``
candidates per match it wants; the second pass scores the shortlist exactly, with the same
features as reasons are explained from, and keeps the best.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from services.matching.domain.encoding import (
    Columns,
    encode_seekers,
    encode_vacancies,
    skill_column,
    skill_token,
    stack,
    take,
    vacancy_skills,
)
from services.matching.domain.features import (
    ANY_CITY,
    FEATURES,
    WANTED_CITY,
    Feature,
    Pairs,
    Rows,
    evidence_of,
    pair_features,
)
from services.matching.domain.index import BLOCK_ROWS, Block, Side
from services.matching.domain.policy import fingerprint
from services.matching.domain.ranker import LinearRanker, PairFacts, sigmoid
from services.matching.domain.vocabulary import SKILL_PREFIX, load_vocabulary
from shared.events import catalogue as c

REMOTE = -1
SHORTLIST = 3
"""Candidates the sketched first pass keeps for each match a query wants."""
GROUP = 8
"""How many of a row's values ``_best_in_rows`` groups together before choosing its best."""
THREADS = 2
"""Grids scored at once: numpy leaves the interpreter lock for the work on each grid."""
Pair = tuple[Block, int, Block, int]
"""A seeker's block and row, and a vacancy's block and row."""


@dataclass
class Match:
    """A ranked pair; ``Market.explain`` gives its reasons (for the matches that are told only)."""

    seeker_id: str
    vacancy_id: str
    employer_id: str
    score: float
    rank: int
    pair: Pair = field(repr=False, compare=False)


class Ranking:
    """One query's winners, best first, made into matches on demand."""

    def __init__(self, market: Market, pairs: list[Pair], logits: list[float]) -> None:
        self._market = market
        self._pairs = pairs
        self.scores = np.round(sigmoid(np.array(logits, np.float64)), 4)

    def matches(self) -> list[Match]:
        return [self._match(rank, pair, float(score)) for rank, (pair, score) in
                enumerate(zip(self._pairs, self.scores, strict=True), start=1)]  # fmt: skip

    def _match(self, rank: int, pair: Pair, score: float) -> Match:
        sblock, srow, vblock, vrow = pair
        vacancy_id = vblock.columns.ids[vrow]
        employer_id = str(self._market.vacancies.kept[vacancy_id].employer_id)
        return Match(sblock.columns.ids[srow], vacancy_id, employer_id, score, rank, pair)


@dataclass
class _Best:
    """The best candidates found so far for one query: logits, and the block and row of each."""

    logits: list[npt.NDArray[np.float32]] = field(default_factory=list)
    blocks: list[Rows] = field(default_factory=list)
    rows: list[Rows] = field(default_factory=list)

    def add(self, logits: npt.NDArray[np.float32], block: int, rows: Rows) -> None:
        self.logits.append(logits)
        self.blocks.append(np.full(len(rows), block, np.intp))
        self.rows.append(rows)

    def winners(self, limit: int) -> Shortlist:
        """The best ``limit`` candidates over every block, best first."""
        if not self.logits:
            return Shortlist(np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0, np.float64))
        logits = np.concatenate(self.logits)
        top = _top(logits, limit)
        return Shortlist(np.concatenate(self.blocks)[top], np.concatenate(self.rows)[top], logits[top])


@dataclass(frozen=True)
class Shortlist:
    """One query's candidates: each one's block number, row and logit."""

    blocks: Rows
    rows: Rows
    logits: npt.NDArray[np.floating]

    def __len__(self) -> int:
        return len(self.rows)

    def best(self, limit: int) -> Shortlist:
        top = _top(self.logits, limit)
        return Shortlist(self.blocks[top], self.rows[top], self.logits[top])


@dataclass(frozen=True)
class _Grid:
    """Rows of seeker block ``number`` to score against the ``members`` of a batch of vacancies,
    with the city fit the city filter that chose them leaves every pair."""

    number: int
    rows: Rows
    members: list[int]
    city_fit: float


PairFeatures = Callable[[Block, Rows, Rows], npt.NDArray[np.float32]]
"""The features of candidate rows of a block with the queries (by position) they are for."""


@dataclass
class Market:
    """Matchable seekers and open vacancies, and the ranker in use."""

    ranker: LinearRanker = field(default_factory=LinearRanker.cold_start)
    idf: npt.NDArray[np.float32] | None = None
    verified: set[str] = field(default_factory=set)
    block_rows: int = BLOCK_ROWS
    shortlist: int = SHORTLIST
    """Candidates per wanted match that the sketched first pass keeps for exact scoring. One as
    long as the market (the speed benchmark's check) scores every candidate exactly."""
    pairs_scored: int = 0
    """Pairs that passed the hard filters and were scored, since start."""

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

    def explain(self, matches: list[Match]) -> list[list[c.MatchReason]]:
        """Each match's reasons: the contributions that counted in its score. The features of
        all the matches between one seeker block and one vacancy block are one pass over those
        blocks' rows where they lie (no copy of them), so explaining what a batch tells costs a
        pass per pair of blocks, not one per query."""
        features = np.zeros((len(matches), len(FEATURES)), np.float32)
        evidence = np.zeros(len(matches), np.float32)
        groups: dict[tuple[int, int], list[int]] = defaultdict(list)
        for k, match in enumerate(matches):
            groups[id(match.pair[0]), id(match.pair[2])].append(k)
        for members in groups.values():
            sblock, _, vblock, _ = matches[members[0]].pair
            s = np.array([matches[k].pair[1] for k in members], np.intp)
            v = np.array([matches[k].pair[3] for k in members], np.intp)
            features[members] = pair_features(sblock.columns, s, vblock.columns, v)
            evidence[members] = evidence_of(Pairs(sblock.columns, s, vblock.columns, v))
        kept = self.vacancies.kept
        asked = {
            vacancy_id: _asked(kept[vacancy_id]) for vacancy_id in {match.vacancy_id for match in matches}
        }
        terms = self.ranker.contributions(features)
        return [
            self.ranker.reasons(
                features[k],
                terms[k],
                _facts(
                    match.pair[0].columns,
                    match.pair[1],
                    kept[match.vacancy_id],
                    asked[match.vacancy_id],
                    float(evidence[k]),
                ),
            )
            for k, match in enumerate(matches)
        ]

    def verify(self, seeker_id: str) -> None:
        self.verified.add(seeker_id)
        self.seekers.set_flag(seeker_id, "verified", True)

    def seekers_for(self, vacancy_id: str, limit: int, today: date) -> list[Match]:
        """The best matchable seekers for an open vacancy."""
        ranking = self.seekers_for_each([vacancy_id], limit, today).get(vacancy_id)
        return ranking.matches() if ranking is not None else []

    def seekers_for_each(self, vacancy_ids: Iterable[str], limit: int, today: date) -> dict[str, Ranking]:
        """The best matchable seekers for each of a batch of open vacancies (re-ranking, say).

        Only pairs that pass the city filter are scored: the vacancies of one city against the
        seekers who want it, every local vacancy against the seekers open to any city, and
        remote vacancies against every matchable seeker.
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
        by_city: dict[int, list[int]] = defaultdict(list)
        for j in range(len(located)):
            by_city[REMOTE if batch.remote[j] else int(batch.cities[j].indices[0])].append(j)
        local = [j for city, members in by_city.items() if city != REMOTE for j in members]
        blocks = list(self.seekers.alive_blocks())
        grids = []
        for number, block in enumerate(blocks):
            matchable = block.alive & block.columns.allowed
            for city, members in by_city.items():
                keep = matchable if city == REMOTE else matchable & block.wanting(city)
                grids.append(_Grid(number, np.flatnonzero(keep), members, WANTED_CITY))
            if local:
                open_to_any = np.flatnonzero(matchable & (block.columns.city_count == 0))
                grids.append(_Grid(number, open_to_any, local, ANY_CITY))
        best = [_Best() for _ in located]
        # The largest first, so that the threads finish together.
        grids = sorted(
            (grid for grid in grids if len(grid.rows)), key=lambda grid: -len(grid.rows) * len(grid.members)
        )
        with ThreadPoolExecutor(THREADS) as pool:
            shortlists = pool.map(
                lambda grid: self._score_grid(blocks[grid.number], grid, batch, limit), grids
            )
            for grid, (logits, top) in zip(grids, shortlists, strict=True):
                self.pairs_scored += len(grid.rows) * len(grid.members)
                for position, j in enumerate(grid.members):
                    best[j].add(logits[position], grid.number, grid.rows[top[position]])

        def features(block: Block, rows: Rows, queries: Rows) -> npt.NDArray[np.float32]:
            return pair_features(block.columns, rows, batch, queries)

        winners = self._exactly([candidates.winners(self._kept(limit)) for candidates in best], blocks,
                                features, limit)  # fmt: skip
        rankings = {}
        for (vacancy_id, (vblock, vrow)), chosen in zip(located, winners, strict=True):
            pairs = [
                (blocks[b], row, vblock, vrow)
                for b, row in zip(chosen.blocks.tolist(), chosen.rows.tolist(), strict=True)
            ]
            rankings[vacancy_id] = Ranking(self, pairs, chosen.logits.tolist())
        return rankings

    def _kept(self, limit: int) -> int:
        return limit * self.shortlist

    def _score_grid(
        self, block: Block, grid: _Grid, batch: Columns, limit: int
    ) -> tuple[npt.NDArray[np.float32], Rows]:
        """Score a grid of a seeker block against batch members: for each member (a row each),
        the logits of its best rows and their positions in ``grid.rows``."""
        pairs = Pairs(block.columns, grid.rows, batch, np.array(grid.members), grid=True,
                      sketched=True, fixed_city_fit=grid.city_fit)  # fmt: skip
        logits = self.ranker.grid_logits(pairs)
        by_query = np.ascontiguousarray(logits.T)  # partitioned along rows, much faster
        kept, count = self._kept(limit), len(grid.rows)
        if count <= kept:
            return by_query, np.broadcast_to(np.arange(count), by_query.shape)
        top = _best_in_rows(by_query, kept)
        return np.take_along_axis(by_query, top, axis=1), top

    def _exactly(self, shortlists: list[Shortlist], blocks: list[Block], features: PairFeatures,
                 limit: int) -> list[Shortlist]:  # fmt: skip
        """Each query's shortlist scored exactly, its best ``limit`` first. All the queries'
        candidates are scored together, one feature pass per block they come from."""
        numbers = np.concatenate([shortlist.blocks for shortlist in shortlists])
        rows = np.concatenate([shortlist.rows for shortlist in shortlists])
        queries = np.repeat(np.arange(len(shortlists)), [len(shortlist) for shortlist in shortlists])
        logits = np.zeros(len(rows), np.float64)

        def score(chosen: Rows) -> None:
            number = numbers[chosen[0]]
            logits[chosen] = self.ranker.logits(features(blocks[number], rows[chosen], queries[chosen]))

        parts = [part for number in np.unique(numbers)
                 for part in np.array_split(np.flatnonzero(numbers == number), THREADS)
                 if len(part)]  # fmt: skip
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(score, parts))
        ends = np.cumsum([len(shortlist) for shortlist in shortlists])
        return [
            Shortlist(numbers[start:end], rows[start:end], logits[start:end]).best(limit)
            for start, end in zip(ends - [len(shortlist) for shortlist in shortlists], ends, strict=True)
        ]

    def vacancies_for(self, seeker_id: str, limit: int, today: date) -> list[Match]:
        """The best open vacancies for a seeker who allows matching and recommendations."""
        found = self.seekers.locate(seeker_id)
        if found is None or not found[0].columns.allowed[found[1]]:
            return []
        sblock, srow = found
        cities = sblock.columns.cities[srow].indices
        blocks = list(self.vacancies.alive_blocks())
        best = _Best()
        for number, block in enumerate(blocks):
            keep = block.alive & (block.columns.last_day >= today.toordinal())
            if len(cities):
                keep &= np.logical_or.reduce([block.columns.remote, *map(block.wanting, cities)])
            rows = np.flatnonzero(keep)
            if len(rows):
                pairs = Pairs(sblock.columns, np.array([srow]), block.columns, rows, grid=True, sketched=True,
                              fixed_city_fit=WANTED_CITY if len(cities) else None)  # fmt: skip
                self.pairs_scored += len(rows)
                logits = self.ranker.grid_logits(pairs)[0]
                top = _top(logits, self._kept(limit))
                best.add(logits[top], number, rows[top])

        def features(block: Block, rows: Rows, _: Rows) -> npt.NDArray[np.float32]:
            return pair_features(sblock.columns, np.array([srow]), block.columns, rows)

        (chosen,) = self._exactly([best.winners(self._kept(limit))], blocks, features, limit)
        ranked = [
            (sblock, srow, blocks[b], row)
            for b, row in zip(chosen.blocks.tolist(), chosen.rows.tolist(), strict=True)
        ]
        return Ranking(self, ranked, chosen.logits.tolist()).matches()


def _best_in_rows(values: npt.NDArray[np.float32], kept: int) -> Rows:
    """Positions of each row's ``kept`` largest values, in no order.

    The columns are dealt into ``GROUP`` interleaved slices, and the slices' element-wise
    maximum names a best value for each of ``width`` groups. A row's ``kept`` largest values
    lie in its ``kept`` groups with the largest maxima (a group holding one of them has at
    most ``kept - 1`` values above it, so at most that many groups above it), so only those
    groups' values are partitioned: a few passes instead of one partition of every value."""
    count = values.shape[1]
    width = count // GROUP
    if width < 2 * kept:  # too few groups to leave many out
        return np.argpartition(values, count - kept, axis=1)[:, count - kept :]
    maxima = values[:, : width * GROUP].reshape(len(values), GROUP, width).max(axis=1)
    groups = np.argpartition(maxima, width - kept, axis=1)[:, width - kept :]
    members = groups[:, np.newaxis, :] + width * np.arange(GROUP)[np.newaxis, :, np.newaxis]
    leftover = np.broadcast_to(np.arange(width * GROUP, count), (len(values), count - width * GROUP))
    candidates = np.concatenate([members.reshape(len(values), -1), leftover], axis=1)
    chosen = _best_in_rows(np.take_along_axis(values, candidates, axis=1), kept)
    return np.take_along_axis(candidates, chosen, axis=1)


def _top(values: npt.NDArray[np.float32], limit: int) -> Rows:
    """Positions of the ``limit`` largest values, largest first."""
    if len(values) > limit:
        best = np.argpartition(-values, limit)[:limit]
        return best[np.argsort(-values[best], kind="stable")]
    return np.argsort(-values, kind="stable")


def _gather(where: list[tuple[Block, int]]) -> Columns:
    """The rows of a batch of entities, wherever they live, as one block of columns, in order."""
    groups: dict[int, tuple[Block, list[int], list[int]]] = {}
    for position, (block, row) in enumerate(where):
        _, positions, rows = groups.setdefault(id(block), (block, [], []))
        positions.append(position)
        rows.append(row)
    parts = [take(block.columns, np.array(rows, np.intp)) for block, _, rows in groups.values()]
    order = np.array([position for _, members, _ in groups.values() for position in members], np.intp)
    return take(stack(parts), np.argsort(order))


def _asked(vacancy: c.VacancyState) -> list[tuple[c.ReasonSkill, int]]:
    """The skills a vacancy asks for as reasons name them, each with its hashed column."""
    written = {skill_token(skill): skill for skill in reversed(vacancy.skills)}
    return [
        (_reason_skill(token, written.get(token, token)), skill_column(token))
        for token in vacancy_skills(vacancy)
    ]


def _facts(
    seekers: Columns,
    row: int,
    vacancy: c.VacancyState,
    asked: list[tuple[c.ReasonSkill, int]],
    evidence: float,
) -> PairFacts:
    skills = seekers.skills
    have = set(skills.indices[skills.indptr[row] : skills.indptr[row + 1]].tolist())
    held: list[tuple[c.ReasonSkill, bool]] = []
    seen: set[int] = set()  # skills hashed to one column count once as held, as in the features
    for skill, column in asked:
        held.append((skill, column in have and column not in seen))
        seen.add(column)
    values: dict[Feature, dict[str, bool | int | float | str]] = {
        Feature.EDUCATION_GAP: {"asked": vacancy.education_level.value},
        Feature.EXPERIENCE_GAP: {"asked": vacancy.min_experience_years, "held": int(seekers.experience[row])},
        Feature.SALARY_FIT: {"min": vacancy.salary.min, "max": vacancy.salary.max},
        Feature.CITY_FIT: {"remote": True} if vacancy.remote else {"city": vacancy.city},
        Feature.CATEGORY_FIT: {"category": vacancy.talent_category.value},
    }
    return PairFacts(held, evidence, values)


def _reason_skill(token: str, written: str) -> c.ReasonSkill:
    """A skill as reasons name it: the vocabulary's labels, or as the vacancy wrote it."""
    vocabulary = load_vocabulary()
    known = vocabulary.by_id.get(token.removeprefix(SKILL_PREFIX)) if token.startswith(SKILL_PREFIX) else None
    if known is None:
        return c.ReasonSkill(zh=written[:200], en=written[:200])
    return c.ReasonSkill(id=known.id, zh=known.zh, en=known.en)
