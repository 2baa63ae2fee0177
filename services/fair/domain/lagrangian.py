"""A bound on the total value that scales to the hall: the Lagrangian relaxation of the
slot-aware model, solved by subgradient.

The constraints that tie seekers together are priced instead of held: each booth-slot's
room (a price per booth and slot) and each employer's maximum (a price per employer).
What is left falls apart per seeker: pick slots pairwise more than the gap apart, at
least the worst-off hold and at most the interviews wanted, and a distinct pair for each,
at the prices. Where every seeker wants at most three this is solved exactly by trying
every slot set and pick (``_DistinctPairs``); otherwise "one interview per pair" is priced
too (a price per pair) and a dynamic programme over the slots, each slot with its best
pair, solves the rest exactly for every seeker at once. For any prices >= 0 the sum

    prices x limits + the seekers' best choices at those prices

is at least the value of every schedule that keeps the held worst-off measure, so every
iterate gives a valid bound and the smallest is reported. The subgradient step (Polyak's,
towards the value of a schedule found) lowers it towards the relaxation's best. With
pairs priced the per-seeker constraints are intervals of slots, so that best is the LP's;
where "one per pair" is kept exactly in the seekers' choices (``_DistinctPairs``: each
wants at most three) it can be below the LP (measured 0.02-0.08 % below on small tight
fairs).

Under the ``wish`` measure the hold is left out (a larger, still valid, bound).
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from services.fair.domain.scheduling import Bools, Floats, Ints, Problem, WorstOff

# The step's scale: Polyak's step times this, halved after PATIENCE iterations without a
# better bound (going back to the best prices).
INITIAL_SCALE = 1.0
PATIENCE = 10
# One interview per pair is kept exactly in the seekers' choices where each wants at most
# this many, the choices fit this many dense cells (seekers x their most pairs x slots) and
# this many slot sets and picks are to be tried; priced otherwise.
MOST_EXACT = 3
DENSE_CELLS = 30_000_000
MAX_TRIES = 5_000


def lagrangian_bound(
    problem: Problem, first: int, target: int, seconds: float = 60.0, iterations: int = 1_000
) -> int | None:
    """An upper bound on the total value of every schedule whose worst-off measure is at
    least ``first``; ``target`` is the value of a schedule found (it sets the step). None
    where no seeker choice meets the hold (``first`` unreachable)."""
    started = time.monotonic()
    slots = problem.rules.slots
    order = np.argsort(problem.seeker, kind="stable")
    seeker, employer = problem.seeker[order], problem.employer[order]
    room = problem.booth_room()
    grid = problem.availability()[seeker] & (room[employer] > 0)
    base = np.where(grid, problem.value()[order][:, np.newaxis].astype(np.float64), -np.inf)
    present, starts = np.unique(seeker, return_index=True)
    need = _hold(problem, first)
    ceiling = problem.ceiling().astype(np.float64)
    slot_price = np.zeros((problem.employers, slots))
    employer_price = np.zeros(problem.employers)
    pair_price = np.zeros(len(order))
    distinct = _DistinctPairs.of(problem, seeker, need)
    best, scale, stalled = np.inf, INITIAL_SCALE, 0
    best_prices = slot_price, employer_price, pair_price
    for _ in range(iterations):
        reduced = base - slot_price[employer] - (employer_price[employer] + pair_price)[:, np.newaxis]
        if distinct is not None:
            value, row, column = distinct.choose(reduced)
        else:
            top = np.full((problem.seekers, slots), -np.inf)
            top[present] = np.maximum.reduceat(reduced, starts, axis=0)
            value, chosen = _best_patterns(top, problem.wants(), need, problem.rules.gap_slots)
            row, column = _chosen_pairs(reduced, top, chosen, seeker, slots)
        if not np.isfinite(value).all():
            return None
        bound = float(value.sum() + (slot_price * room).sum() + employer_price @ ceiling + pair_price.sum())
        if bound < best - 1e-9 * abs(best if np.isfinite(best) else bound):
            best, stalled = bound, 0
            best_prices = slot_price, employer_price, pair_price
        else:
            stalled += 1
            if stalled >= PATIENCE:  # back to the best prices, with shorter steps
                scale, stalled = scale / 2, 0
                slot_price, employer_price, pair_price = best_prices
                continue
        if best - target < 1 or scale < 1e-4 or time.monotonic() - started > seconds:
            break
        used = np.zeros((problem.employers, slots))
        np.add.at(used, (employer[row], column), 1)
        slot_step = _projected(room - used, slot_price)
        employer_slack: Floats = ceiling - used.sum(axis=1)
        employer_step = _projected(employer_slack, employer_price)
        pair_slack = 1.0 - np.bincount(row, minlength=len(order)).astype(np.float64)
        pair_step = _projected(pair_slack, pair_price)
        norm = float((slot_step**2).sum() + (employer_step**2).sum() + (pair_step**2).sum())
        if norm == 0:
            break  # the seekers' choices form a schedule that fills no priced limit beyond it
        step = scale * (bound - target) / norm
        slot_price = np.maximum(0.0, slot_price - step * slot_step)
        employer_price = np.maximum(0.0, employer_price - step * employer_step)
        pair_price = np.maximum(0.0, pair_price - step * pair_step)
    # Values are integers, so the bound rounds down (after a hair up for the sums' rounding).
    return int(np.floor(best * (1 + 1e-12) + 1e-6))


def _hold(problem: Problem, first: int) -> Ints:
    """Per seeker, the fewest interviews the held worst-off measure asks."""
    if problem.rules.worst_off == WorstOff.INTERVIEWS and first > 0:
        held: Ints = np.minimum(problem.possible(), first)
        return held
    return np.zeros(problem.seekers, np.int64)


def _best_patterns(top: Floats, wants: Ints, need: Ints, gap: int) -> tuple[Floats, Bools]:
    """Per seeker, the best total of ``top`` over slots pairwise more than ``gap`` apart,
    between ``need`` and ``wants`` of them, and the slots it takes."""
    seekers, slots = top.shape
    most = int(wants.max(initial=0))
    # later[s, c]: the best over slots >= s taking exactly c of them.
    later = np.full((slots + 1, most + 1, seekers), -np.inf)
    later[slots, 0] = 0.0
    for slot in range(slots - 1, -1, -1):
        after = min(slot + gap + 1, slots)
        later[slot] = later[slot + 1]
        later[slot, 1:] = np.maximum(later[slot + 1, 1:], top[:, slot] + later[after, :-1])
    counts = np.arange(most + 1)[:, np.newaxis]
    allowed = (counts >= need) & (counts <= wants)
    totals = np.where(allowed, later[0], -np.inf)
    count = np.argmax(totals, axis=0)
    value = totals[count, np.arange(seekers)]
    chosen = np.zeros((seekers, slots), np.bool_)
    position = np.zeros(seekers, np.int64)
    everyone = np.arange(seekers)
    for slot in range(slots):
        after = min(slot + gap + 1, slots)
        active = (position == slot) & (count > 0)
        left = np.maximum(count - 1, 0)
        take = active & (top[:, slot] + later[after, left, everyone] >= later[slot + 1, count, everyone])
        chosen[take, slot] = True
        count = count - take
        position = np.where(take, after, np.where(active, slot + 1, position))
    return value, chosen


def _chosen_pairs(reduced: Floats, top: Floats, chosen: Bools, seeker: Ints, slots: int) -> tuple[Ints, Ints]:
    """The (pair row, slot) behind each chosen (seeker, slot): the first pair at the best price."""
    rows, columns = np.nonzero((reduced == top[seeker]) & chosen[seeker])
    _, first = np.unique(seeker[rows] * slots + columns, return_index=True)
    return rows[first], columns[first]


def _projected(slack: Floats, price: Floats) -> Floats:
    """The subgradient of the limits' slack, without the parts that would push a zero price
    below zero (they do not move it and only shrink the step)."""
    return np.where((price <= 0) & (slack > 0), 0.0, slack)


class _DistinctPairs:
    """The seekers' best choices with one interview per pair kept exactly (no pair prices):
    in a set of c slots the best distinct pairs use in each slot one of its c best (a pair
    beyond them could be exchanged for one of them no other slot uses), so every slot set
    (pairwise more than the gap apart, as many as the seeker may take) and every pick among
    each slot's best is tried, for all seekers at once."""

    def __init__(self, seeker: Ints, seekers: int, slots: int, sets: list[tuple[int, ...]],
                 wants: Ints, need: Ints) -> None:  # fmt: skip
        self.seeker, self.seekers, self.slots, self.sets = seeker, seekers, slots, sets
        self.place = np.arange(len(seeker)) - np.searchsorted(seeker, seeker)
        self.width = int(self.place.max()) + 1
        self.depth = min(int(wants.max(initial=1)), self.width)
        self.wants, self.need = wants, need
        self.rows = np.full((seekers, self.width), -1, np.int64)
        self.rows[seeker, self.place] = np.arange(len(seeker))

    @classmethod
    def of(cls, problem: Problem, seeker: Ints, need: Ints) -> _DistinctPairs | None:
        """The exact choices where they are cheap enough (``seeker`` sorted), else None."""
        wants, slots = problem.wants(), problem.rules.slots
        most = int(wants.max(initial=0))
        width = int(np.bincount(seeker).max())
        if most > MOST_EXACT or problem.seekers * width * slots > DENSE_CELLS:
            return None
        sets = [
            chosen
            for size in range(1, most + 1)
            for chosen in _slot_sets(slots, problem.rules.gap_slots, size)
        ]
        if sum(len(chosen) ** len(chosen) for chosen in sets) > MAX_TRIES:
            return None
        return cls(seeker, problem.seekers, slots, sets, wants, need)

    def choose(self, reduced: Floats) -> tuple[Floats, Ints, Ints]:
        """Per seeker the best total at these prices, and the (pair row, slot) of each choice."""
        dense = np.full((self.seekers, self.width, self.slots), -np.inf)
        dense[self.seeker, self.place] = reduced
        order = np.argpartition(-dense, kth=list(range(self.depth)), axis=1)[:, : self.depth]
        values = np.take_along_axis(dense, order, axis=1)  # seekers x depth x slots, best first
        ids = np.take_along_axis(self.rows[:, :, np.newaxis], order, axis=1)
        best = np.where(self.need <= 0, 0.0, -np.inf)
        picks: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        which = np.full(self.seekers, -1, np.int64)
        for chosen in self.sets:
            size = len(chosen)
            allowed = (self.need <= size) & (self.wants >= size)
            for ranks in itertools.product(range(min(size, self.depth)), repeat=size):
                cells = list(zip(ranks, chosen, strict=True))
                total = sum((values[:, r, s] for r, s in cells), np.zeros(self.seekers))
                distinct = allowed.copy()
                for (r, s), (q, t) in itertools.combinations(cells, 2):
                    distinct &= ids[:, r, s] != ids[:, q, t]
                better = distinct & (total > best)
                if better.any():
                    best = np.where(better, total, best)
                    which = np.where(better, len(picks), which)
                    picks.append((chosen, ranks))
        rows, columns = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for index in np.unique(which[which >= 0]):
            chosen, ranks = picks[index]
            members = np.nonzero(which == index)[0]
            for r, s in zip(ranks, chosen, strict=True):
                rows.append(ids[members, r, s])
                columns.append(np.full(len(members), s, np.int64))
        return best, np.concatenate(rows), np.concatenate(columns)


def _slot_sets(slots: int, gap: int, size: int) -> list[tuple[int, ...]]:
    """Every set of ``size`` slots pairwise more than ``gap`` apart."""
    return [
        chosen
        for chosen in itertools.combinations(range(slots), size)
        if all(b - a > gap for a, b in itertools.pairwise(chosen))
    ]
