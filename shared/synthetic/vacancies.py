"""Synthetic vacancies: columns drawn together, and their text rendered one at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from shared.events.catalogue import EducationLevel, TalentCategory
from shared.synthetic.codes import uuid_bytes
from shared.synthetic.employers import EmployerTable
from shared.synthetic.market import CATEGORY_DEMAND, CITIES, market_pay, round_pay
from shared.synthetic.names import BENEFITS
from shared.synthetic.taxonomy import (
    EDUCATION_LEVELS,
    TALENT_CATEGORIES,
    Occupation,
    Taxonomy,
    draw_skills,
    english_title,
)

MAX_SKILLS = 8
_POSTING_PART_OF_WINDOW = 0.85
"""Vacancies are posted in the window's first 85%, so the last ones still get answers."""
ZH, MIXED, ENGLISH = 0, 1, 2
_TITLE_STYLE_SHARES = (0.70, 0.15, 0.15)
_EXPERIENCE_CHOICES = np.array([0, 1, 2, 3, 5, 8, 10])
_EXPERIENCE_SHARES = np.array([0.35, 0.15, 0.15, 0.15, 0.12, 0.05, 0.03])
_MANAGER_EXPERIENCE_SHARES = np.array([0.05, 0.05, 0.10, 0.25, 0.30, 0.15, 0.10])
# Where working remotely is plausible at all: professional and managerial work, more in some industries.
_REMOTE_SHARE = {"信息技术": 0.35, "文化传媒": 0.25, "商务服务": 0.15}
_REMOTE_SHARE_ELSEWHERE = 0.07
_OFFICE_CATEGORIES = (TalentCategory.PROFESSIONAL_TECHNICAL, TalentCategory.ENTERPRISE_MANAGEMENT)
_EDUCATION_ZH = {
    EducationLevel.NONE: "学历不限",
    EducationLevel.SECONDARY: "高中或中专及以上学历",
    EducationLevel.VOCATIONAL: "中专或技校及以上学历",
    EducationLevel.ASSOCIATE: "大专及以上学历",
    EducationLevel.BACHELOR: "本科及以上学历",
    EducationLevel.MASTER: "硕士研究生及以上学历",
    EducationLevel.DOCTORATE: "博士研究生学历",
}
_EDUCATION_EN = {
    EducationLevel.NONE: "no formal education required",
    EducationLevel.SECONDARY: "a high school diploma or above",
    EducationLevel.VOCATIONAL: "a vocational school certificate or above",
    EducationLevel.ASSOCIATE: "an associate degree (大专) or above",
    EducationLevel.BACHELOR: "a bachelor's degree or above",
    EducationLevel.MASTER: "a master's degree or above",
    EducationLevel.DOCTORATE: "a doctoral degree",
}


def as_datetime64(moment: datetime) -> np.datetime64:
    """An aware datetime as UTC seconds."""
    return np.datetime64(moment.astimezone(UTC).replace(tzinfo=None), "s")


@dataclass(frozen=True)
class VacancyTable:
    ids: npt.NDArray[np.uint8]
    employer: npt.NDArray[np.int32]
    occupation: npt.NDArray[np.int16]
    skills: npt.NDArray[np.int16]
    """Required skills as indices into ``Taxonomy.skills``, one row each, padded with -1."""
    skill_in_english: npt.NDArray[np.bool_]
    education: npt.NDArray[np.int8]
    """Index into ``EDUCATION_LEVELS``."""
    min_experience: npt.NDArray[np.int8]
    salary_min: npt.NDArray[np.int32]
    salary_max: npt.NDArray[np.int32]
    city: npt.NDArray[np.int16]
    remote: npt.NDArray[np.bool_]
    headcount: npt.NDArray[np.int16]
    graduate_friendly: npt.NDArray[np.bool_]
    posted_at: npt.NDArray[np.datetime64]
    """Seconds, UTC."""
    deadline: npt.NDArray[np.datetime64]
    """Days."""
    title_style: npt.NDArray[np.int8]
    """``ZH``, ``MIXED`` or ``ENGLISH``."""
    text_seed: int

    def __len__(self) -> int:
        return len(self.employer)


