"""A bilingual market of candidate pools, for judging a ranker where writing differs from meaning.

Each pool is one vacancy (from the synthetic market's vacancies, written in Chinese or English)
and the seekers in its city it should be ranked against, each with a known relevance:

- ``qualified`` (3): the vacancy's occupation, most of its skills, the years and education asked,
  pay within its range;
- ``partial`` (2): the vacancy's occupation, some of its skills, up to two years short;
- ``near_miss`` (1): another occupation of the same ISCO sub-major group or industry, with its
  own skills (some shared with the vacancy's);
- ``stuffed`` (0): lists every skill of the vacancy's occupation and others besides, with no
  experience and an unrelated major;
- ``salary`` (0): qualified, but expects two to four times the vacancy's maximum pay;
- ``unrelated`` (0): any occupation.

Which difficulties a pool contains is chosen per call (``Difficulty``): without
``OTHER_LANGUAGE`` everyone writes in the vacancy's language, without ``VARIANT_FORMS`` every
skill is written as its preferred label. Skills written differently come from the matcher's
vocabulary (ESCO's alternative labels, the project's synonyms and abbreviations), with case,
full-width and traditional forms drawn on top, so this market measures how much of that
vocabulary a ranker uses, not how it copes with wording nobody has listed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Flag, auto

import numpy as np

from services.matching.domain.vocabulary import load_vocabulary
from shared.events.catalogue import (
    Education,
    EducationLevel,
    SalaryRange,
    SeekerRegistered,
    VacancyPosted,
)
from shared.synthetic.generator import SyntheticMarket
from shared.synthetic.market import CITIES
from shared.synthetic.names import MAJORS
from shared.synthetic.taxonomy import EDUCATION_LEVELS, english_title

RELEVANCE = {"qualified": 3, "partial": 2, "near_miss": 1, "stuffed": 0, "salary": 0, "unrelated": 0}
_EMPLOYER = uuid.UUID(int=0)


class Difficulty(Flag):
    NONE = 0
    OTHER_LANGUAGE = auto()
    VARIANT_FORMS = auto()
    STUFFED = auto()
    NEAR_MISS = auto()
    SALARY = auto()
    ALL = OTHER_LANGUAGE | VARIANT_FORMS | STUFFED | NEAR_MISS | SALARY


@dataclass(frozen=True)
class Candidate:
    seeker: SeekerRegistered
    kind: str
    chinese: bool

    @property
    def relevance(self) -> int:
        return RELEVANCE[self.kind]


@dataclass(frozen=True)
class Pool:
    vacancy: VacancyPosted
    chinese: bool
    candidates: list[Candidate]


class BilingualPools:
    """Pools drawn from one seed; the same seed, difficulty and index give the same pool."""

    def __init__(self, seed: int, vacancies: int) -> None:
        self.seed = seed
        self.market = SyntheticMarket(seed, vacancies=vacancies, seekers=1)
        self.taxonomy = self.market.taxonomy
        self.vocabulary = load_vocabulary()
        self._traditional = {s: t for t, s in self.vocabulary.traditional_pairs()}
        self._isco = [occupation.isco for occupation in self.taxonomy.occupations]
        self._industry = [occupation.industry for occupation in self.taxonomy.occupations]

    def pools(self, difficulty: Difficulty) -> list[Pool]:
        return [self.pool(index, difficulty) for index in range(len(self.market.vacancies))]

    def pool(self, index: int, difficulty: Difficulty) -> Pool:
        rng = np.random.default_rng([self.seed, difficulty.value, index])
        table = self.market.vacancies
        occupation = int(table.occupation[index])
        required = [int(skill) for skill in table.skills[index] if skill >= 0]
        chinese = bool(rng.random() < 0.5)
        vacancy = self._vacancy(rng, index, occupation, required, chinese, difficulty)
        kinds = ["qualified"] * (2 + rng.binomial(4, 0.5)) + ["partial"] * (2 + rng.binomial(4, 0.5))
        kinds += ["unrelated"] * (18 + rng.binomial(8, 0.5))
        if Difficulty.NEAR_MISS in difficulty:
            kinds += ["near_miss"] * (4 + rng.binomial(6, 0.5))
        if Difficulty.STUFFED in difficulty:
            kinds += ["stuffed"] * (2 + rng.binomial(4, 0.5))
        if Difficulty.SALARY in difficulty:
            kinds += ["salary"] * (1 + rng.binomial(2, 0.5))
        candidates = []
        for kind in (kinds[i] for i in rng.permutation(len(kinds))):
            writes_chinese = (
                chinese if Difficulty.OTHER_LANGUAGE not in difficulty else bool(rng.random() < 0.5)
            )
            seeker = self._seeker(rng, kind, index, occupation, required, writes_chinese, difficulty)
            candidates.append(Candidate(seeker, kind, writes_chinese))
        return Pool(vacancy, chinese, candidates)

    # --- writing ----------------------------------------------------------------------

    def write_skill(self, rng: np.random.Generator, skill: int, chinese: bool, variants: bool) -> str:
        entry = self.vocabulary.skills[skill]
        written = entry.zh if chinese else entry.en
        if not variants:
            return written
        synonyms = [s for s in entry.synonyms if _is_chinese(s) == chinese]
        draw = rng.random()
        if draw < 0.35 and synonyms:
            written = synonyms[rng.integers(len(synonyms))]
        elif draw < 0.6 and entry.abbreviations:
            written = entry.abbreviations[rng.integers(len(entry.abbreviations))]
        if chinese and rng.random() < 0.2:
            written = "".join(self._traditional.get(c, c) for c in written)
        if not chinese and rng.random() < 0.15:
            written = written.upper() if rng.random() < 0.5 else written.title()
        if rng.random() < 0.05:
            written = _full_width(written)
        return written

    def _skills_text(
        self, rng: np.random.Generator, skills: list[int], chinese: bool, difficulty: Difficulty
    ) -> list[str]:
        # Mixed profiles: a few skills in the other language, as bilingual writers do.
        other = Difficulty.OTHER_LANGUAGE in difficulty
        return list(
            dict.fromkeys(
                self.write_skill(
                    rng,
                    skill,
                    chinese != bool(other and rng.random() < 0.15),
                    Difficulty.VARIANT_FORMS in difficulty,
                )
                for skill in skills
            )
        )

    def _vacancy(
        self,
        rng: np.random.Generator,
        index: int,
        occupation: int,
        required: list[int],
        chinese: bool,
        difficulty: Difficulty,
    ) -> VacancyPosted:
        table, item = self.market.vacancies, self.taxonomy.occupations[occupation]
        skills = self._skills_text(rng, required, chinese, difficulty & Difficulty.VARIANT_FORMS)
        years = int(table.min_experience[index])
        if chinese:
            title = ["", "高级", "资深"][rng.integers(3)] + item.zh
            description = f"招聘{item.zh}，要求{years}年以上经验，熟悉{'、'.join(skills)}。"
        else:
            title = ["", "Senior ", "Lead "][rng.integers(3)] + english_title(item.en)
            description = (
                f"We are hiring a {item.en} with {years}+ years of experience in {', '.join(skills)}."
            )
        return VacancyPosted(
            vacancy_id=uuid.UUID(int=index + 1),
            employer_id=_EMPLOYER,
            version=1,
            title=title,
            description=description,
            skills=skills,
            education_level=EDUCATION_LEVELS[table.education[index]],
            min_experience_years=years,
            salary=SalaryRange(min=int(table.salary_min[index]), max=int(table.salary_max[index])),
            city=CITIES[table.city[index]].zh,
            talent_category=item.category,
        )

    def _related(self, rng: np.random.Generator, occupation: int) -> int:
        """Another occupation of the same ISCO sub-major group, else of the same industry, else any."""
        groups = [isco[:2] for isco in self._isco], self._industry
        for group in groups:
            others = [o for o in range(len(group)) if o != occupation and group[o] == group[occupation]]
            if others:
                return int(others[rng.integers(len(others))])
        return int(rng.integers(len(self._isco)))

    def _seeker(
        self,
        rng: np.random.Generator,
        kind: str,
        vacancy: int,
        occupation: int,
        required: list[int],
        chinese: bool,
        difficulty: Difficulty,
    ) -> SeekerRegistered:
        table, taxonomy = self.market.vacancies, self.taxonomy
        asked_years, asked_level = int(table.min_experience[vacancy]), int(table.education[vacancy])
        low, high = int(table.salary_min[vacancy]), int(table.salary_max[vacancy])
        own = occupation
        if kind == "near_miss":
            own = self._related(rng, occupation)
        elif kind == "unrelated":
            own = int(rng.integers(len(taxonomy.occupations)))
        own_skills = list(taxonomy.occupations[own].skills)
        if kind in ("qualified", "salary"):
            kept = [s for s in required if rng.random() < 0.85] or required[:1]
            skills = kept + _some(rng, own_skills, 1, 4)
            years = asked_years + int(rng.integers(0, 7))
            level = min(asked_level + int(rng.integers(0, 2)), len(EDUCATION_LEVELS) - 1)
        elif kind == "partial":
            skills = [s for s in required if rng.random() < 0.5] + _some(rng, own_skills, 1, 4)
            years = max(asked_years - int(rng.integers(0, 3)), 0)
            level = max(asked_level - int(rng.random() < 0.2), 0)
        elif kind == "stuffed":
            others = self.taxonomy.occupations[self._related(rng, occupation)].skills
            skills = (
                own_skills + _some(rng, list(others), 3, 10) + _some(rng, range(len(taxonomy.skills)), 0, 4)
            )
            years, level = 0, asked_level
        else:
            skills = _some(rng, own_skills, 3, 9)
            years = max(int(rng.gamma(1.8, 3.0)), 0)
            level = int(rng.integers(1, len(EDUCATION_LEVELS)))
        if kind == "salary":
            expected = int(high * rng.uniform(2, 4))
        else:
            expected = int(rng.uniform(low, (low + high) / 2))
        skill_text = self._skills_text(rng, list(dict.fromkeys(skills)), chinese, difficulty)
        item = taxonomy.occupations[occupation if kind == "stuffed" else own]
        role = item.zh if chinese else english_title(item.en)
        major_industry = (
            taxonomy.industries[rng.integers(len(taxonomy.industries))]
            if kind == "stuffed"
            else item.industry
        )
        majors = MAJORS.get(major_industry, ("",))
        education = (
            [
                Education(
                    level=EDUCATION_LEVELS[level],
                    school="某大学",
                    major=majors[rng.integers(len(majors))],
                    graduation_year=2025 - years,
                )
            ]
            if EDUCATION_LEVELS[level] not in (EducationLevel.NONE, EducationLevel.SECONDARY)
            else []
        )
        summary = ""
        if years and kind != "stuffed":
            shown = skill_text[:2]
            summary = (
                f"{years}年{role}相关工作经验，熟悉{'、'.join(shown)}。"
                if chinese
                else f"{years} years of experience as {role}; skilled in {' and '.join(shown)}."
            )
        return SeekerRegistered(
            seeker_id=uuid.UUID(int=int(rng.integers(2**62))),
            version=1,
            display_name="候选人",
            education=education,
            experience_years=years,
            skills=skill_text[:200],
            desired_roles=[role],
            desired_cities=[CITIES[table.city[vacancy]].zh],
            salary_expectation=SalaryRange(min=expected, max=int(expected * 1.3)),
            talent_category=item.category,
            summary=summary,
            notification_language="zh-CN" if chinese else "en",
        )


def _some(rng: np.random.Generator, items: list[int] | range, low: int, high: int) -> list[int]:
    count = min(int(rng.integers(low, high + 1)), len(items))
    return [int(items[i]) for i in rng.choice(len(items), size=count, replace=False)]


def _is_chinese(text: str) -> bool:
    return any("\u3400" <= character <= "\u9fff" for character in text)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
