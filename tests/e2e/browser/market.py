"""A small market seeded through the public APIs: employers, vacancies, seekers, fairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests import factories
from tests.e2e.browser.conftest import Platform
from tests.helpers import wait_for

CNC_SEEKER: dict[str, Any] = {
    "education": [
        {"level": "vocational", "school": "安阳职业技术学院", "major": "数控技术", "graduation_year": 2023}
    ],
    "skills": ["数控编程", "operate CNC machine", "阅读机械图纸"],
    "desired_roles": ["数控机床操作工"],
    "desired_cities": ["安阳"],
    "salary_expectation": {"min": 6000, "max": 8000},
    "talent_category": "high_skill",
    "summary": "三年数控车床经验。Three years on CNC lathes.",
}
SERIES: dict[str, Any] = {
    "theme": "general",
    "rule": {"weekday": 6, "starts": "09:00", "ends": "12:00", "timezone": "Asia/Shanghai",
             "cutoff_weekday": 4, "cutoff_time": "18:00"},
    "venue": {"name": "安阳人才市场 一楼大厅",
              "zones": [{"name": "A区 制造", "industries": ["制造业"], "booths": ["A01", "A02"]}]},
    "interviews": {"slot_minutes": 30, "per_seeker": 1, "per_booth_slot": 1, "gap_slots": 0},
    "weeks_ahead": 1,
}  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    vacancy: dict[str, Any]
    employer: dict[str, str]  # the employer user's headers
    employer_email: str


async def matched_seeker(
    platform: Platform, title: str, seeker_name: str = "王小明"
) -> tuple[str, dict[str, str], Seeded]:
    """An approved employer's vacancy and a fitting seeker, once the matcher paired them (the
    seeker stays a candidate of other tests' CNC vacancies: a test that looks for its seeker
    by name among candidates needs a name of its own)."""
    employer_email, employer = await platform.employer_user("安阳精密机械有限公司", approved=True)
    vacancy = await platform.call(
        "POST", "employer", "/vacancies", employer, json=factories.vacancy(title=title)
    )
    email, seeker = await platform.seeker_user(seeker_name, **CNC_SEEKER)

    def titled_match(matches: dict[str, Any]) -> bool:
        # The match can come before the seeker service has read the vacancy's title, and a first
        # match (made from the sign-up, before the profile's skills) before the one re-ranked.
        return any(
            m["vacancy_id"] == vacancy["id"]
            and m["vacancy_title"]
            and any(reason["code"] == "skill_held" for reason in m["reasons"])
            for m in matches["items"]
        )

    await wait_for(
        lambda: platform.call("GET", "seeker", "/me/matches", seeker),
        until=titled_match, timeout=90, what="the seeker's match, with its title and skills",
    )  # fmt: skip
    return email, seeker, Seeded(vacancy, employer, employer_email)


async def next_fair(platform: Platform, staff: dict[str, str], title: str) -> str:
    """The id of the first fair of a new weekly series (the planner creates it)."""
    series = await platform.call("POST", "fair", "/staff/series", staff, json={**SERIES, "title": title})
    fairs = await wait_for(
        lambda: platform.call("GET", "fair", "/fairs", staff, params={"series_id": series["id"]}),
        until=lambda page: page["total"] > 0, what="the series' first fair",
    )  # fmt: skip
    fair_id: str = fairs["items"][0]["id"]
    return fair_id
