"""Interview itineraries: the model (who may meet whom, when), the objective and the rules.

Seekers and employers (one booth each) by index; one row per candidate pair (the seeker
may meet the employer) with its match score and, where the seeker ranked the employer,
the wish rank (1 = first wish). The day has ``slots`` interview slots.

- **Employers**: ``interviewers`` (interviews held at once, per slot; default
  ``Rules.per_booth_slot``), ``present`` (slots the booth is staffed: arrival, departure
  and breaks; default every slot), ``minimum`` and ``maximum`` interviews over the day
  (default none and unlimited).
- **Seekers**: ``available`` (slots they can attend; default every slot) and ``wanted``
  (how many interviews; default ``Rules.per_seeker``).

**Hard rules** (``violations`` checks them, independently of any solver): an interview
sits in a slot both sides attend, at most ``interviewers`` per booth and slot, at most
``maximum`` per employer, at most ``wanted`` per seeker, one per pair, and no two of a
seeker's within ``gap_slots`` free slots of each other.

**Objective**, lexicographic (``Objective``; larger is better, compared in this order):

1. the worst-off seeker, by the measure staff choose (``Rules.worst_off``):
   ``"interviews"``: the fairness level, the highest m such that every seeker has at
   least min(m, the interviews they could have); ``"wish"``: minus the worst, over seekers
   who ranked wishes, of the best rank they were given (a seeker given no wish counts as
   one past their last);
2. the total value: match scores plus ``wish_weight / rank`` for each wish given,
   in units of 1/``VALUE_SCALE``;
3. minus the interviews employers miss below their ``minimum`` (a soft floor);
4. minus the idle booth-slots (a staffed booth slot with no interview).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from shared.errors import Conflict

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Values (scores and wishes) count in integer units of this resolution, so every solver
# and the checker compare the same numbers.
VALUE_SCALE = 10_000
MAX_SLOTS = 96
MAX_PER_SEEKER = 12


class Unschedulable(Conflict):
    """The input cannot give a schedule; the message says what to change."""


class WorstOff(StrEnum):
    INTERVIEWS = "interviews"
    WISH = "wish"


@dataclass(frozen=True)
class Rules:
    slots: int
    per_seeker: int = 3
    per_booth_slot: int = 1
    gap_slots: int = 1
    worst_off: WorstOff = WorstOff.INTERVIEWS
    wish_weight: float = 1.0

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
        if self.wish_weight < 0:
            raise Unschedulable("the weight of a wish cannot be negative")
        needed = (self.per_seeker - 1) * (self.gap_slots + 1) + 1
        if needed > self.slots:
            raise Unschedulable(
                f"{self.per_seeker} interviews with {self.gap_slots} free slot(s) between them need "
                f"{needed} slots; the fair has {self.slots}"
            )


@dataclass(frozen=True)
class Problem:
    """One fair's scheduling input; the optional arrays default as the module says."""

    seekers: int
    employers: int
    seeker: Ints
    employer: Ints
    score: Floats
    rules: Rules
    rank: Ints | None = None  # per pair: the seeker's wish rank, 0 where not a wish
    wanted: Ints | None = None  # per seeker
    available: Bools | None = None  # seekers x slots
    interviewers: Ints | None = None  # per employer
    present: Bools | None = None  # employers x slots
    minimum: Ints | None = None  # per employer
    maximum: Ints | None = None  # per employer

    def check(self) -> None:
        self.rules.check()
        if self.employers < 1:
            raise Unschedulable("no employer has a booth: approve employers before scheduling")
        if self.seekers < 1:
            raise Unschedulable("no seeker is registered for this fair")
        if not len(self.seeker) == len(self.employer) == len(self.score) == len(self.ranks()):
            raise ValueError("pair arrays differ in length")
        if len(self.score) == 0:
            raise Unschedulable("no registered seeker matches a vacancy of a registered employer")
        if self.seeker.min() < 0 or self.seeker.max() >= self.seekers:
            raise ValueError("a pair names a seeker index out of range")
        if self.employer.min() < 0 or self.employer.max() >= self.employers:
            raise ValueError("a pair names an employer index out of range")
        if not np.all((self.score >= 0) & (self.score <= 1)):
            raise ValueError("match scores must lie in [0, 1]")
        if np.any(self.ranks() < 0):
            raise ValueError("a wish rank must be 1 or more (0: not a wish)")
        keys = self.seeker * self.employers + self.employer
        if len(np.unique(keys)) != len(keys):
            raise ValueError("a seeker-employer pair appears twice: keep its best vacancy only")
        slots = self.rules.slots
        shapes = {
            "wanted": (self.wants(), (self.seekers,)),
            "available": (self.availability(), (self.seekers, slots)),
            "interviewers": (self.capacity(), (self.employers,)),
            "present": (self.presence(), (self.employers, slots)),
            "minimum": (self.floor(), (self.employers,)),
            "maximum": (self.ceiling(), (self.employers,)),
        }
        for name, (array, shape) in shapes.items():
            if array.shape != shape:
                raise ValueError(f"{name} has shape {array.shape}, not {shape}")
        if np.any((self.wants() < 0) | (self.wants() > MAX_PER_SEEKER)):
            raise Unschedulable(f"interviews wanted by a seeker must be 0 to {MAX_PER_SEEKER}")
        if np.any(self.capacity() < 0):
            raise Unschedulable("an employer cannot have fewer than zero interviewers")
        if np.any((self.floor() < 0) | (self.floor() > self.ceiling())):
            raise Unschedulable("an employer's minimum interviews must lie between 0 and its maximum")

    # The arrays with their defaults.

    def ranks(self) -> Ints:
        return np.zeros(len(self.score), np.int64) if self.rank is None else self.rank

    def wants(self) -> Ints:
        default = np.full(self.seekers, self.rules.per_seeker, np.int64)
        return default if self.wanted is None else self.wanted

    def availability(self) -> Bools:
        default = np.ones((self.seekers, self.rules.slots), np.bool_)
        return default if self.available is None else self.available

    def capacity(self) -> Ints:
        default = np.full(self.employers, self.rules.per_booth_slot, np.int64)
        return default if self.interviewers is None else self.interviewers

    def presence(self) -> Bools:
        default = np.ones((self.employers, self.rules.slots), np.bool_)
        return default if self.present is None else self.present

    def floor(self) -> Ints:
        return np.zeros(self.employers, np.int64) if self.minimum is None else self.minimum

    def ceiling(self) -> Ints:
        unlimited = np.full(self.employers, self.rules.slots * MAX_PER_SEEKER * self.seekers, np.int64)
        return unlimited if self.maximum is None else self.maximum

    # Derived figures.

    def booth_room(self) -> Ints:
        """Employers x slots: interviews each booth holds in each slot."""
        return np.where(self.presence(), self.capacity()[:, np.newaxis], 0).astype(np.int64)

    def booth_total(self) -> Ints:
        """Per employer, the most interviews over the day: room summed, capped by the maximum."""
        total: Ints = np.minimum(self.booth_room().sum(axis=1), self.ceiling())
        return total

    def value(self) -> Ints:
        """Per pair, its integer value: the match score plus the wish's weight over its rank."""
        ranks = self.ranks()
        wish = np.where(ranks > 0, self.rules.wish_weight / np.maximum(ranks, 1), 0.0)
        return np.rint((self.score + wish) * VALUE_SCALE).astype(np.int64)

    def fitting(self) -> Ints:
        """Per seeker, the most interviews their availability holds with the gap between them
        (earliest first is optimal for this interval packing)."""
        count = np.zeros(self.seekers, np.int64)
        last = np.full(self.seekers, -(self.rules.gap_slots + 1), np.int64)
        available = self.availability()
        for slot in range(self.rules.slots):
            take = available[:, slot] & (slot - last > self.rules.gap_slots)
            count += take
            last = np.where(take, slot, last)
        return count

    def possible(self) -> Ints:
        """Per seeker, the most interviews they could have: wanted, capped by their candidate
        employers and by what their availability holds."""
        counts = np.bincount(self.seeker, minlength=self.seekers).astype(np.int64)
        return np.minimum(np.minimum(counts, self.wants()), self.fitting())

    def wish_count(self) -> Ints:
        """Per seeker, how many wishes they ranked."""
        ranked = self.ranks() > 0
        return np.bincount(self.seeker[ranked], minlength=self.seekers).astype(np.int64)


