"""A seeker's matches and an employer's candidates render each reason in the reader's language:
skills by their label, codes by their label, values in a sentence; never a raw code and, on a
Chinese page, never an English fragment."""

from __future__ import annotations

import re
from functools import partial
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from services.web.i18n import Language, reason_text, translator
from services.web.session import Viewer
from services.web.templating import templates
from shared.events import catalogue as c

WELDING = c.ReasonSkill(id="27d26fd6", zh="电弧焊技术", en="apply arc welding techniques")
SPREADSHEETS = c.ReasonSkill(id="1973c966", zh="电子表格", en="use spreadsheets software")
REASONS = [
    c.MatchReason(code="skill_held", contribution=0.61, skill=WELDING),
    c.MatchReason(code="text_similarity", contribution=0.42),
    c.MatchReason(code="skill_lacked", contribution=-0.2, skill=SPREADSHEETS),
    c.MatchReason(code="other_skills", contribution=-0.15, values={"count": 3}),
    c.MatchReason(code="experience_gap", contribution=-0.4, values={"asked": 3, "held": 0}),
    c.MatchReason(code="education_gap", contribution=-0.5, values={"asked": "bachelor"}),
    c.MatchReason(code="salary_fit", contribution=0.3, values={"min": 6000, "max": 9000}),
    c.MatchReason(code="city_fit", contribution=0.5, values={"city": "深圳"}),
    c.MatchReason(code="category_fit", contribution=0.6, values={"category": "high_skill"}),
    c.MatchReason(code="credential_verified", contribution=0.4),
    # published before reasons had values: its English detail is not shown
    c.MatchReason(code="experience_gap", contribution=-0.2, detail="3 years asked, 0 held"),
    c.MatchReason(code="a_code_from_a_newer_matcher", contribution=0.01),
]
ANSWER = [reason.model_dump(mode="json") for reason in REASONS]  # as the APIs answer
RAW = {"high_skill", "bachelor", "a_code_from_a_newer_matcher", "3 years asked", *(r.code for r in REASONS)}


def page(name: str, language: Language, role: str, **context: Any) -> str:
    return templates.get_template(name).render(
        t=translator(language),
        lang=language,
        viewer=Viewer("token", role, uuid4(), None),
        csrf="csrf",
        reason_text=partial(reason_text, language),
        field_label=str,
        request=SimpleNamespace(url=SimpleNamespace(path="/")),
        **context,
    )


def seeker_matches(language: Language) -> str:
    match = {"vacancy_id": str(uuid4()), "employer_id": str(uuid4()), "vacancy_title": "焊工", "score": 0.71,
             "rank": 1, "model_version": "cold-start-1", "reasons": ANSWER, "baseline": -2.5,
             "matched_at": "2026-12-07T08:00:00+00:00"}  # fmt: skip
    return page("seeker/matches.html", language, "seeker", matches=[match])


def employer_candidates(language: Language) -> str:
    candidate = {"seeker_id": str(uuid4()), "display_name": "王伟", "summary": "焊工八年", "skills": ["电焊"],
                 "experience_years": 8, "score": 0.71, "rank": 1, "model_version": "cold-start-1",
                 "reasons": ANSWER, "baseline": -2.5, "invitation": None, "contact": None}  # fmt: skip
    vacancy = {"id": str(uuid4()), "title": "焊工"}
    return page("employer/candidates.html", language, "employer", vacancy=vacancy, candidates=[candidate])


def reasons_shown(html: str) -> list[str]:
    [listed] = re.findall(r'<ul class="reasons">(.*?)</ul>', html, re.S)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li.*?</li>", listed, re.S)
    ]


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))


@pytest.mark.parametrize("render", [seeker_matches, employer_candidates])
def test_a_chinese_page_shows_every_reason_in_chinese(render: Any) -> None:
    html = render("zh")
    shown = reasons_shown(html)
    assert shown == [
        "基准值 (-2.50)",
        "具备所需技能：电弧焊技术 (+0.61)",
        "岗位描述与您的经历相近 (+0.42)",
        "缺少所需技能：电子表格 (-0.20)",
        "其他 3 项技能 (-0.15)",
        "要求 3 年经验，现有 0 年 (-0.40)",
        "学历要求：本科 (-0.50)",
        "岗位月薪 6000–9000 元 (+0.30)",
        "工作城市：深圳 (+0.50)",
        "人才类别相同：高技能人才 (+0.60)",
        "学历已核验 (+0.40)",
        "经验要求 (-0.20)",
        "其他因素 (+0.01)",
    ]
    assert not [item for item in shown if re.search(r"[A-Za-z]", item)], "no English fragment"
    text = visible_text(html)
    assert not {raw for raw in RAW if raw in text}, "no raw code"


@pytest.mark.parametrize("render", [seeker_matches, employer_candidates])
def test_an_english_page_shows_every_reason_in_english(render: Any) -> None:
    html = render("en")
    shown = reasons_shown(html)
    assert "has a skill asked for: apply arc welding techniques (+0.61)" in shown
    assert "3 years of experience asked, 0 held (-0.40)" in shown
    assert "education required: bachelor (-0.50)" in shown
    assert "same talent category: high-skill (+0.60)" in shown
    assert not [item for item in shown if re.search(r"[\u3400-\u9fff]", item) and "深圳" not in item]
    text = visible_text(html)
    assert not {raw for raw in RAW - {"bachelor"} if raw in text}, "no raw code"
