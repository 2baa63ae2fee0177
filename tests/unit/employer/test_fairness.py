"""Vacancy text that demands a protected attribute is found, named and quoted; ordinary text is not."""

from __future__ import annotations

import pytest

from services.employer.domain.fairness import (
    AGE,
    ETHNICITY,
    GENDER,
    HUKOU,
    MARITAL,
    RELIGION,
    ProtectedPhrase,
    protected_phrases,
)


@pytest.mark.parametrize(
    ("text", "attribute", "phrase"),
    [
        # Chinese
        ("男性优先", GENDER, "男性优先"),
        ("限男性", GENDER, "限男性"),
        ("仅限女性", GENDER, "仅限女性"),
        ("只招男生", GENDER, "只招男生"),
        ("女士优先", GENDER, "女士优先"),
        ("35岁以下", AGE, "35岁以下"),
        ("年龄18-35岁", AGE, "年龄18-35岁"),
        ("年龄在25至40周岁", AGE, "年龄在25至40周岁"),
        ("45周岁以上", AGE, "45周岁以上"),
        ("未婚", MARITAL, "未婚"),
        ("婚否", MARITAL, "婚否"),
        ("汉族", ETHNICITY, "汉族"),
        ("限汉族", ETHNICITY, "限汉族"),
        ("少数民族", ETHNICITY, "少数民族"),
        ("无宗教信仰", RELIGION, "无宗教信仰"),
        ("信教者勿扰", RELIGION, "信教"),
        ("本地户口", HUKOU, "本地户口"),
        ("本市户籍", HUKOU, "本市户籍"),
        ("要求本地户口", HUKOU, "要求本地户口"),
        ("户籍要求：河南", HUKOU, "户籍要求"),
        ("本地人", HUKOU, "本地人"),
        # English, any case
        ("men only", GENDER, "men only"),
        ("Women Only", GENDER, "Women Only"),
        ("male preferred", GENDER, "male preferred"),
        ("only females", GENDER, "only females"),
        ("under 35", AGE, "under 35"),
        ("younger than 30", AGE, "younger than 30"),
        ("Under the age of 40", AGE, "Under the age of 40"),
        ("aged 20-30", AGE, "aged 20-30"),
        ("aged 25 to 35", AGE, "aged 25 to 35"),
        ("age limit", AGE, "age limit"),
        ("unmarried", MARITAL, "unmarried"),
        ("must be single", MARITAL, "must be single"),
        ("no children", MARITAL, "no children"),
        ("pregnant", MARITAL, "pregnant"),
        ("pregnancy", MARITAL, "pregnancy"),
        ("childless", MARITAL, "childless"),
        ("ethnicity", ETHNICITY, "ethnicity"),
        ("ethnic Han", ETHNICITY, "ethnic Han"),
        ("religion", RELIGION, "religion"),
        ("Christians only", RELIGION, "Christians only"),
        ("hukou", HUKOU, "hukou"),
        ("Shanghai HUKOU only", HUKOU, "HUKOU"),
        ("local residents only", HUKOU, "local residents only"),
        ("locals only", HUKOU, "locals only"),
        ("household registration", HUKOU, "household registration"),
    ],
)
def test_a_single_demand_is_named_and_quoted(text: str, attribute: str, phrase: str) -> None:
    assert protected_phrases(text) == [ProtectedPhrase(attribute, phrase)]


@pytest.mark.parametrize(
    ("text", "attribute", "phrase"),
    [
        ("招聘机修工，男性优先，待遇从优。", GENDER, "男性优先"),
        ("前台文员：形象好，35岁以下，有经验者优先", AGE, "35岁以下"),
        ("Warehouse staff wanted, men only, night shifts.", GENDER, "men only"),
        ("Sales assistant (aged 20-30) for our Kunming store", AGE, "aged 20-30"),
        ("Applicants must hold Beijing hukou.", HUKOU, "hukou"),
        ("会计，要求本市户籍，五险一金", HUKOU, "要求本市户籍"),
    ],
)
def test_a_demand_inside_a_real_ad_is_found(text: str, attribute: str, phrase: str) -> None:
    assert protected_phrases(text) == [ProtectedPhrase(attribute, phrase)]
    assert phrase in text