class Objective(NamedTuple):
    """The lexicographic objective; tuples compare in this order, larger is better."""

    worst_off: int
    value: int
    minimum_shortfall: int  # negated
    idle_booth_slots: int  # negated


@dataclass(frozen=True)
class Schedule:
    """Interviews as rows: the candidate pair (index into the problem's pairs) and its slot."""

    pair: Ints
    slot: Ints

    def per_seeker(self, problem: Problem) -> Ints:
        return np.bincount(problem.seeker[self.pair], minlength=problem.seekers).astype(np.int64)

    def per_employer(self, problem: Problem) -> Ints:
        return np.bincount(problem.employer[self.pair], minlength=problem.employers).astype(np.int64)

    def total_score(self, problem: Problem) -> float:
        return float(problem.score[self.pair].sum())

    def total_value(self, problem: Problem) -> int:
        return int(problem.value()[self.pair].sum())

    def wishes_given(self, problem: Problem) -> int:
        return int(np.count_nonzero(problem.ranks()[self.pair] > 0))

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

    def worst_wish(self, problem: Problem) -> int:
        """Over seekers who ranked wishes, the worst best rank given (one past their last if none)."""
        wishes = problem.wish_count()
        best = wishes + 1
        ranks = problem.ranks()[self.pair]
        given = ranks > 0
        np.minimum.at(best, problem.seeker[self.pair][given], ranks[given])
        ranked = wishes > 0
        return int(best[ranked].max()) if ranked.any() else 0

    def minimum_shortfall(self, problem: Problem) -> int:
        return int(np.maximum(problem.floor() - self.per_employer(problem), 0).sum())

    def idle_booth_slots(self, problem: Problem) -> int:
        staffed = problem.booth_room() > 0
        busy = np.zeros_like(staffed)
        busy[problem.employer[self.pair], self.slot] = True
        return int(np.count_nonzero(staffed & ~busy))

    def first_objective(self, problem: Problem) -> int:
        if problem.rules.worst_off == WorstOff.WISH:
            return -self.worst_wish(problem)
        return self.level(problem)

    def key(self, problem: Problem) -> Objective:
        return Objective(
            self.first_objective(problem),
            self.total_value(problem),
            -self.minimum_shortfall(problem),
            -self.idle_booth_slots(problem),
        )


