"""Synthetic job seekers: columns drawn together (a million in seconds), text rendered one at a time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shared.events.catalogue import ContactDetails, Education, EducationLevel, TalentCategory
from shared.synthetic.codes import uuid_bytes
from shared.synthetic.market import (
    CANTONESE_CITIES,
    CITIES,
    city_weights,
    market_pay,
    occupation_shares,
    round_pay,
)
from shared.synthetic.names import MAJORS, ORDINALS, SCHOOL_PATTERNS, draw_person_names
from shared.synthetic.taxonomy import (
    EDUCATION_LEVELS,
    TALENT_CATEGORIES,
    Taxonomy,
    draw_skills,
    english_title,
)

LANGUAGES = ("中文", "英语", "粤语", "日语", "韩语")
EMAIL_DOMAINS = ("example.cn", "example.com.cn", "mail.example.cn")
BOTH, EMAIL_ONLY, PHONE_ONLY = 0, 1, 2
_PRIMARY_SKILLS = (3, 9)
_SECOND_SKILLS = (1, 4)
_NOISE_SKILLS = 3
_NO_SKILL = np.iinfo(np.int16).max


@dataclass(frozen=True)
class SeekerTruth:
    """What the generator knows about a seeker and the profile does not say."""

    occupation: npt.NDArray[np.int16]
    second_occupation: npt.NDArray[np.int16]
    """-1 where there is none."""
    diligence: npt.NDArray[np.float32]
    """Standard normal; how much better this person does than the profile suggests."""


@dataclass(frozen=True)
class SeekerTable:
    truth: SeekerTruth
    ids: npt.NDArray[np.uint8]
    display_names: list[str]
    desired_roles: npt.NDArray[np.int16]
    """Occupations named as desired roles, one row each, padded with -1."""
    home_city: npt.NDArray[np.int16]
    second_city: npt.NDArray[np.int16]
    education: npt.NDArray[np.int8]
    experience: npt.NDArray[np.int8]
    skills: npt.NDArray[np.int16]
    """Indices into ``Taxonomy.skills``, ascending, one row each, padded with -1."""
    skill_in_english: npt.NDArray[np.bool_]
    salary_min: npt.NDArray[np.int32]
    """0 where the seeker states no expectation."""
    salary_max: npt.NDArray[np.int32]
    talent_category: npt.NDArray[np.int8]
    """Index into ``TALENT_CATEGORIES``; -1 where not given."""
    languages: npt.NDArray[np.uint8]
    """Bit ``i`` set: speaks ``LANGUAGES[i]``."""
    allow_matching: npt.NDArray[np.bool_]
    allow_contact: npt.NDArray[np.bool_]
    personalised_recommendations: npt.NDArray[np.bool_]
    writes_english: npt.NDArray[np.bool_]
    """Prefers English for the profile's free text and notifications."""
    contact_kind: npt.NDArray[np.int8]
    phone: npt.NDArray[np.int64]
    text_seed: int

    def __len__(self) -> int:
        return len(self.display_names)


def _other_in_industry(
    rng: np.random.Generator, taxonomy: Taxonomy, occupation: npt.NDArray[np.int16]
) -> npt.NDArray[np.int16]:
    """For each row, another occupation of the same industry (the same one where it is alone)."""
    industry = np.array([taxonomy.industries.index(item.industry) for item in taxonomy.occupations])
    by_industry = np.argsort(industry, kind="stable")
    size = np.bincount(industry)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    position = np.empty_like(by_industry)
    position[by_industry] = np.arange(len(by_industry)) - start[industry[by_industry]]
    block = size[industry[occupation]]
    step = 1 + (rng.random(len(occupation)) * np.maximum(block - 1, 1)).astype(np.int64)
    other: npt.NDArray[np.int16] = by_industry[
        start[industry[occupation]] + (position[occupation] + step) % block
    ]
    return other.astype(np.int16)


