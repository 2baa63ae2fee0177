"""What the ranker understands: a skill however and in whichever language it is written, evidence
behind a listed skill, and pay expected beyond what a vacancy offers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import numpy as np

from services.matching.domain.encoding import encode_seekers, encode_vacancies
from services.matching.domain.features import FEATURES, Feature, pair_features
from services.matching.domain.matcher import Market
from services.matching.domain.ranker import LinearRanker
from services.matching.domain.vocabulary import load_vocabulary
from shared.events import catalogue as c
from tests import factories

TODAY = datetime.now(UTC).date()
WELDER_SKILLS = ["氩弧焊", "电弧焊技术", "焊接设备操作", "识读标准蓝图"]


def welding_vacancy(**overrides: Any) -> c.VacancyState:
    fields = {
        "title": "焊工",
        "description": "招聘焊工，熟悉氩弧焊，能看懂图纸。",
        "skills": ["氩弧焊", "电弧焊技术"],
        "education_level": "vocational",
        "min_experience_years": 2,
        "salary": {"min": 6000, "max": 9000},
        "talent_category": "high_skill",
    }
    return factories.vacancy_state(**{**fields, **overrides})


def welder(**overrides: Any) -> c.SeekerState:
    fields = {
        "skills": ["电弧焊技术", "焊接设备操作"],
        "desired_roles": ["焊工"],
        "education": [
            c.Education(
                level=c.EducationLevel.VOCATIONAL,
                school="安阳职业技术学院",
                major="焊接技术",
                graduation_year=2020,
            )
        ],
        "experience_years": 5,
        "summary": "",
    }
    return factories.seeker_state(uuid4(), **{**fields, **overrides})


def scores(seekers: list[c.SeekerState], vacancy: c.VacancyState) -> np.ndarray:
    s, v = encode_seekers(seekers, set(), None), encode_vacancies([vacancy], None)
    return LinearRanker.cold_start().scores(pair_features(s, np.arange(len(seekers)), v, np.array([0])))


def test_a_chinese_vacancy_ranks_an_english_profile_with_its_abbreviations_matched() -> None:
    vacancy = welding_vacancy()
    english = welder(
        skills=["GTAW", "TIG welding", "arc welding"],
        desired_roles=["Welder"],
        summary="5 years of experience as a welder.",
        notification_language="en",
    )
    unrelated = welder(skills=["会计方法", "电子表格"], desired_roles=["会计"], experience_years=5)
    market = Market()
    market.vacancies.upsert(str(vacancy.vacancy_id), vacancy)
    for seeker in (unrelated, english):
        market.seekers.upsert(str(seeker.seeker_id), seeker)

    ranked = market.seekers_for(str(vacancy.vacancy_id), 10, TODAY)
    assert ranked[0].seeker_id == str(english.seeker_id)
    [reasons] = market.explain(ranked[:1])
    held = {reason.skill.en for reason in reasons if reason.skill and reason.code == "skill_held"}
    vocabulary = load_vocabulary()
    assert held == {vocabulary.by_id[str(vocabulary.skill_id(skill))].en for skill in vacancy.skills}
    assert "skill_lacked" not in {reason.code for reason in reasons}


def test_a_stuffed_profile_ranks_below_a_genuine_one() -> None:
    vacancy = welding_vacancy()
    genuine = welder()
    stuffed = welder(
        skills=[
            *WELDER_SKILLS,
            "MIG焊",
            "MAG焊",
            "高压环境焊接",
            "数控编程",
            "电子表格",
            "项目管理",
            "叉车操作",
        ],
        education=[
            c.Education(
                level=c.EducationLevel.VOCATIONAL, school="某学院", major="旅游管理", graduation_year=2025
            )
        ],
        experience_years=0,
    )
    genuine_score, stuffed_score = scores([genuine, stuffed], vacancy)
    assert genuine_score > stuffed_score + 0.05
    # Listing more of the vacancy's skills without evidence earns less than a genuine match.
    s, v = encode_seekers([genuine, stuffed], set(), None), encode_vacancies([vacancy], None)
    features = pair_features(s, np.arange(2), v, np.array([0]))
    matched = features[:, FEATURES.index(Feature.SKILLS_MATCHED)]
    assert matched[0] > matched[1]


def test_listing_more_skills_does_not_grow_the_skill_credit() -> None:
    vacancy = welding_vacancy()
    focused = welder(skills=["氩弧焊", "电弧焊技术"])
    everything = welder(skills=[*WELDER_SKILLS, "MIG焊", "MAG焊", "高压环境焊接"])
    s, v = encode_seekers([focused, everything], set(), None), encode_vacancies([vacancy], None)
    matched = pair_features(s, np.arange(2), v, np.array([0]))[:, FEATURES.index(Feature.SKILLS_MATCHED)]
    assert matched[0] > matched[1]


def test_an_expectation_above_the_maximum_lowers_the_score_in_proportion() -> None:
    vacancy = welding_vacancy()
    expecting = [
        welder(salary_expectation=c.SalaryRange(min=low, max=low + 2000))
        for low in (7000, 12000, 18000, 27000)
    ]
    within, above, double, triple = scores(expecting, vacancy)
    assert within > above > double > triple
    s, v = encode_seekers(expecting, set(), None), encode_vacancies([vacancy], None)
    fit = pair_features(s, np.arange(4), v, np.array([0]))[:, FEATURES.index(Feature.SALARY_FIT)]
    np.testing.assert_allclose(fit[1:], [-(12000 - 9000) / 9000, -1.0, -2.0], rtol=1e-5)