def test_married_with_children_names_both_demands() -> None:
    assert protected_phrases("已婚已育") == [
        ProtectedPhrase(MARITAL, "已婚"),
        ProtectedPhrase(MARITAL, "已育"),
    ]


def test_several_demands_come_back_in_the_order_they_appear() -> None:
    text = "汉族，本地户口，未婚，男性优先，under 35, religion: none"
    assert protected_phrases(text) == [
        ProtectedPhrase(ETHNICITY, "汉族"),
        ProtectedPhrase(HUKOU, "本地户口"),
        ProtectedPhrase(MARITAL, "未婚"),
        ProtectedPhrase(GENDER, "男性优先"),
        ProtectedPhrase(AGE, "under 35"),
        ProtectedPhrase(RELIGION, "religion"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "男女不限",
        "性别不限",
        "年龄不限",
        "户籍不限",
        "五险一金含生育保险",
        "缴纳生育险，发放生育津贴",
        "over 10 years of experience",
        "over 20 years of experience in welding",
        "10-20 years of experience",
        "5-10年经验",
        "3年以上工作经验",
        "提供北京户口落户协助",
        "协助办理户口",
        "有坚定的政治信仰",
        "18周岁以上",
        "年满18周岁",
        "single page application",
        "Single sign-on (SSO)",
        "民族大学毕业优先",
        "民族风服饰设计",
        "汉字输入法开发",
        "薪资8000-12000元，团队规模30-50人",
        "Python 3.11 and above",
        "more than 30 skilled workers",
        "ethnically diverse team, all welcome",
        "限本科及以上学历",
        "只招应届毕业生",
        "要求持有电工证",
        "数控机床操作工，负责数控车床的编程与操作，能看懂机械图纸。Reads technical drawings; two shifts.",
    ],
)
def test_ordinary_text_is_not_refused(text: str) -> None:
    assert protected_phrases(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "over 10 years' experience",
        "over 15 years in the industry",
        "a team of over 20 engineers",
        "manage over 40 stores",
        "keep p99 latency under 50 ms",
        "support replies in under 24 hours",
        "debug race conditions in concurrent code",
        "不限户籍",
        "不限民族",
        "婚否不限",
        "性别不限，年龄不限",
        "no age limit",
    ],
)
def test_inclusive_or_technical_text_is_not_refused(text: str) -> None:
    assert protected_phrases(text) == []


# Phrasings a first version of the rules got wrong.
MISSED = [
    pytest.param(
        "Applicants must be under 35 years",
        AGE,
        id="under-35-years",
    ),
    pytest.param(
        "candidates younger than 30 years",
        AGE,
        id="younger-than-30-years",
    ),
    pytest.param(
        "under 35 (required)",
        AGE,
        id="under-35-parenthesis",
    ),
    pytest.param(
        "仅招女性",
        GENDER,
        id="仅招女性",
    ),
    pytest.param(
        "性别：男",
        GENDER,
        id="性别：男",
    ),
    pytest.param(
        "年龄不超过35岁",
        AGE,
        id="年龄不超过35岁-control",
    ),
    pytest.param(
        "不超过35岁",
        AGE,
        id="不超过35岁",
    ),
]


@pytest.mark.parametrize(("text", "attribute"), MISSED)
def test_a_real_demand_is_refused(text: str, attribute: str) -> None:
    assert attribute in {phrase.attribute for phrase in protected_phrases(text)}


STILL_REFUSED = [
    pytest.param(
        "over 18 years old",
        id="over-18-years-old",
    ),
    pytest.param(
        "Married or single, all welcome",
        id="married-or-single-welcome",
    ),
    pytest.param(
        "对孕期员工提供额外假期",
        id="孕期员工额外假期",
    ),
]


@pytest.mark.parametrize("text", STILL_REFUSED)
def test_a_benefit_or_an_inclusive_statement_is_not_refused(text: str) -> None:
    assert protected_phrases(text) == []
