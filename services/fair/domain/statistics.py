"""The figures talent centres publish, per fair and summed over fairs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel

from shared.events import catalogue as c


class Figures(BaseModel):
    fairs: int = 0
    employers_attending: int = 0
    vacancies_offered: int = 0
    posts_offered: int = 0
    visitors: int = 0
    interviews_held: int = 0
    hiring_intentions: int = 0
    hires: int = 0
    not_suitable: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{name: getattr(self, name) + getattr(other, name) for name in Figures.model_fields})


class Demand(BaseModel):
    """One row of the talent-demand catalogue."""

    dimension: str  # talent_category, skill or industry
    value: str
    vacancies: int
    posts: int


@dataclass(frozen=True)
class OfferedVacancy:
    talent_category: str
    skills: tuple[str, ...]
    industry: str
    headcount: int


def figures(
    *,
    employers_attending: int,
    vacancies: Iterable[OfferedVacancy],
    visitors: int,
    interviews_held: int,
    outcomes: Iterable[c.Outcome],
) -> Figures:
    offered = list(vacancies)
    counted = Counter(outcomes)
    return Figures(
        fairs=1,
        employers_attending=employers_attending,
        vacancies_offered=len(offered),
        posts_offered=sum(vacancy.headcount for vacancy in offered),
        visitors=visitors,
        interviews_held=interviews_held,
        # A hire is also a hiring intention that came true, as the published figures count it.
        hiring_intentions=counted[c.Outcome.HIRING_INTENTION] + counted[c.Outcome.HIRED],
        hires=counted[c.Outcome.HIRED],
        not_suitable=counted[c.Outcome.NOT_SUITABLE],
    )


def demand(vacancies: Iterable[OfferedVacancy]) -> list[Demand]:
    """Vacancies and posts by talent category, by skill and by industry, largest first."""
    counts: Counter[tuple[str, str]] = Counter()
    posts: Counter[tuple[str, str]] = Counter()
    for vacancy in vacancies:
        keys = [
            ("talent_category", vacancy.talent_category),
            ("industry", vacancy.industry),
            *(("skill", skill) for skill in set(vacancy.skills)),
        ]
        for key in keys:
            counts[key] += 1
            posts[key] += vacancy.headcount
    rows = [Demand(dimension=d, value=v, vacancies=n, posts=posts[(d, v)]) for (d, v), n in counts.items()]
    return sorted(rows, key=lambda row: (row.dimension, -row.posts, row.value))