def _occupations(
    rng: np.random.Generator, taxonomy: Taxonomy, employer_industry: npt.NDArray[np.int16]
) -> npt.NDArray[np.int16]:
    occupation = np.empty(len(employer_industry), dtype=np.int16)
    for industry_index, industry in enumerate(taxonomy.industries):
        rows = np.flatnonzero(employer_industry == industry_index)
        members = [i for i, item in enumerate(taxonomy.occupations) if item.industry == industry]
        demand = np.array([CATEGORY_DEMAND[taxonomy.occupations[i].category] for i in members])
        occupation[rows] = rng.choice(members, size=len(rows), p=demand / demand.sum())
    return occupation


def generate_vacancies(
    rng: np.random.Generator,
    count: int,
    taxonomy: Taxonomy,
    employers: EmployerTable,
    start: datetime,
    weeks: int,
) -> VacancyTable:
    posting = employers.posting_weight / employers.posting_weight.sum()
    employer = rng.choice(len(employers), size=count, p=posting).astype(np.int32)
    occupation = _occupations(rng, taxonomy, employers.industry[employer])
    typical = np.array([EDUCATION_LEVELS.index(item.education) for item in taxonomy.occupations])
    category = np.array([TALENT_CATEGORIES.index(item.category) for item in taxonomy.occupations])[occupation]
    education = np.clip(typical[occupation] + rng.choice([-1, 0, 1], size=count, p=[0.15, 0.7, 0.15]), 0, 6)

    manager = category == TALENT_CATEGORIES.index(TalentCategory.ENTERPRISE_MANAGEMENT)
    experience = np.where(
        manager,
        rng.choice(_EXPERIENCE_CHOICES, size=count, p=_MANAGER_EXPERIENCE_SHARES),
        rng.choice(_EXPERIENCE_CHOICES, size=count, p=_EXPERIENCE_SHARES),
    )
    city = np.where(
        rng.random(count) < 0.92, employers.city[employer], rng.integers(0, len(CITIES), size=count)
    )
    pay = market_pay(education, category, experience, city) * rng.lognormal(0.0, 0.15, size=count)
    salary_min = round_pay(pay)
    salary_max = np.maximum(round_pay(pay * rng.uniform(1.2, 1.8, size=count)), salary_min)

    remote_share = np.array(
        [
            _REMOTE_SHARE.get(item.industry, _REMOTE_SHARE_ELSEWHERE)
            if item.category in _OFFICE_CATEGORIES
            else 0.0
            for item in taxonomy.occupations
        ]
    )
    skilled_trade = np.array([item.category == TalentCategory.HIGH_SKILL for item in taxonomy.occupations])
    headcount = np.where(
        skilled_trade[occupation], rng.geometric(0.25, size=count), rng.geometric(0.6, size=count)
    ).clip(1, 50)

    window = np.timedelta64(int(weeks * 7 * 86_400 * _POSTING_PART_OF_WINDOW), "s")
    posted_at = as_datetime64(start) + (rng.random(count) * window).astype("timedelta64[s]")
    deadline = posted_at.astype("datetime64[D]") + rng.integers(28, 85, size=count).astype("timedelta64[D]")

    style = rng.choice(3, size=count, p=_TITLE_STYLE_SHARES).astype(np.int8)
    skill_counts = rng.integers(3, MAX_SKILLS + 1, size=count)
    skills = draw_skills(rng, taxonomy.skill_matrix()[occupation], skill_counts)
    english_share = np.where(style == ENGLISH, 0.9, 0.12)[:, None]
    return VacancyTable(
        ids=uuid_bytes(rng, count),
        employer=employer,
        occupation=occupation,
        skills=skills,
        skill_in_english=(rng.random(skills.shape) < english_share) & (skills >= 0),
        education=education.astype(np.int8),
        min_experience=experience.astype(np.int8),
        salary_min=salary_min,
        salary_max=salary_max,
        city=city.astype(np.int16),
        remote=rng.random(count) < remote_share[occupation],
        headcount=headcount.astype(np.int16),
        graduate_friendly=(experience == 0) & (rng.random(count) < 0.7),
        posted_at=posted_at,
        deadline=deadline,
        title_style=style,
        text_seed=int(rng.integers(2**63)),
    )


@dataclass(frozen=True)
class VacancyText:
    title: str
    description: str
    skills: list[str]