def violations(problem: Problem, schedule: Schedule) -> list[str]:
    """Every broken hard rule, in words; empty for a feasible schedule.

    Written from the rules alone, apart from the solvers' own bookkeeping, so that it can
    check them.
    """
    found: list[str] = []
    pairs, slots = schedule.pair.tolist(), schedule.slot.tolist()
    if len(pairs) != len(slots):
        return ["pairs and slots differ in length"]
    if len(set(pairs)) != len(pairs):
        found.append("a pair has two interviews")
    available, present = problem.availability(), problem.presence()
    capacity, ceiling, wants = problem.capacity(), problem.ceiling(), problem.wants()
    at_booth: dict[tuple[int, int], int] = {}
    per_employer: dict[int, int] = {}
    slots_of: dict[int, list[int]] = {}
    for pair, slot in zip(pairs, slots, strict=True):
        if not 0 <= pair < len(problem.score):
            found.append(f"pair {pair} does not exist")
            continue
        if not 0 <= slot < problem.rules.slots:
            found.append(f"slot {slot} is outside the day")
            continue
        seeker, employer = int(problem.seeker[pair]), int(problem.employer[pair])
        if not available[seeker, slot]:
            found.append(f"seeker {seeker} is not available in slot {slot}")
        if not present[employer, slot]:
            found.append(f"employer {employer} is not at the booth in slot {slot}")
        at_booth[(employer, slot)] = at_booth.get((employer, slot), 0) + 1
        per_employer[employer] = per_employer.get(employer, 0) + 1
        slots_of.setdefault(seeker, []).append(slot)
    for (employer, slot), count in at_booth.items():
        if count > capacity[employer]:
            found.append(
                f"employer {employer} has {count} interviews in slot {slot}, {capacity[employer]} at once"
            )
    for employer, count in per_employer.items():
        if count > ceiling[employer]:
            found.append(f"employer {employer} has {count} interviews, at most {ceiling[employer]}")
    for seeker, taken in slots_of.items():
        if len(taken) > wants[seeker]:
            found.append(f"seeker {seeker} has {len(taken)} interviews, wanted {wants[seeker]}")
        for a, b in itertools.pairwise(sorted(taken)):
            if b - a <= problem.rules.gap_slots:
                found.append(f"seeker {seeker} has interviews in slots {a} and {b}, closer than the gap")
    return found
