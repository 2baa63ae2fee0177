"""Interview itineraries: which seeker meets which employer, and in which slot.

The problem: seekers and employers (one booth each), candidate pairs with match scores,
``slots`` interview slots, each seeker at most ``per_seeker`` interviews (k), each booth
at most ``per_booth_slot`` interviews per slot (c), no seeker in two places at once and
``gap_slots`` free slots between two interviews of one seeker. The objective is
lexicographic: first the fairness level ``m`` (every seeker gets at least
``min(m, their possible interviews)``), then the total match score.

It is solved in two stages, each by an established method:

1. Pairs (OR-Tools graph solvers): a max flow per fairness level finds the highest
   level ``m`` the booths can serve; a min-cost flow then picks the pairs, with every
   seeker's first ``min(m, ...)`` interviews carrying a bonus larger than any total
   score, so it maximises the total score among the selections that keep level ``m``.
   Flows are integral, so the flow's total is the optimum of the problem without slots:
   an upper bound for every schedule at that level. The gap is measured against it.
2. Slots: every seeker's ``m`` best pairs first, then everyone's further pairs; the
   seekers, most interviews and busiest booths first, each take the slot pattern
   (pairwise more than ``gap_slots`` apart, clear of the slots they hold) that leaves
   their booths the most room; a pair that finds no slot tries to move one interview
   of another seeker at that booth (one exchange), and is dropped otherwise. Left-over
   room is then filled with the best unused pairs.

The greedy baseline takes pairs by descending score into the earliest slot that fits.
``solve`` also runs it and returns it instead where it is lexicographically better
(``Solution.method`` says which), so the answer is never worse than greedy.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import numpy.typing as npt
from ortools.graph.python.max_flow import SimpleMaxFlow
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from shared.errors import Conflict

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

# Scores in [0, 1] become integer costs with this resolution.
SCORE_SCALE = 1_000_000
MAX_SLOTS = 96
MAX_PER_SEEKER = 12


class Unschedulable(Conflict):
    """The input cannot give a schedule; the message says what to change."""


@dataclass(frozen=True)
class Rules:
    slots: int
    per_seeker: int = 3
    per_booth_slot: int = 1
    gap_slots: int = 1

    def check(self) -> None:
        if self.slots < 1:
            raise Unschedulable("the fair has no interview slots: its hours are shorter than one slot")
        if self.slots > MAX_SLOTS:
            raise Unschedulable(f"{self.slots} interview slots is more than the {MAX_SLOTS} one day can hold")
        if not 1 <= self.per_seeker <= MAX_PER_SEEKER:
            raise Unschedulable(f"interviews per seeker must be 1 to {MAX_PER_SEEKER}, not {self.per_seeker}")
        if self.per_booth_slot < 1:
            raise Unschedulable(
                "booth capacity is zero: each booth must hold at least one interview per slot"
            )
        if self.gap_slots < 0:
            raise Unschedulable("the gap between a seeker's interviews cannot be negative")
        needed = (self.per_seeker - 1) * (self.gap_slots + 1) + 1
        if needed > self.slots:
            raise Unschedulable(
                f"{self.per_seeker} interviews with {self.gap_slots} free slot(s) between them need "
                f"{needed} slots; the fair has {self.slots}"
            )

    @property
    def booth_capacity(self) -> int:
        """Interviews one booth holds over the whole fair."""
        return self.slots * self.per_booth_slot


@dataclass(frozen=True)
class Problem:
    """Seekers and employers by index; one row per candidate pair (a seeker may meet the employer)."""

    seekers: int
    employers: int
    seeker: Ints
    employer: Ints
    score: Floats
    rules: Rules

    def check(self) -> None:
        self.rules.check()
        if self.employers < 1:
            raise Unschedulable("no employer has a booth: approve employers before scheduling")
        if self.seekers < 1:
            raise Unschedulable("no seeker is registered for this fair")
        if not len(self.seeker) == len(self.employer) == len(self.score):
            raise ValueError("pair arrays differ in length")
        if len(self.score) == 0:
            raise Unschedulable("no registered seeker matches a vacancy of a registered employer")
        if self.seeker.min() < 0 or self.seeker.max() >= self.seekers:
            raise ValueError("a pair names a seeker index out of range")
        if self.employer.min() < 0 or self.employer.max() >= self.employers:
            raise ValueError("a pair names an employer index out of range")
        if not np.all((self.score >= 0) & (self.score <= 1)):
            raise ValueError("match scores must lie in [0, 1]")
        keys = self.seeker * self.employers + self.employer
        if len(np.unique(keys)) != len(keys):
            raise ValueError("a seeker-employer pair appears twice: keep its best vacancy only")

    def possible(self) -> Ints:
        """Per seeker, the most interviews they could have: min(k, their candidate employers)."""
        counts = np.bincount(self.seeker, minlength=self.seekers).astype(np.int64)
        return np.minimum(counts, self.rules.per_seeker)


@dataclass(frozen=True)
class Schedule:
    """Interviews as rows: the candidate pair (index into the problem's pairs) and its slot."""

    pair: Ints
    slot: Ints

    def per_seeker(self, problem: Problem) -> Ints:
        return np.bincount(problem.seeker[self.pair], minlength=problem.seekers).astype(np.int64)

    def total_score(self, problem: Problem) -> float:
        return float(problem.score[self.pair].sum())

    def worst_off(self, problem: Problem) -> int:
        """The fewest interviews of any seeker who could have had one."""
        counts = self.per_seeker(problem)
        eligible = problem.possible() > 0
        return int(counts[eligible].min()) if eligible.any() else 0

    def level(self, problem: Problem) -> int:
        """The highest m such that every seeker has at least min(m, their possible interviews)."""
        counts, possible = self.per_seeker(problem), problem.possible()
        short = counts < possible
        return int(counts[short].min()) if short.any() else int(possible.max())

    def key(self, problem: Problem) -> tuple[int, float]:
        """The lexicographic objective: fairness level, then total score (at the solver's resolution)."""
        return self.level(problem), round(self.total_score(problem), 6)


@dataclass(frozen=True)
class Solution:
    schedule: Schedule
    method: str  # "flow", or "greedy" where the greedy schedule was better
    level_bound: int
    score_bound: float
    pairs_selected: int
    pairs_dropped: int
    seconds: float

    def gap(self, problem: Problem) -> float:
        """Relative distance of the total score from the bound at the bound's fairness level."""
        if self.score_bound <= 0:
            return 0.0
        return max(0.0, (self.score_bound - self.schedule.total_score(problem)) / self.score_bound)


def solve(problem: Problem) -> Solution:
    """The optimised schedule with its bound."""
    started = time.perf_counter()
    problem.check()
    level = _best_level(problem)
    chosen = _select_pairs(problem, level)
    bound = float(problem.score[chosen].sum())
    slots = _SlotBook(problem)
    dropped = slots.place(chosen, level)
    by_score = np.argsort(-problem.score, kind="stable")
    slots.fill(by_score)
    schedule, method = slots.schedule(), "flow"
    # A safeguard, not the method: on small, tightly gapped instances slot placement can
    # lose what greedy keeps; the better of the two is returned, and says which it is.
    baseline = _greedy(problem, by_score)
    if baseline.key(problem) > schedule.key(problem):
        schedule, method = baseline, "greedy"
    return Solution(
        schedule=schedule,
        method=method,
        level_bound=level,
        score_bound=bound,
        pairs_selected=len(chosen),
        pairs_dropped=dropped,
        seconds=time.perf_counter() - started,
    )


def greedy(problem: Problem) -> Schedule:
    """The baseline: pairs by descending score, each into the earliest slot that fits."""
    problem.check()
    return _greedy(problem, np.argsort(-problem.score, kind="stable"))


def _greedy(problem: Problem, by_score: Ints) -> Schedule:
    slots = _SlotBook(problem)
    slots.fill(by_score)
    return slots.schedule()


# --- stage 1: pairs ---------------------------------------------------------------


def _best_level(problem: Problem) -> int:
    """The highest fairness level the booths can serve, by bisection over max flows."""
    possible = problem.possible()
    low, high = 0, int(possible.max())
    while low < high:
        middle = (low + high + 1) // 2
        if _level_fits(problem, np.minimum(possible, middle)):
            low = middle
        else:
            high = middle - 1
    return low


def _level_fits(problem: Problem, wanted: Ints) -> bool:
    tails, heads, capacities = _arcs(problem, [wanted])
    flow = SimpleMaxFlow()
    flow.add_arcs_with_capacity(tails, heads, capacities)
    if flow.solve(SOURCE, SINK) != SimpleMaxFlow.OPTIMAL:
        raise RuntimeError("the max-flow solver failed")
    return int(flow.optimal_flow()) == int(wanted.sum())


def _select_pairs(problem: Problem, level: int) -> Ints:
    """Indices of the chosen pairs: max total score among selections that keep ``level``."""
    possible = problem.possible()
    guaranteed = np.minimum(possible, level)
    supply = int(possible.sum())
    # Larger than any total score, so every guaranteed interview outweighs all scores.
    bonus = SCORE_SCALE * (supply + 1)
    tails, heads, capacities = _arcs(problem, [guaranteed, possible - guaranteed])
    pairs = len(problem.score)
    unit_costs = np.concatenate(
        [
            np.full(problem.seekers, -bonus),
            np.zeros(problem.seekers, np.int64),
            -np.rint(problem.score * SCORE_SCALE).astype(np.int64),
            np.zeros(problem.employers, np.int64),
        ]
    )
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, unit_costs)
    # Interviews nobody needs flow straight to the sink at no cost.
    flow.add_arc_with_capacity_and_unit_cost(SOURCE, SINK, supply, 0)
    flow.set_node_supply(SOURCE, supply)
    flow.set_node_supply(SINK, -supply)
    if flow.solve() != SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError("the min-cost-flow solver failed")
    first = 2 * problem.seekers
    flows = np.asarray(flow.flows(np.arange(first, first + pairs, dtype=np.int32)), dtype=np.int64)
    chosen: Ints = np.flatnonzero(flows > 0).astype(np.int64)
    return chosen