def render_vacancy(table: VacancyTable, index: int, taxonomy: Taxonomy, employer_name: str) -> VacancyText:
    """The vacancy's title, description and skill names; the same every time for the same row."""
    rng = np.random.default_rng([table.text_seed, index])
    occupation = taxonomy.occupations[int(table.occupation[index])]
    row = [int(skill) for skill in table.skills[index] if skill >= 0]
    skills = [
        taxonomy.skills[skill].en if english else taxonomy.skills[skill].zh
        for skill, english in zip(row, table.skill_in_english[index].tolist(), strict=False)
    ]
    experience = int(table.min_experience[index])
    seniority = (
        1 if experience >= 5 and rng.random() < 0.5 else -1 if experience == 0 and rng.random() < 0.3 else 0
    )
    style = int(table.title_style[index])
    if style == ENGLISH:
        role = {1: "Senior ", -1: "Junior ", 0: ""}[seniority] + english_title(occupation.en)
        city = CITIES[int(table.city[index])].en
        title = role + (f" ({city})" if rng.random() < 0.3 else "")
        description = _english_description(rng, table, index, taxonomy, employer_name, role, row)
    else:
        role = {1: ("高级", "资深")[rng.integers(2)], -1: "初级", 0: ""}[seniority] + occupation.zh
        title = _chinese_title(rng, role, occupation, style)
        description = _chinese_description(rng, table, index, taxonomy, employer_name, role, row)
    return VacancyText(title=title, description=description, skills=skills)


def _chinese_title(rng: np.random.Generator, role: str, occupation: Occupation, style: int) -> str:
    if style == MIXED:
        english = english_title(occupation.en)
        return f"{role} {english}" if rng.random() < 0.5 else f"{role}（{english}）"
    return role + ("", "", "", "（急招）", "（长期招聘）")[rng.integers(5)]


def _chinese_description(
    rng: np.random.Generator,
    table: VacancyTable,
    index: int,
    taxonomy: Taxonomy,
    employer_name: str,
    role: str,
    skills: list[int],
) -> str:
    names = [taxonomy.skills[skill].zh for skill in skills]
    experience = int(table.min_experience[index])
    benefits = rng.choice(len(BENEFITS), size=3, replace=False)
    sentences = [
        f"{employer_name}位于{CITIES[int(table.city[index])].zh}，因业务发展需要，现招聘{role}{table.headcount[index]}名。",
        f"岗位职责：负责{'、'.join(names[:3])}等相关工作。",
        f"任职要求：{_EDUCATION_ZH[EDUCATION_LEVELS[table.education[index]]]}；"
        + (f"{experience}年以上相关工作经验" if experience else "经验不限")
        + f"；熟悉{'、'.join(names[3:5] or names[:2])}。",
        f"福利待遇：{'、'.join(BENEFITS[benefit] for benefit in benefits)}。",
    ]
    if table.graduate_friendly[index]:
        sentences.append("欢迎应届毕业生投递。")
    if table.remote[index]:
        sentences.append("本岗位支持远程办公。")
    if int(table.title_style[index]) == MIXED or rng.random() < 0.2:
        sentences.append(f"Experience with {taxonomy.skills[skills[-1]].en} is a plus.")
    return "".join(sentences)


def _english_description(
    rng: np.random.Generator,
    table: VacancyTable,
    index: int,
    taxonomy: Taxonomy,
    employer_name: str,
    role: str,
    skills: list[int],
) -> str:
    names = [taxonomy.skills[skill].en for skill in skills]
    experience = int(table.min_experience[index])
    city = CITIES[int(table.city[index])]
    sentences = [
        f"{employer_name} is hiring: {role}, {table.headcount[index]} opening(s).",
        "This is a remote position." if table.remote[index] else f"Location: {city.en} ({city.zh}).",
        f"Responsibilities: {', '.join(names[:3])}.",
        f"Requirements: {_EDUCATION_EN[EDUCATION_LEVELS[table.education[index]]]}; "
        + (
            f"at least {experience} years of relevant experience"
            if experience
            else "no prior experience needed"
        )
        + f"; familiarity with {' and '.join(names[3:5] or names[:2])}.",
        "Fresh graduates are welcome." if table.graduate_friendly[index] else "",
        "We offer social insurance and housing fund (五险一金), paid annual leave and training."
        if rng.random() < 0.7
        else "Competitive pay and a friendly team.",
    ]
    return " ".join(sentence for sentence in sentences if sentence)
