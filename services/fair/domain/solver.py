"""The scheduler: the fast flow schedule (or greedy, where better) as the warm start and
the fallback, a slot-aware CP-SAT improvement within a time budget (exact for small
fairs, large-neighbourhood search for big ones) and honest bounds (the LP relaxation where
it fits, its Lagrangian counterpart at any size).

The answer is never worse than greedy (the start is the better of the two and an
improvement is kept only where lexicographically better), always feasible (every
candidate is built under the hard rules and the result passes ``violations``), and the
same for the same seed and time budget (deterministic solver time, one worker).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from services.fair.domain.bound import lp_bound, variables
from services.fair.domain.improvement import exact, neighbourhood_search
from services.fair.domain.lagrangian import lagrangian_bound
from services.fair.domain.scheduling import Problem, Schedule, WorstOff, violations
from services.fair.domain.warm_start import flow_bound, flow_schedule, greedy

# The exact model is tried up to this many (pair, slot) variables; LNS beyond.
EXACT_VARIABLES = 60_000


@dataclass(frozen=True)
class Solution:
    schedule: Schedule
    method: str  # "exact", "lns", "flow" or "greedy": what produced the schedule
    optimal: bool  # proven lexicographically optimal
    first_bound: int  # no schedule's worst-off measure is better
    value_bound: int  # no schedule at least as fair has more value
    bound_from: str  # "cp-sat", "lp", "lagrangian" or "flow": which bound is the tightest
    level_bound: int  # the fairness level the booths serve, slots aside (the flow's)
    pairs_selected: int
    pairs_dropped: int
    seconds: float

    def proven(self, problem: Problem) -> int:
        """How many leading objectives are proven optimal (in the order of ``Objective``): the
        worst-off measure and the value where they reach their bounds, then the minimum
        shortfall and the idle booth-slots where they are zero."""
        if self.optimal:
            return 4
        key = self.schedule.key(problem)
        proven = 0
        for reached in (
            key.worst_off >= self.first_bound,
            key.value >= self.value_bound,
            key.minimum_shortfall == 0,
            key.idle_booth_slots == 0,
        ):
            if not reached:
                break
            proven += 1
        return proven

    def gap(self, problem: Problem) -> float:
        """Relative distance of the total value from the bound."""
        if self.value_bound <= 0:
            return 0.0
        return max(0.0, (self.value_bound - self.schedule.total_value(problem)) / self.value_bound)


def solve(
    problem: Problem,
    seconds: float = 0.0,
    seed: int = 0,
    bound: bool = True,
    wall_seconds: float | None = None,
) -> Solution:
    """The best schedule found within ``seconds`` of deterministic solver time (0: the warm
    start only), cut short after ``wall_seconds`` of wall time where given."""
    started = time.perf_counter()
    deadline = None if wall_seconds is None else time.monotonic() + wall_seconds
    problem.check()
    flow = flow_schedule(problem)
    baseline = greedy(problem)
    schedule, method = flow.schedule, "flow"
    if baseline.key(problem) > schedule.key(problem):
        schedule, method = baseline, "greedy"
    optimal, first_bound = False, _first_bound(problem, flow.level_bound)
    bounds: dict[str, int] = {}
    if _reaches(problem, schedule, first_bound):
        optimal = True
        bounds["flow"] = schedule.total_value(problem)
    elif seconds > 0 and variables(problem) <= EXACT_VARIABLES:
        found = exact(problem, schedule, seconds, seed, first_bound, deadline)
        if found.schedule.key(problem) > schedule.key(problem):
            schedule, method = found.schedule, "exact"
        optimal = found.optimal
        first_bound = min(first_bound, found.first_bound)
        bounds["cp-sat"] = found.value_bound
    elif seconds > 0:
        improved, _ = neighbourhood_search(problem, schedule, seconds, seed, deadline=deadline)
        if improved.key(problem) > schedule.key(problem):
            schedule, method = improved, "lns"
    reached = schedule.first_objective(problem)
    if problem.rules.worst_off == WorstOff.INTERVIEWS:
        bounds["flow"] = min(bounds.get("flow", sys.maxsize), flow_bound(problem, reached))
    else:
        bounds["flow"] = min(bounds.get("flow", sys.maxsize), flow_bound(problem, 0))
    if bound and not optimal:
        lp = lp_bound(problem, reached)
        if lp is not None:
            bounds["lp"] = lp
        priced = lagrangian_bound(problem, reached, schedule.total_value(problem))
        if priced is not None:
            bounds["lagrangian"] = priced
    bound_from = min(bounds, key=lambda name: bounds[name])
    broken = violations(problem, schedule)
    if broken:
        raise RuntimeError(f"the {method} schedule breaks a rule: {broken[0]}")
    return Solution(
        schedule=schedule,
        method=method,
        optimal=optimal,
        first_bound=first_bound,
        value_bound=bounds[bound_from],
        bound_from=bound_from,
        level_bound=flow.level_bound,
        pairs_selected=flow.pairs_selected,
        pairs_dropped=flow.pairs_dropped,
        seconds=time.perf_counter() - started,
    )


def _reaches(problem: Problem, schedule: Schedule, first_bound: int) -> bool:
    """Whether ``schedule`` meets every objective's bound: the worst-off measure's, the
    slot-free flow's value at it, no minimum missed and no booth-slot idle."""
    key = schedule.key(problem)
    if key.worst_off < first_bound or key.minimum_shortfall < 0 or key.idle_booth_slots < 0:
        return False
    level = first_bound if problem.rules.worst_off == WorstOff.INTERVIEWS else 0
    return key.value >= flow_bound(problem, level)


def _first_bound(problem: Problem, level_bound: int) -> int:
    if problem.rules.worst_off == WorstOff.INTERVIEWS:
        return level_bound
    return -1 if problem.wish_count().any() else 0
