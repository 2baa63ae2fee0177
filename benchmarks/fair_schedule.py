"""Interview scheduling: greedy, the flow schedule and the improved schedule, with an honest
bound and an independent feasibility check.

    .venv/bin/python -m benchmarks.fair_schedule [--suite small|medium|hall|tight|tight-small]
        [--seed 2026] [--booths 600] [--seekers 20000] [--slots 12] [--per-seeker 3]
        [--per-booth-slot 4] [--gap 1] [--candidates 40] [--rich] [--seconds 120]

Without ``--suite`` one instance is built from the flags. The suites:
``small``: 15 employers with 40, 70 and 100 seekers, rich, 20 s each; ``medium``: 15 x 400,
rich, 60 s; ``hall``: 600 x 20,000, 120 s; ``tight``: the hall with c = 8 and gap 4,
120 s; ``tight-small``: 30 x 1,000 with c = 8 and gap 4, 60 s.

Each seeker has ``--candidates`` candidate employers (the matcher's top vacancies, the best
one per employer), drawn with a skewed popularity so popular booths are oversubscribed, and
a score in [0, 1] each. ``--rich`` adds what real fairs state: a third of the seekers
attend a window of the day, want 1 to k interviews and rank up to three wishes; employers
have 1 to c interviewers, some arrive late, leave early or take a break, and some have a
minimum (and a maximum) number of interviews.

The solver time is deterministic (``--seconds``), capped by the same number of wall seconds
on a busy machine. The bound is the tightest of the slot-free flow, the LP relaxation of the
slot-aware model (up to 2 million variables) and CP-SAT's own; the gap is measured on the
total value (scores plus wishes) among schedules at least as fair. ``check`` is the
independent rule checker's verdict on each schedule.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from services.fair.domain.scheduling import VALUE_SCALE, Problem, Rules, Schedule, violations
from services.fair.domain.solver import solve
from services.fair.domain.warm_start import flow_schedule, greedy

SUITES = {
    "small": [
        dict(booths=15, seekers=n, candidates=6, per_booth_slot=2, rich=True, seconds=20.0)
        for n in (40, 70, 100)
    ],
    "medium": [dict(booths=15, seekers=400, candidates=6, rich=True, seconds=60.0)],
    "hall": [dict(booths=600, seekers=20_000, seconds=120.0)],
    "tight": [dict(booths=600, seekers=20_000, per_booth_slot=8, gap=4, seconds=120.0)],
    "tight-small": [dict(booths=30, seekers=1_000, candidates=30, per_booth_slot=8, gap=4, seconds=60.0)],
}


def instance(
    rng: np.random.Generator, *, booths: int, seekers: int, candidates: int, rules: Rules
) -> Problem:
    popularity = rng.lognormal(0.0, 1.0, booths)
    weights = popularity / popularity.sum()
    # Gumbel top-k: ``candidates`` distinct employers per seeker, weighted by popularity.
    keys = np.log(weights)[np.newaxis, :] + rng.gumbel(size=(seekers, booths))
    chosen = np.argpartition(-keys, candidates - 1, axis=1)[:, :candidates]
    seeker = np.repeat(np.arange(seekers, dtype=np.int64), candidates)
    employer = chosen.reshape(-1).astype(np.int64)
    score = np.round(rng.beta(2.0, 3.0, len(seeker)), 4)
    return Problem(seekers, booths, seeker, employer, score, rules)


def enrich(rng: np.random.Generator, problem: Problem) -> Problem:
    """Windows, wanted counts and wishes for seekers; interviewers, hours, breaks and
    minimum/maximum for employers."""
    rules, slots = problem.rules, problem.rules.slots
    available = np.ones((problem.seekers, slots), np.bool_)
    windowed = rng.random(problem.seekers) < 1 / 3
    starts = rng.integers(0, slots // 2, problem.seekers)
    lengths = rng.integers(slots // 2, slots + 1, problem.seekers)
    index = np.arange(slots)[np.newaxis, :]
    window = (index >= starts[:, np.newaxis]) & (index < (starts + lengths)[:, np.newaxis])
    available[windowed] = window[windowed]
    wanted = rng.integers(1, rules.per_seeker + 1, problem.seekers)
    # Up to three wishes per seeker: their best-scored candidates, in a noisy order.
    noisy = problem.score + rng.normal(0, 0.1, len(problem.score))
    order = np.lexsort((-noisy, problem.seeker))
    position = np.empty(len(order), np.int64)
    starts_of = np.searchsorted(problem.seeker[order], np.arange(problem.seekers))
    position[order] = np.arange(len(order)) - starts_of[problem.seeker[order]]
    wishes = rng.integers(0, 4, problem.seekers)
    rank = np.where(position < wishes[problem.seeker], position + 1, 0)
    interviewers = rng.integers(1, rules.per_booth_slot + 1, problem.employers)
    present = np.ones((problem.employers, slots), np.bool_)
    late = rng.random(problem.employers) < 0.2
    present[late, : slots // 4] = False
    early = rng.random(problem.employers) < 0.2
    present[early, slots - slots // 4 :] = False
    pause = rng.random(problem.employers) < 0.3
    present[pause, slots // 2] = False
    room = (present.sum(axis=1) * interviewers).astype(np.int64)
    minimum = np.where(rng.random(problem.employers) < 0.3, np.minimum(room, 4), 0)
    maximum = np.where(rng.random(problem.employers) < 0.2, np.maximum(minimum, room * 3 // 4), room)
    return replace(
        problem,
        rank=rank.astype(np.int64),
        wanted=wanted.astype(np.int64),
        available=available,
        interviewers=interviewers.astype(np.int64),
        present=present,
        minimum=minimum.astype(np.int64),
        maximum=maximum.astype(np.int64),
    )


def _row(name: str, problem: Problem, schedule: Schedule, seconds: float) -> str:
    broken = violations(problem, schedule)
    return (
        f"{name:<10} {schedule.level(problem):>6} {schedule.worst_off(problem):>10} "
        f"{len(schedule.pair):>11,} {schedule.total_value(problem) / VALUE_SCALE:>12,.1f} "
        f"{schedule.minimum_shortfall(problem):>9,} {schedule.idle_booth_slots(problem):>6,} "
        f"{seconds:>8.1f}  {'ok' if not broken else f'{len(broken)} broken: {broken[0]}'}"
    )


def run(
    seed: int, booths: int, seekers: int, candidates: int, rules: Rules, rich: bool, seconds: float
) -> None:
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    problem = instance(rng, booths=booths, seekers=seekers, candidates=min(candidates, booths), rules=rules)
    if rich:
        problem = enrich(rng, problem)
    print(
        f"\n== {booths} booths, {seekers:,} seekers, {len(problem.score):,} candidate pairs, "
        f"{rules.slots} slots, k={rules.per_seeker}, c={rules.per_booth_slot}, gap={rules.gap_slots}"
        f"{', rich' if rich else ''}; {seconds:.0f} s budget "
        f"({time.perf_counter() - started:.1f} s to build)",
        flush=True,
    )
    started = time.perf_counter()
    baseline = greedy(problem)
    greedy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    flow = flow_schedule(problem)
    flow_seconds = time.perf_counter() - started
    solution = solve(problem, seconds=seconds, seed=seed, wall_seconds=seconds)
    header = (
        "scheduler",
        "level",
        "min/seeker",
        "interviews",
        "total value",
        "shortfall",
        "idle",
        "time s",
        "check",
    )
    print("{:<10} {:>6} {:>10} {:>11} {:>12} {:>9} {:>6} {:>8}  {}".format(*header))
    print(_row("greedy", problem, baseline, greedy_seconds))
    print(_row("flow", problem, flow.schedule, flow_seconds))
    print(_row("solved", problem, solution.schedule, solution.seconds))
    bound = solution.value_bound
    flow_gap = max(0.0, 1 - flow.schedule.total_value(problem) / max(bound, 1))
    print(
        f"method {solution.method}, objectives proven optimal: {solution.proven(problem)} of 4; "
        f"level bound {solution.first_bound} (flow {solution.level_bound}); "
        f"value bound {bound / VALUE_SCALE:,.1f} from the {solution.bound_from}; "
        f"gap {solution.gap(problem):.3%}; flow schedule's gap {flow_gap:.3%}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=sorted(SUITES))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--booths", type=int, default=600)
    parser.add_argument("--seekers", type=int, default=20_000)
    parser.add_argument("--slots", type=int, default=12)
    parser.add_argument("--per-seeker", type=int, default=3)
    parser.add_argument("--per-booth-slot", type=int, default=4)
    parser.add_argument("--gap", type=int, default=1)
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument("--rich", action="store_true")
    parser.add_argument("--seconds", type=float, default=120.0)
    arguments = parser.parse_args()
    defaults = {
        "booths": arguments.booths,
        "seekers": arguments.seekers,
        "candidates": arguments.candidates,
        "per_booth_slot": arguments.per_booth_slot,
        "gap": arguments.gap,
        "rich": arguments.rich,
        "seconds": arguments.seconds,
    }
    cases = [{**defaults, **case} for case in SUITES[arguments.suite]] if arguments.suite else [defaults]
    for case in cases:
        rules = Rules(
            slots=arguments.slots,
            per_seeker=arguments.per_seeker,
            per_booth_slot=int(case["per_booth_slot"]),
            gap_slots=int(case["gap"]),
        )
        run(
            arguments.seed,
            int(case["booths"]),
            int(case["seekers"]),
            int(case["candidates"]),
            rules,
            bool(case["rich"]),
            float(case["seconds"]),
        )


if __name__ == "__main__":
    main()
