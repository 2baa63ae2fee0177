"""Slot-aware improvement of a schedule with OR-Tools CP-SAT: exact for small fairs, and
large-neighbourhood search (LNS) for big ones.

The model has one Boolean per (pair, slot) the seeker attends and the booth staffs; the
hard rules are its constraints. The lexicographic objective (see ``scheduling``): the
worst-off measure is held at a target (its bound first, lowered while proven infeasible)
and the rest is one integer objective ``W2 * value - W1 * minimum shortfall + busy
booth-slots`` whose weights keep the order exact. LNS repeatedly frees the seekers
around a few booths that have unmet demand, restricted to those booths and the seekers'
own, holds everyone else fixed and the worst-off measure at its current value, and
re-solves them exactly.

Every solve runs on one worker with a fixed seed and a deterministic time limit, so a
seed and a time budget give the same schedule on every run (wall time varies with load).
An optional wall-clock ``deadline`` (``time.monotonic()``) caps a run on a busy machine;
a run it cuts short is no longer reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from services.fair.domain.scheduling import Bools, Ints, Problem, Schedule, WorstOff


@dataclass(frozen=True)
class Exact:
    schedule: Schedule
    optimal: bool  # both phases proven
    first_bound: int  # bound on the worst-off measure
    value_bound: int  # bound on the total value, given a worst-off measure at least the one reached


def exact(
    problem: Problem,
    start: Schedule,
    seconds: float,
    seed: int,
    first_bound: int,
    deadline: float | None = None,
) -> Exact:
    """Solve the whole fair from ``start``, whose worst-off measure ``first_bound`` caps.

    Each round holds the worst-off measure at a target (the bound first) and maximises the
    rest; a target proven infeasible lowers the bound by one, a round that finds nothing
    in time falls back to the start's measure. Keeps ``start`` where nothing better is found.
    """
    everyone = np.ones(problem.seekers, np.bool_)
    reached = start.first_objective(problem)
    target, spent = first_bound, 0.0
    while True:
        sub = _Model(problem, everyone, np.ones(problem.employers, np.bool_), _empty())
        sub.hint(start)
        sub.hold_first(target)
        sub.objective()
        solver = _solver(max(seconds - spent, 0.05), seed, deadline)
        status = solver.solve(sub.model)
        spent += solver.deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        if status == cp_model.INFEASIBLE:
            first_bound = target - 1
        out_of_time = spent >= seconds or (deadline is not None and time.monotonic() >= deadline)
        if target <= reached or (status != cp_model.INFEASIBLE and out_of_time):
            return Exact(start, False, first_bound, _no_bound(problem))
        target = max(reached, target - 1) if status == cp_model.INFEASIBLE else reached
    found = sub.read(solver)
    if start.key(problem) > found.key(problem):
        found = start
    optimal = target == first_bound and status == cp_model.OPTIMAL
    return Exact(found, optimal, first_bound, sub.value_bound(solver.best_objective_bound))


def neighbourhood_search(
    problem: Problem,
    start: Schedule,
    seconds: float,
    seed: int,
    size: int = 300,
    deadline: float | None = None,
) -> tuple[Schedule, int]:
    """Improve ``start`` by LNS for ``seconds`` of deterministic time; the schedule and the
    number of neighbourhoods that improved it. A neighbourhood grows after a success and
    shrinks after a failure (between 10 and ``size`` seekers)."""
    rng = np.random.default_rng(seed)
    current, best_key = start, start.key(problem)
    spent, improved, freed = 0.0, 0, min(30.0, size)
    step = min(2.0, max(0.5, seconds / 50))
    while spent < seconds and (deadline is None or time.monotonic() < deadline):
        free, employers = _neighbourhood(problem, current, rng, int(freed))
        if not free.any():
            break
        held = ~free[problem.seeker[current.pair]]
        fixed = Schedule(current.pair[held], current.slot[held])
        sub = _Model(problem, free, employers, fixed, keep=current.pair[~held])
        sub.hint(current)
        sub.hold_first(current.first_objective(problem))
        sub.objective()
        solver = _solver(min(step, seconds - spent), int(rng.integers(1 << 30)), deadline, linearization=1)
        status = solver.solve(sub.model)
        spent += max(solver.deterministic_time, 0.01)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            freed = max(freed / 1.25, 10.0)
            continue
        found = sub.read(solver)
        merged = Schedule(np.concatenate([fixed.pair, found.pair]), np.concatenate([fixed.slot, found.slot]))
        key = merged.key(problem)
        if key > best_key:
            current, best_key, improved = merged, key, improved + 1
            freed = min(freed * 1.25, size)
        else:
            freed = max(freed / 1.25, 10.0)
    return current, improved


def _empty() -> Schedule:
    return Schedule(np.zeros(0, np.int64), np.zeros(0, np.int64))


def _no_bound(problem: Problem) -> int:
    return int(problem.value().sum())


def _solver(seconds: float, seed: int, deadline: float | None, linearization: int = 2) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    if deadline is not None:
        solver.parameters.max_time_in_seconds = max(deadline - time.monotonic(), 0.01)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(seconds, 0.05)
    # Cuts and the full linear relaxation: the proofs of small fairs need them.
    solver.parameters.linearization_level = linearization
    return solver


def _neighbourhood(
    problem: Problem, current: Schedule, rng: np.random.Generator, size: int
) -> tuple[Bools, Bools]:
    """A few booths drawn by their unmet demand (the value of the wishes and matches of
    seekers short of interviews that they could meet there), the seekers booked there and
    those short ones; at most ``size`` seekers."""
    counts = current.per_seeker(problem)
    short = counts[problem.seeker] < problem.possible()[problem.seeker]
    unused = np.ones(len(problem.score), np.bool_)
    unused[current.pair] = False
    wanting = short & unused
    demand = np.bincount(
        problem.employer[wanting], weights=problem.value()[wanting], minlength=problem.employers
    )
    weights = demand + 1.0
    booths = rng.choice(
        problem.employers, size=min(3, problem.employers), replace=False, p=weights / weights.sum()
    )
    employers = np.zeros(problem.employers, np.bool_)
    employers[booths] = True
    booked = problem.seeker[current.pair][employers[problem.employer[current.pair]]]
    waiting = problem.seeker[wanting & employers[problem.employer]]
    candidates = np.unique(np.concatenate([booked, waiting]))
    if len(candidates) > size:
        candidates = rng.choice(candidates, size=size, replace=False)
    free = np.zeros(problem.seekers, np.bool_)
    free[candidates] = True
    return free, employers


class _Model:
    """The CP-SAT model of the free seekers' interviews around a fixed rest of the schedule."""

    def __init__(
        self, problem: Problem, free: Bools, employers: Bools, fixed: Schedule, keep: Ints | None = None
    ) -> None:
        self.problem, self.free, self.fixed = problem, free, fixed
        self.model = cp_model.CpModel()
        slots = problem.rules.slots
        room = problem.booth_room()
        fixed_load = np.zeros_like(room)
        np.add.at(fixed_load, (problem.employer[fixed.pair], fixed.slot), 1)
        self.residual = room - fixed_load
        self.taken = np.bincount(problem.employer[fixed.pair], minlength=problem.employers)
        # The free seekers' pairs at those employers, and the pairs they hold now.
        open_pairs = free[problem.seeker] & employers[problem.employer]
        if keep is not None:
            open_pairs[keep] = True
        pairs = np.flatnonzero(open_pairs)
        available = problem.availability()
        grid = available[problem.seeker[pairs]] & (self.residual[problem.employer[pairs]] > 0)
        rows, self.slot = np.nonzero(grid)
        self.pair = pairs[rows]
        self.x = [self.model.new_bool_var("") for _ in range(len(self.pair))]
        self.hinted = np.zeros(len(self.pair), np.bool_)
        self._constraints(slots)

    def _constraints(self, slots: int) -> None:
        problem, model, x = self.problem, self.model, self.x
        pair_seeker, pair_employer = problem.seeker[self.pair], problem.employer[self.pair]
        for group in _groups(self.pair):
            model.add_at_most_one(x[i] for i in group)
        booth_slot = pair_employer * slots + self.slot
        for group in _groups(booth_slot):
            employer, slot = divmod(int(booth_slot[group[0]]), slots)
            if len(group) > self.residual[employer, slot]:
                model.add(_sum(x[i] for i in group) <= int(self.residual[employer, slot]))
        self.by_employer = {int(pair_employer[g[0]]): g for g in _groups(pair_employer)}
        ceiling = problem.ceiling()
        for employer, group in self.by_employer.items():
            room = int(ceiling[employer] - self.taken[employer])
            if len(group) > room:
                model.add(_sum(x[i] for i in group) <= room)
        gap = problem.rules.gap_slots
        wants = problem.wants()
        self.by_seeker = {int(pair_seeker[g[0]]): g for g in _groups(pair_seeker)}
        for seeker, group in self.by_seeker.items():
            group_slots = self.slot[group]
            for start in range(max(1, slots - gap)):
                window = group[(group_slots >= start) & (group_slots <= start + gap)]
                if len(window) > 1:
                    model.add_at_most_one(x[i] for i in window)
            if len(group) > wants[seeker]:
                model.add(_sum(x[i] for i in group) <= int(wants[seeker]))

    def hint(self, schedule: Schedule) -> None:
        """Start the search from ``schedule`` (call before ``objective``, which hints its own
        variables from the same values)."""
        chosen = set(zip(schedule.pair.tolist(), schedule.slot.tolist(), strict=True))
        self.hinted = np.array(
            [
                (pair, slot) in chosen
                for pair, slot in zip(self.pair.tolist(), self.slot.tolist(), strict=True)
            ],
            dtype=np.bool_,
        )
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for var, on in zip(self.x, self.hinted.tolist(), strict=True):
            self.model.add_hint(var, on)

    def _count(self, seeker: int) -> cp_model.LinearExprT:
        return _sum(self.x[i] for i in self.by_seeker.get(seeker, ()))

    def _wishes_up_to(self, seeker: int, rank: int) -> cp_model.LinearExprT:
        ranks = self.problem.ranks()[self.pair]
        return _sum(self.x[i] for i in self.by_seeker.get(seeker, ()) if 0 < ranks[i] <= rank)

    def hold_first(self, reached: int) -> None:
        """Keep the worst-off measure at ``reached`` or better for the free seekers."""
        problem, model = self.problem, self.model
        if problem.rules.worst_off == WorstOff.WISH:
            rank = -reached
            wishes = problem.wish_count()
            for seeker in np.flatnonzero(self.free & (wishes >= rank) & (rank > 0)).tolist():
                model.add(self._wishes_up_to(seeker, rank) >= 1)
        else:
            possible = problem.possible()
            for seeker in np.flatnonzero(self.free & (possible > 0)).tolist():
                need = min(reached, int(possible[seeker]))
                if need > 0:
                    model.add(self._count(seeker) >= need)

    def objective(self) -> None:
        """Phase 2: value first, then the minimum shortfall, then idle booth-slots."""
        problem, model, x = self.problem, self.model, self.x
        value = problem.value()[self.pair]
        floor = problem.floor()
        shortfall_terms = []
        for employer in np.flatnonzero((floor - self.taken) > 0).tolist():
            short = int(floor[employer] - self.taken[employer])
            missing = model.new_int_var(0, short, "")
            group = self.by_employer.get(employer, np.zeros(0, np.int64))
            model.add(missing >= short - _sum(x[i] for i in group))
            model.add_hint(missing, max(0, short - int(self.hinted[group].sum())))
            shortfall_terms.append(missing)
        room = self.problem.booth_room()
        fixed_busy = (room - self.residual) > 0
        idle_candidates = (room > 0) & ~fixed_busy
        slots = problem.rules.slots
        booth_slot = problem.employer[self.pair] * slots + self.slot
        used = []
        for group in _groups(booth_slot):
            employer, slot = divmod(int(booth_slot[group[0]]), slots)
            if idle_candidates[employer, slot]:
                busy = model.new_bool_var("")
                model.add(busy <= _sum(x[i] for i in group))
                model.add_hint(busy, bool(self.hinted[group].any()))
                used.append(busy)
        self.max_penalty_idle = int(np.count_nonzero(idle_candidates))
        self.max_shortfall = int(np.maximum(floor - self.taken, 0).sum())
        self.w1 = self.max_penalty_idle + 1
        self.w2 = self.w1 * (self.max_shortfall + 1)
        model.maximize(
            self.w2 * cp_model.LinearExpr.weighted_sum(x, value.tolist())
            - self.w1 * _sum(shortfall_terms)
            + _sum(used)
        )

    def value_bound(self, objective_bound: float) -> int:
        """The bound on the free seekers' value plus the fixed rest's, from the objective's."""
        penalty = self.w1 * self.max_shortfall + self.max_penalty_idle
        free_value = int(np.floor((objective_bound + penalty) / self.w2 + 1e-9))
        return free_value + int(self.problem.value()[self.fixed.pair].sum())

    def read(self, solver: cp_model.CpSolver) -> Schedule:
        values = np.array([solver.boolean_value(var) for var in self.x], dtype=np.bool_)
        return Schedule(self.pair[values].astype(np.int64), self.slot[values].astype(np.int64))


def _sum(terms: Iterable[cp_model.LinearExprT]) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.sum(list(terms))


def _groups(keys: Ints) -> list[Ints]:
    """Indices grouped by equal key."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.diff(keys[order])) + 1
    return np.split(order, cuts)
