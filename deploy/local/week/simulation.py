"""What the simulated people do, drawn from a seeded generator and the market's hidden fit. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shared.events.catalogue import Outcome

SHOW_UP = 0.85
"""Share of registered seekers who come to the fair."""


@dataclass(frozen=True)
class Cast:
    """Which seekers (market indices) act in person, and which of them want e-mail or come to the fair."""

    interactive: list[int]
    emailed: list[int]
    fair: list[int]


def cast(rng: np.random.Generator, seekers: int, interactive: int, emailed: int, fair: int) -> Cast:
    """Interactive seekers drawn from the market; e-mailed and fair-goers drawn from those."""
    people = sorted(int(i) for i in rng.choice(seekers, size=interactive, replace=False))
    return Cast(
        interactive=people,
        emailed=sorted(int(i) for i in rng.choice(people, size=emailed, replace=False)),
        fair=sorted(int(i) for i in rng.choice(people, size=fair, replace=False)),
    )


def shows_up(rng: np.random.Generator, count: int) -> list[bool]:
    return [bool(u < SHOW_UP) for u in rng.random(count)]


def interview_outcome(rng: np.random.Generator, fit: float) -> Outcome:
    """How an interview held at the fair ends: hired as often as after an accepted invitation in
    the generator's simulation (``shared.synthetic.outcomes``), an intention as often again."""
    draw = rng.random()
    if draw < 0.05 + 0.8 * fit:
        return Outcome.HIRED
    if draw < 0.1 + 1.6 * fit:
        return Outcome.HIRING_INTENTION
    return Outcome.NOT_SUITABLE


def applications(rng: np.random.Generator, fits: Sequence[float]) -> list[int]:
    """Which of a seeker's matches (positions in ``fits``) the seeker applies to: each as often as a
    shown vacancy in the generator's simulation."""
    return [position for position, fit in enumerate(fits) if rng.random() < 0.03 + 0.5 * fit]
