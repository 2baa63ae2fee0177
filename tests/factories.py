"""Valid request bodies with Chinese and English text; tests override what they exercise."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from shared.credit_code import ALPHABET, check_character
from shared.events import catalogue as c


def credit_code(seed: int | None = None) -> str:
    """A unified social credit code with a correct check character."""
    rng = random.Random(seed)
    body = "91" + "410500" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def organisation(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "安阳精密机械有限公司",
        "credit_code": credit_code(),
        "industry": "制造业",
        "city": "安阳",
        "contact_person": {"name": "李娜", "phone": "+86 372 5555 0101", "email": "hr@anyang-precision.cn"},
        **overrides,
    }


def vacancy(**overrides: Any) -> dict[str, Any]:
    deadline = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    return {
        "title": "数控机床操作工 CNC operator",
        "description": "负责数控车床的编程与操作，能看懂机械图纸。Reads technical drawings; two shifts.",
        "skills": ["数控编程", "operate CNC machine", "阅读机械图纸"],
        "education_level": "vocational",
        "min_experience_years": 2,
        "salary": {"min": 6000, "max": 9000},
        "city": "安阳",
        "headcount": 5,
        "talent_category": "high_skill",
        "graduate_friendly": False,
        "deadline": deadline,
        **overrides,
    }


def sign_up(email: str, **overrides: Any) -> dict[str, Any]:
    return {"email": email, "password": "correct horse battery 九", "display_name": "王小明", **overrides}


# --- events other services publish, as the employer service receives them -------------


def seeker_state(
    seeker_id: UUID,
    *,
    version: int = 1,
    kind: type[c.SeekerState] = c.SeekerRegistered,
    allow_matching: bool = True,
    allow_contact: bool = True,
    **overrides: Any,
) -> c.SeekerState:
    """A seeker profile event: matchable state only, never contact details."""
    fields: dict[str, Any] = {
        "seeker_id": seeker_id,
        "version": version,
        "display_name": "王小明",
        "education": [
            c.Education(
                level=c.EducationLevel.VOCATIONAL,
                school="安阳职业技术学院",
                major="数控技术",
                graduation_year=2022,
            )
        ],
        "experience_years": 3,
        "skills": ["数控编程", "operate CNC machine"],
        "desired_roles": ["数控机床操作工"],
        "desired_cities": ["安阳", "郑州"],
        "salary_expectation": c.SalaryRange(min=6000, max=8000),
        "talent_category": c.TalentCategory.HIGH_SKILL,
        "languages": ["zh"],
        "summary": "三年数控车床经验。Three years on CNC lathes.",
        "consent": c.Consent(allow_matching=allow_matching, allow_contact=allow_contact),
        **overrides,
    }
    return kind(**fields)


CNC_PROGRAMMING = c.ReasonSkill(zh="数控编程", en="CNC programming")


def match_found(
    seeker_id: UUID, vacancy_id: UUID, employer_id: UUID, *, score: float, rank: int, **overrides: Any
) -> c.MatchFound:
    fields: dict[str, Any] = {
        "seeker_id": seeker_id,
        "vacancy_id": vacancy_id,
        "employer_id": employer_id,
        "score": score,
        "rank": rank,
        "model_version": "cold-start-1",
        "reasons": [
            c.MatchReason(code="skill_held", contribution=round(score * 0.5, 3), skill=CNC_PROGRAMMING),
            c.MatchReason(code="city_fit", contribution=0.1, values={"city": "安阳"}),
        ],
        "baseline": -2.5,
        **overrides,
    }
    return c.MatchFound(**fields)


def vacancy_state(*, kind: type[c.VacancyState] = c.VacancyPosted, **overrides: Any) -> c.VacancyState:
    """A vacancy event as the employer service publishes it (body from ``vacancy()``)."""
    body = vacancy()
    body.pop("deadline")
    fields = {"vacancy_id": uuid4(), "employer_id": uuid4(), "version": 1, **body, **overrides}
    return kind.model_validate(fields)