def _dedupe_rows(skills: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    """Each row's distinct skills, ascending, padded with -1 at the end."""
    rows = np.sort(np.where(skills < 0, _NO_SKILL, skills), axis=1)
    repeated = np.zeros_like(rows, dtype=bool)
    repeated[:, 1:] = rows[:, 1:] == rows[:, :-1]
    rows = np.sort(np.where(repeated, _NO_SKILL, rows), axis=1)
    width = int((rows != _NO_SKILL).sum(axis=1).max(initial=0))
    trimmed: npt.NDArray[np.int16] = np.where(rows[:, :width] == _NO_SKILL, -1, rows[:, :width]).astype(
        np.int16
    )
    return trimmed


def _skills(
    rng: np.random.Generator,
    taxonomy: Taxonomy,
    occupation: npt.NDArray[np.int16],
    second: npt.NDArray[np.int16],
) -> npt.NDArray[np.int16]:
    count = len(occupation)
    matrix = taxonomy.skill_matrix()
    primary = draw_skills(
        rng, matrix[occupation], rng.integers(_PRIMARY_SKILLS[0], _PRIMARY_SKILLS[1] + 1, count)
    )
    second_counts = np.where(second >= 0, rng.integers(_SECOND_SKILLS[0], _SECOND_SKILLS[1] + 1, count), 0)
    secondary = draw_skills(rng, matrix[np.maximum(second, 0)], second_counts)
    noise = rng.integers(0, len(taxonomy.skills), size=(count, _NOISE_SKILLS), dtype=np.int16)
    noise[np.arange(_NOISE_SKILLS) >= rng.integers(0, _NOISE_SKILLS + 1, count)[:, None]] = -1
    return _dedupe_rows(np.concatenate([primary, secondary, noise], axis=1))


def _languages(
    rng: np.random.Generator,
    english_name: npt.NDArray[np.bool_],
    education: npt.NDArray[np.int8],
    home_city: npt.NDArray[np.int16],
) -> npt.NDArray[np.uint8]:
    count = len(education)
    english_share = np.select(
        [
            english_name,
            education >= EDUCATION_LEVELS.index(EducationLevel.BACHELOR),
            education >= EDUCATION_LEVELS.index(EducationLevel.ASSOCIATE),
        ],
        [1.0, 0.55, 0.25],
        0.08,
    )
    cantonese = np.isin(home_city, [i for i, city in enumerate(CITIES) if city.zh in CANTONESE_CITIES])
    spoken = [
        ~english_name | (rng.random(count) < 0.7),
        rng.random(count) < english_share,
        cantonese & (rng.random(count) < 0.4),
        rng.random(count) < 0.03,
        rng.random(count) < 0.01,
    ]
    languages = np.zeros(count, dtype=np.uint8)
    for bit, flags in enumerate(spoken):
        languages |= flags.astype(np.uint8) << np.uint8(bit)
    return languages


def generate_seekers(rng: np.random.Generator, count: int, taxonomy: Taxonomy) -> SeekerTable:
    names, english_name = draw_person_names(rng, count, english_share=0.03)
    supply = occupation_shares(taxonomy) * rng.lognormal(0.0, 0.4, size=len(taxonomy.occupations))
    occupation = rng.choice(len(taxonomy.occupations), size=count, p=supply / supply.sum()).astype(np.int16)
    has_second = rng.random(count) < 0.4
    second = np.where(
        rng.random(count) < 0.7,
        _other_in_industry(rng, taxonomy, occupation),
        rng.integers(0, len(taxonomy.occupations), size=count),
    )
    second = np.where(has_second & (second != occupation), second, -1).astype(np.int16)

    home = rng.choice(len(CITIES), size=count, p=city_weights()).astype(np.int16)
    second_city = rng.choice(len(CITIES), size=count, p=city_weights()).astype(np.int16)
    second_city[(second_city == home) | (rng.random(count) >= 0.25)] = -1

    typical = np.array([EDUCATION_LEVELS.index(item.education) for item in taxonomy.occupations])
    education = np.clip(typical[occupation] + rng.choice([-1, 0, 1], size=count, p=[0.2, 0.6, 0.2]), 0, 6)
    category = np.array([TALENT_CATEGORIES.index(item.category) for item in taxonomy.occupations])[occupation]
    manager = category == TALENT_CATEGORIES.index(TalentCategory.ENTERPRISE_MANAGEMENT)
    years = np.rint(rng.gamma(1.8, 4.0, size=count)) + 1 + 3 * manager
    experience = np.where(rng.random(count) < 0.22, 0, np.clip(years, 1, 40)).astype(np.int8)

    english_skills = np.where(
        english_name, 0.9, rng.choice([0.03, 0.5, 0.95], size=count, p=[0.85, 0.10, 0.05])
    )
    skills = _skills(rng, taxonomy, occupation, second)
    changing = rng.random(count) < 0.15
    first_role = np.where(changing, _other_in_industry(rng, taxonomy, occupation), occupation)
    second_role = np.where((rng.random(count) < 0.6) & (second != first_role), second, -1)

    expectation = market_pay(education, category, experience, home) * rng.lognormal(0.05, 0.2, size=count)
    states_pay = rng.random(count) < 0.88
    salary_min = np.where(states_pay, round_pay(expectation), 0).astype(np.int32)
    salary_max = np.where(
        states_pay, np.maximum(round_pay(expectation * rng.uniform(1.1, 1.5, count)), salary_min), 0
    )

    notify_english = rng.random(count) < np.select(
        [english_name, english_skills >= 0.95, english_skills >= 0.5], [0.8, 0.6, 0.2], 0.04
    )
    phone = (13 + rng.integers(0, 7, size=count)) * 10**9 + rng.integers(0, 10**9, size=count)
    return SeekerTable(
        truth=SeekerTruth(occupation, second, rng.standard_normal(count).astype(np.float32)),
        ids=uuid_bytes(rng, count),
        display_names=names,
        desired_roles=np.stack([first_role, second_role], axis=1).astype(np.int16),
        home_city=home,
        second_city=second_city,
        education=education.astype(np.int8),
        experience=experience,
        skills=skills,
        skill_in_english=(rng.random(skills.shape) < english_skills[:, None]) & (skills >= 0),
        salary_min=salary_min,
        salary_max=salary_max.astype(np.int32),
        talent_category=np.where(rng.random(count) < 0.9, category, -1).astype(np.int8),
        languages=_languages(rng, english_name, education.astype(np.int8), home),
        allow_matching=rng.random(count) >= 0.08,
        allow_contact=rng.random(count) >= 0.04,
        personalised_recommendations=rng.random(count) >= 0.05,
        writes_english=notify_english,
        contact_kind=rng.choice(3, size=count, p=[0.6, 0.2, 0.2]).astype(np.int8),
        phone=phone.astype(np.int64),
        text_seed=int(rng.integers(2**63)),
    )


@dataclass(frozen=True)
class SeekerText:
    skills: list[str]
    desired_roles: list[str]
    desired_cities: list[str]
    education: list[Education]
    languages: list[str]
    summary: str


def render_seeker(table: SeekerTable, index: int, taxonomy: Taxonomy, reference_year: int) -> SeekerText:
    """The profile's lists and free text; the same every time for the same row."""
    rng = np.random.default_rng([table.text_seed, index])
    english = bool(table.writes_english[index])
    skills = [
        taxonomy.skills[skill].en if in_english else taxonomy.skills[skill].zh
        for skill, in_english in zip(
            table.skills[index].tolist(), table.skill_in_english[index].tolist(), strict=True
        )
        if skill >= 0
    ]
    roles = [taxonomy.occupations[role] for role in table.desired_roles[index].tolist() if role >= 0]
    role_names = [english_title(role.en) if english else role.zh for role in roles]
    cities = [CITIES[city].zh for city in (table.home_city[index], table.second_city[index]) if city >= 0]
    experience = int(table.experience[index])
    graduated = reference_year - experience - int(rng.random() < 0.3)
    education = _education(rng, table, index, taxonomy, graduated)
    languages = [name for bit, name in enumerate(LANGUAGES) if int(table.languages[index]) >> bit & 1]
    summary = ""
    if rng.random() < 0.7 and skills:
        picked = [skills[i] for i in rng.choice(len(skills), size=min(2, len(skills)), replace=False)]
        summary = _summary(english, experience, graduated, role_names[0], picked)
    return SeekerText(skills, role_names, cities, education, languages, summary)


def _summary(english: bool, experience: int, graduated: int, role: str, skills: list[str]) -> str:
    if english:
        if experience:
            return f"{experience} years of experience as {role}; skilled in {' and '.join(skills)}."
        return f"Class of {graduated}, looking for a first job as {role}; skilled in {' and '.join(skills)}."
    if experience:
        return f"{experience}年{role}相关工作经验，熟悉{'、'.join(skills)}。"
    return f"{graduated}届毕业生，希望从事{role}工作，掌握{'、'.join(skills)}。"


def _education(
    rng: np.random.Generator, table: SeekerTable, index: int, taxonomy: Taxonomy, graduated: int
) -> list[Education]:
    level = EDUCATION_LEVELS[table.education[index]]
    if level == EducationLevel.NONE:
        return []
    city = CITIES[table.home_city[index] if rng.random() < 0.7 else rng.integers(len(CITIES))].zh
    industry = taxonomy.occupations[table.truth.occupation[index]].industry
    major = "" if level == EducationLevel.SECONDARY else MAJORS[industry][rng.integers(len(MAJORS[industry]))]
    if level in (EducationLevel.MASTER, EducationLevel.DOCTORATE):
        years_after_bachelor = 3 if level == EducationLevel.MASTER else 6
        university = _school(rng, "university", city)
        return [
            Education(
                level=EducationLevel.BACHELOR,
                school=university,
                major=major,
                graduation_year=graduated - years_after_bachelor,
            ),
            Education(
                level=level, school=_school(rng, "university", city), major=major, graduation_year=graduated
            ),
        ]
    kind = "university" if level == EducationLevel.BACHELOR else level.value
    return [Education(level=level, school=_school(rng, kind, city), major=major, graduation_year=graduated)]


def _school(rng: np.random.Generator, kind: str, city: str) -> str:
    patterns = SCHOOL_PATTERNS[kind]
    return patterns[rng.integers(len(patterns))].format(city=city, n=ORDINALS[rng.integers(len(ORDINALS))])


def contact_details(table: SeekerTable, index: int) -> ContactDetails:
    kind = int(table.contact_kind[index])
    digits = str(table.phone[index])
    return ContactDetails(
        email=None if kind == PHONE_ONLY else f"user{index:07d}@{EMAIL_DOMAINS[index % len(EMAIL_DOMAINS)]}",
        phone=None if kind == EMAIL_ONLY else f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}",
    )