SOURCE, SINK, FIRST_SEEKER = 0, 1, 2


def _arcs(problem: Problem, seeker_capacities: list[Ints]) -> tuple[I32, I32, Ints]:
    """Source to each seeker (one arc per entry of ``seeker_capacities``), seeker to employer
    for every pair (capacity 1), employer to sink (the booth's capacity); in that order."""
    first_employer = FIRST_SEEKER + problem.seekers
    seekers = np.arange(problem.seekers, dtype=np.int64) + FIRST_SEEKER
    employers = np.arange(problem.employers, dtype=np.int64) + first_employer
    tails = [np.full(problem.seekers, SOURCE) for _ in seeker_capacities]
    heads = [seekers for _ in seeker_capacities]
    tails += [problem.seeker + FIRST_SEEKER, employers]
    heads += [problem.employer + first_employer, np.full(problem.employers, SINK)]
    capacities = [
        *seeker_capacities,
        np.ones(len(problem.seeker), np.int64),
        np.full(problem.employers, problem.rules.booth_capacity),
    ]
    return (
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(capacities).astype(np.int64),
    )


# --- stage 2: slots ---------------------------------------------------------------


@cache
def _patterns(slots: int, count: int, gap: int) -> npt.NDArray[np.int64]:
    """Every ordered choice of ``count`` slots pairwise more than ``gap`` apart, one per row."""
    rows = [
        permutation
        for combination in itertools.combinations(range(slots), count)
        if all(b - a > gap for a, b in itertools.pairwise(combination))
        for permutation in itertools.permutations(combination)
    ]
    return np.array(rows, dtype=np.int64).reshape(len(rows), count)


