"""A seeded synthetic labour market: employers, vacancies, seekers, their true fit and outcomes.

The same seed and sizes give the same market, byte for byte. Each part draws from its own
stream, so the seekers of a seed are the same whatever the number of employers or vacancies.
The tables are columnar (numpy), so a million seekers fit in memory; the ``*_event`` methods
turn one row into a catalogue payload, for the sizes a demo or a test needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from shared.events.catalogue import (
    Consent,
    ContactDetails,
    EmployerRegistered,
    SalaryRange,
    SeekerRegistered,
    VacancyPosted,
)
from shared.synthetic.codes import as_uuid
from shared.synthetic.employers import generate_employers
from shared.synthetic.fit import TrueFit, occupation_similarity
from shared.synthetic.market import CITIES
from shared.synthetic.outcomes import Outcomes, simulate_outcomes
from shared.synthetic.seekers import contact_details, generate_seekers, render_seeker
from shared.synthetic.taxonomy import EDUCATION_LEVELS, TALENT_CATEGORIES, load_taxonomy
from shared.synthetic.vacancies import generate_vacancies, render_vacancy

DEFAULT_START = datetime(2025, 3, 3, tzinfo=UTC)


class _Stream(IntEnum):
    EMPLOYERS = 1
    VACANCIES = 2
    SEEKERS = 3
    FIT = 4
    OUTCOMES = 5


class SyntheticMarket:
    """Employers, vacancies and seekers of one seed, in columns; ``weeks`` is the outcome window."""

    def __init__(
        self,
        seed: int,
        *,
        employers: int = 200,
        vacancies: int = 2_000,
        seekers: int = 20_000,
        start: datetime = DEFAULT_START,
        weeks: int = 8,
    ) -> None:
        self.seed = seed
        self.start = start
        self.weeks = weeks
        self.taxonomy = load_taxonomy()
        self.employers = generate_employers(self._rng(_Stream.EMPLOYERS), employers, self.taxonomy.industries)
        self.vacancies = generate_vacancies(
            self._rng(_Stream.VACANCIES), vacancies, self.taxonomy, self.employers, start, weeks
        )
        self.seekers = generate_seekers(self._rng(_Stream.SEEKERS), seekers, self.taxonomy)
        self._fit = TrueFit(
            seekers=self.seekers,
            vacancies=self.vacancies,
            similarity=occupation_similarity(self.taxonomy),
            key=int(self._rng(_Stream.FIT).integers(2**63)),
        )

    def _rng(self, stream: _Stream) -> np.random.Generator:
        return np.random.default_rng([self.seed, stream])

    # --- the hidden truth -------------------------------------------------------------

    def true_fit(self, seeker: int, vacancy: int) -> float:
        """How well the seeker suits the vacancy, in [0, 1]; outcomes are drawn from it."""
        return float(self._fit.pairs(np.array([seeker]), np.array([vacancy]))[0])

    def true_fit_for_vacancy(self, vacancy: int) -> npt.NDArray[np.float64]:
        """Every seeker's fit for one vacancy, indexed by seeker."""
        count = len(self.seekers)
        return self._fit.pairs(np.arange(count), np.full(count, vacancy))

    def true_fit_pairs(
        self, seekers: npt.NDArray[np.integer], vacancies: npt.NDArray[np.integer]
    ) -> npt.NDArray[np.float64]:
        """The fit of each ``seekers[i]`` for ``vacancies[i]``."""
        return self._fit.pairs(seekers, vacancies)

    def simulate_outcomes(self, exposures_per_vacancy: int = 40) -> Outcomes:
        """Who was shown which vacancy over the window, and what followed; the same for the same market."""
        return simulate_outcomes(
            self._rng(_Stream.OUTCOMES),
            self.seekers,
            self.vacancies,
            self._fit.pairs,
            self.start,
            self.weeks,
            exposures_per_vacancy,
        )

    # --- catalogue payloads -----------------------------------------------------------

    def employer_event(self, index: int) -> EmployerRegistered:
        table = self.employers
        return EmployerRegistered(
            employer_id=as_uuid(table.ids[index]),
            name=table.names[index],
            credit_code=table.credit_codes[index],
            industry=self.taxonomy.industries[table.industry[index]],
            city=CITIES[table.city[index]].zh,
        )

    def vacancy_event(self, index: int) -> VacancyPosted:
        table = self.vacancies
        employer = int(table.employer[index])
        text = render_vacancy(table, index, self.taxonomy, self.employers.names[employer])
        deadline: date = table.deadline[index].item()
        return VacancyPosted(
            vacancy_id=as_uuid(table.ids[index]),
            employer_id=as_uuid(self.employers.ids[employer]),
            version=1,
            title=text.title,
            description=text.description,
            skills=text.skills,
            education_level=EDUCATION_LEVELS[table.education[index]],
            min_experience_years=int(table.min_experience[index]),
            salary=SalaryRange(min=int(table.salary_min[index]), max=int(table.salary_max[index])),
            city=CITIES[table.city[index]].zh,
            remote=bool(table.remote[index]),
            headcount=int(table.headcount[index]),
            talent_category=self.taxonomy.occupations[table.occupation[index]].category,
            graduate_friendly=bool(table.graduate_friendly[index]),
            deadline=deadline,
        )

    def vacancy_posted_at(self, index: int) -> datetime:
        posted: datetime = self.vacancies.posted_at[index].item()
        return posted.replace(tzinfo=UTC)

    def seeker_event(self, index: int) -> tuple[SeekerRegistered, ContactDetails]:
        """The registered profile, and the contact details the profile keeps off the bus."""
        table = self.seekers
        text = render_seeker(table, index, self.taxonomy, self.start.year)
        category = int(table.talent_category[index])
        event = SeekerRegistered(
            seeker_id=as_uuid(table.ids[index]),
            version=1,
            display_name=table.display_names[index],
            education=text.education,
            experience_years=int(table.experience[index]),
            skills=text.skills,
            desired_roles=text.desired_roles,
            desired_cities=text.desired_cities,
            salary_expectation=SalaryRange(min=int(table.salary_min[index]), max=int(table.salary_max[index]))
            if table.salary_min[index]
            else None,
            talent_category=TALENT_CATEGORIES[category] if category >= 0 else None,
            languages=text.languages,
            summary=text.summary,
            consent=Consent(
                allow_matching=bool(table.allow_matching[index]),
                allow_contact=bool(table.allow_contact[index]),
                personalised_recommendations=bool(table.personalised_recommendations[index]),
            ),
            notification_language="en" if table.writes_english[index] else "zh-CN",
        )
        return event, contact_details(table, index)

    def employer_events(self) -> Iterator[EmployerRegistered]:
        return (self.employer_event(index) for index in range(len(self.employers)))

    def vacancy_events(self) -> Iterator[VacancyPosted]:
        return (self.vacancy_event(index) for index in range(len(self.vacancies)))

    def seeker_events(self) -> Iterator[tuple[SeekerRegistered, ContactDetails]]:
        return (self.seeker_event(index) for index in range(len(self.seekers)))
