"""Valid request bodies with Chinese and English text; tests override what they exercise."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from services.employer.domain.credit_code import ALPHABET, check_character


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