@cache
def _extendable(slots: int, count: int, more: int, gap: int) -> npt.NDArray[np.int64]:
    """The ordered choices of ``count`` slots that leave room for ``more`` further ones."""
    return np.unique(_patterns(slots, count + more, gap)[:, :count], axis=0)


@dataclass
class _SlotBook:
    """Who sits where: free room per booth and slot, and each seeker's booked slots."""

    problem: Problem
    room: Ints = field(init=False)
    booked: dict[int, dict[int, int]] = field(init=False)  # seeker -> {slot: pair}
    at_booth: dict[tuple[int, int], set[int]] = field(init=False)  # (employer, slot) -> pairs

    def __post_init__(self) -> None:
        rules = self.problem.rules
        self.room = np.full((self.problem.employers, rules.slots), rules.per_booth_slot, dtype=np.int64)
        self.booked = {}
        self.at_booth = {}

    def schedule(self) -> Schedule:
        entries = sorted((pair, slot) for slots in self.booked.values() for slot, pair in slots.items())
        pairs = np.array([pair for pair, _ in entries], dtype=np.int64)
        slots = np.array([slot for _, slot in entries], dtype=np.int64)
        return Schedule(pair=pairs, slot=slots)

    def place(self, chosen: Ints, level: int) -> int:
        """Give the chosen pairs slots; returns how many found none.

        Every seeker's ``level`` best pairs are placed before anyone's further ones, so
        the slots that suit many patterns go to the fairness guarantee first.
        """
        problem = self.problem
        by_seeker: dict[int, list[int]] = {}
        for pair in chosen[np.argsort(-problem.score[chosen], kind="stable")].tolist():
            by_seeker.setdefault(int(problem.seeker[pair]), []).append(pair)
        load = np.bincount(problem.employer[chosen], minlength=problem.employers)
        # Most interviews first, then those whose booths are busiest.
        order = sorted(
            by_seeker.items(),
            key=lambda item: (-len(item[1]), -int(load[problem.employer[item[1]]].sum())),
        )
        unplaced: list[int] = []
        for seeker, pairs in order:
            if pairs[:level]:
                unplaced.extend(self._place_seeker(seeker, pairs[:level], still_to_come=len(pairs) - level))
        for seeker, pairs in order:
            if pairs[level:]:
                unplaced.extend(self._place_seeker(seeker, pairs[level:]))
        return sum(1 for pair in unplaced if not self._exchange(pair))

    def fill(self, candidates: Ints) -> None:
        """Add pairs in the given order wherever a seeker has room and a slot fits."""
        problem = self.problem
        per_seeker = problem.rules.per_seeker
        seekers, employers = problem.seeker.tolist(), problem.employer.tolist()
        booth_free = self.room.sum(axis=1)
        for pair in candidates.tolist():
            seeker, employer = seekers[pair], employers[pair]
            slots = self.booked.get(seeker, {})
            if len(slots) >= per_seeker or booth_free[employer] == 0:
                continue
            if any(employers[other] == employer for other in slots.values()):
                continue
            slot = next(self._free_slots(seeker, employer), None)
            if slot is not None:
                self._book(pair, slot)
                booth_free[employer] -= 1

    def _place_seeker(self, seeker: int, pairs: list[int], still_to_come: int = 0) -> list[int]:
        """Book the pattern (clear of the seeker's booked slots) that places the most and
        leaves the most room; returns the pairs that found no slot. With ``still_to_come``,
        patterns leaving slots for that many more interviews win when they place as many."""
        rules = self.problem.rules
        choices = [_patterns(rules.slots, len(pairs), rules.gap_slots)]
        if still_to_come > 0:
            choices.insert(0, _extendable(rules.slots, len(pairs), still_to_come, rules.gap_slots))
        best: tuple[int, list[int], list[bool]] | None = None
        for patterns in choices:
            found = self._best_pattern(seeker, pairs, patterns)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        if best is None:  # no pattern clear of the booked slots: one at a time
            if len(pairs) == 1:
                return pairs
            return [left for pair in pairs for left in self._place_seeker(seeker, [pair])]
        _, pattern, fits = best
        left = []
        for pair, slot, fit in zip(pairs, pattern, fits, strict=True):
            if fit:
                self._book(pair, slot)
            else:
                left.append(pair)
        return left

    def _best_pattern(
        self, seeker: int, pairs: list[int], patterns: npt.NDArray[np.int64]
    ) -> tuple[int, list[int], list[bool]] | None:
        """How many the best of ``patterns`` places, its slots and which of them fit."""
        rules = self.problem.rules
        taken = np.array(list(self.booked.get(seeker, {})), dtype=np.int64)
        if taken.size:
            clear = np.abs(patterns[:, :, np.newaxis] - taken[np.newaxis, np.newaxis, :]) > rules.gap_slots
            patterns = patterns[clear.all(axis=(1, 2))]
        if len(patterns) == 0:
            return None
        employers = self.problem.employer[pairs]
        room = self.room[employers[np.newaxis, :], patterns]
        fits = room > 0
        # Most interviews placed first, then the most room left.
        placed, left_room = fits.sum(axis=1), np.where(fits, room, 0).sum(axis=1)
        best = int(np.argmax(placed * (rules.per_booth_slot * len(pairs) + 1) + left_room))
        return int(placed[best]), patterns[best].tolist(), fits[best].tolist()

    def _exchange(self, pair: int) -> bool:
        """Free a slot for ``pair`` by moving one interview of another seeker at the booth."""
        seeker, employer = int(self.problem.seeker[pair]), int(self.problem.employer[pair])
        for slot in self._gap_fitting(seeker):
            for other in list(self.at_booth.get((employer, slot), ())):
                mover = int(self.problem.seeker[other])
                for target in self._free_slots(mover, employer, leaving=slot):
                    self._unbook(other, slot)
                    self._book(other, target)
                    self._book(pair, slot)
                    return True
        return False

    def _gap_fitting(self, seeker: int, leaving: int | None = None) -> Iterator[int]:
        gap = self.problem.rules.gap_slots
        taken = [slot for slot in self.booked.get(seeker, {}) if slot != leaving]
        for slot in range(self.problem.rules.slots):
            if all(abs(slot - other) > gap for other in taken):
                yield slot

    def _free_slots(self, seeker: int, employer: int, leaving: int | None = None) -> Iterator[int]:
        for slot in self._gap_fitting(seeker, leaving):
            if self.room[employer, slot] > 0:
                yield slot

    def _book(self, pair: int, slot: int) -> None:
        seeker, employer = int(self.problem.seeker[pair]), int(self.problem.employer[pair])
        self.booked.setdefault(seeker, {})[slot] = pair
        self.at_booth.setdefault((employer, slot), set()).add(pair)
        self.room[employer, slot] -= 1

    def _unbook(self, pair: int, slot: int) -> None:
        seeker, employer = int(self.problem.seeker[pair]), int(self.problem.employer[pair])
        del self.booked[seeker][slot]
        self.at_booth[(employer, slot)].discard(pair)
        self.room[employer, slot] += 1
