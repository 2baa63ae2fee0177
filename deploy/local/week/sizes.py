"""How big a week is: the market, and the parts of it that act in person."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    employers: int
    vacancies: int
    seekers: int
    interactive: int
    """Seekers who sign up themselves (a password each) and act: the rest are imported by staff."""
    emailed: int
    """Interactive seekers who also want their matches by e-mail."""
    fair_employers: int
    fair_seekers: int
    """Interactive seekers who register for the fair."""

    def __post_init__(self) -> None:
        if not 0 < self.interactive <= self.seekers:
            raise ValueError(f"interactive seekers ({self.interactive}) must be 1..{self.seekers}")
        if self.emailed > self.interactive or self.fair_seekers > self.interactive:
            raise ValueError("e-mailed and fair seekers are drawn from the interactive ones")
        if not 0 < self.fair_employers <= self.employers or self.vacancies < self.employers:
            raise ValueError("every employer posts a vacancy, and some of them come to the fair")


FULL = Sizes(
    employers=200,
    vacancies=2_000,
    seekers=20_000,
    interactive=300,
    emailed=200,
    fair_employers=60,
    fair_seekers=300,
)


def scaled(fraction: float) -> Sizes:
    """The full week at ``fraction`` of its size (at least a handful of everything)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"scale must be in (0, 1], not {fraction}")

    def part(full: int, least: int) -> int:
        return max(round(full * fraction), least)

    interactive = part(FULL.interactive, 20)
    return Sizes(
        employers=part(FULL.employers, 5),
        vacancies=part(FULL.vacancies, 20),
        seekers=max(part(FULL.seekers, 60), interactive),
        interactive=interactive,
        emailed=part(FULL.emailed, 5),
        fair_employers=part(FULL.fair_employers, 5),
        fair_seekers=min(part(FULL.fair_seekers, 10), interactive),
    )
