"""The fast schedule: pairs by flows, then slots by placement; and the greedy baseline.

1. Pairs (OR-Tools graph solvers): a max flow per fairness level finds the highest level
   ``m`` the booths can serve (booth totals: staffed room capped by the maximum); a
   min-cost flow then picks the pairs, every seeker's first ``min(m, ...)`` interviews
   carrying a bonus larger than any total value, so it maximises the total value among
   selections that keep level ``m``. Flows are integral, so its total is the optimum
   without slots: an upper bound on every schedule of level ``m`` or more.
2. Slots: every seeker's ``m`` best pairs first, then everyone's further pairs; the
   seekers, most interviews and busiest booths first, each take the slot pattern
   (pairwise more than the gap apart, within their availability, clear of the slots they
   hold) that leaves their booths the most room; a pair that finds no slot tries to move
   one interview of another seeker at that booth, and is dropped otherwise. Left-over
   room is then filled with the best unused pairs.

Greedy takes pairs by descending value into the earliest slot that fits.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import numpy.typing as npt
from ortools.graph.python.max_flow import SimpleMaxFlow
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from services.fair.domain.scheduling import Ints, Problem, Schedule

I32 = npt.NDArray[np.int32]


@dataclass(frozen=True)
class FlowSchedule:
    schedule: Schedule
    level_bound: int  # the highest fairness level the booths serve, slots aside
    pairs_selected: int
    pairs_dropped: int  # selected pairs that found no slot


def flow_schedule(problem: Problem) -> FlowSchedule:
    """Flows for the pairs, placement for the slots (``problem`` checked by the caller)."""
    level = best_level(problem)
    chosen = select_pairs(problem, level)
    book = _SlotBook(problem)
    dropped = book.place(chosen, level)
    book.fill(_by_value(problem))
    return FlowSchedule(book.schedule(), level, len(chosen), dropped)


def greedy(problem: Problem) -> Schedule:
    """The baseline: pairs by descending value, each into the earliest slot that fits."""
    book = _SlotBook(problem)
    book.fill(_by_value(problem))
    return book.schedule()


def flow_bound(problem: Problem, level: int) -> int:
    """The most total value of any schedule of fairness level ``level`` or more, slots aside."""
    return int(problem.value()[select_pairs(problem, level)].sum())


def _by_value(problem: Problem) -> Ints:
    return np.argsort(-problem.value(), kind="stable").astype(np.int64)


# --- pairs ------------------------------------------------------------------------


def best_level(problem: Problem) -> int:
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


def select_pairs(problem: Problem, level: int) -> Ints:
    """Indices of the chosen pairs: max total value among selections that keep ``level``."""
    possible = problem.possible()
    guaranteed = np.minimum(possible, level)
    supply = int(possible.sum())
    value = problem.value()
    # Larger than any total value, so every guaranteed interview outweighs all values.
    bonus = int(value.max(initial=0) + 1) * (supply + 1)
    tails, heads, capacities = _arcs(problem, [guaranteed, possible - guaranteed])
    pairs = len(problem.score)
    unit_costs = np.concatenate(
        [
            np.full(problem.seekers, -bonus),
            np.zeros(problem.seekers, np.int64),
            -value,
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
    for every pair (capacity 1), employer to sink (the booth's total); in that order."""
    first_employer = FIRST_SEEKER + problem.seekers
    seekers = np.arange(problem.seekers, dtype=np.int64) + FIRST_SEEKER
    employers = np.arange(problem.employers, dtype=np.int64) + first_employer
    tails = [np.full(problem.seekers, SOURCE) for _ in seeker_capacities]
    heads = [seekers for _ in seeker_capacities]
    tails += [problem.seeker + FIRST_SEEKER, employers]
    heads += [problem.employer + first_employer, np.full(problem.employers, SINK)]
    capacities = [*seeker_capacities, np.ones(len(problem.seeker), np.int64), problem.booth_total()]
    return (
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(capacities).astype(np.int64),
    )


# --- slots ------------------------------------------------------------------------


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
    patterns = _patterns(slots, count + more, gap)[:, :count]
    return np.unique(patterns, axis=0) if len(patterns) else patterns


@dataclass
class _SlotBook:
    """Who sits where: free room per booth and slot, and each seeker's booked slots."""

    problem: Problem
    room: Ints = field(init=False)
    left: Ints = field(init=False)  # per employer: interviews its maximum still allows
    booked: dict[int, dict[int, int]] = field(init=False)  # seeker -> {slot: pair}
    at_booth: dict[tuple[int, int], set[int]] = field(init=False)  # (employer, slot) -> pairs

    def __post_init__(self) -> None:
        self.room = self.problem.booth_room()
        self.left = self.problem.booth_total().copy()
        self.available = self.problem.availability()
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
        value = problem.value()
        by_seeker: dict[int, list[int]] = {}
        for pair in chosen[np.argsort(-value[chosen], kind="stable")].tolist():
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
        wants = problem.wants().tolist()
        seekers, employers = problem.seeker.tolist(), problem.employer.tolist()
        for pair in candidates.tolist():
            seeker, employer = seekers[pair], employers[pair]
            slots = self.booked.get(seeker, {})
            if len(slots) >= wants[seeker] or self.left[employer] <= 0:
                continue
            if any(employers[other] == employer for other in slots.values()):
                continue
            slot = next(self._free_slots(seeker, employer), None)
            if slot is not None:
                self._book(pair, slot)

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
        patterns = patterns[self.available[seeker][patterns].all(axis=1)]
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
        best = int(np.argmax(placed * (int(self.room.max()) * len(pairs) + 1) + left_room))
        return int(placed[best]), patterns[best].tolist(), fits[best].tolist()

    def _exchange(self, pair: int) -> bool:
        """Free a slot for ``pair`` by moving one interview of another seeker at the booth."""
        seeker, employer = int(self.problem.seeker[pair]), int(self.problem.employer[pair])
        if self.left[employer] <= 0:
            return False
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
        for slot in np.flatnonzero(self.available[seeker]).tolist():
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
        self.left[employer] -= 1

    def _unbook(self, pair: int, slot: int) -> None:
        seeker, employer = int(self.problem.seeker[pair]), int(self.problem.employer[pair])
        del self.booked[seeker][slot]
        self.at_booth[(employer, slot)].discard(pair)
        self.room[employer, slot] += 1
        self.left[employer] += 1
