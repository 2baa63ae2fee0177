"""Request bodies for the services' public APIs, made from rows of the synthetic market. No I/O."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared.synthetic import SyntheticMarket

PASSWORD = "人才周 demo week 2026"
DOMAIN = "demo.talentfair.example.cn"
DEADLINE_DAYS = 30


def employer_sign_up(market: SyntheticMarket, index: int) -> dict[str, Any]:
    return {
        "email": f"hr{index:04d}@{DOMAIN}",
        "password": PASSWORD,
        "display_name": market.employers.contact_names[index],
    }


def organisation(market: SyntheticMarket, index: int) -> dict[str, Any]:
    event = market.employer_event(index)
    return {
        "name": event.name,
        "credit_code": event.credit_code,
        "industry": event.industry,
        "city": event.city,
        "contact_person": {
            "name": market.employers.contact_names[index],
            "phone": f"+86 371 6{index:03d} {index % 10_000:04d}",
            "email": f"hr{index:04d}@{DOMAIN}",
        },
    }


def vacancy(market: SyntheticMarket, index: int, today: date) -> dict[str, Any]:
    """The vacancy as its employer posts it today (the market's own dates lie in its past)."""
    event = market.vacancy_event(index)
    body = event.model_dump(mode="json", exclude={"vacancy_id", "employer_id", "version", "deadline"})
    return {**body, "deadline": (today + timedelta(days=DEADLINE_DAYS)).isoformat()}


def seeker_email(market: SyntheticMarket, index: int) -> str:
    _, contact = market.seeker_event(index)
    return contact.email or f"seeker{index:07d}@{DOMAIN}"


def seeker_sign_up(market: SyntheticMarket, index: int) -> dict[str, Any]:
    event, _ = market.seeker_event(index)
    return {
        "email": seeker_email(market, index),
        "password": PASSWORD,
        "display_name": event.display_name,
        "notification_language": event.notification_language,
    }


def seeker_profile(market: SyntheticMarket, index: int, this_year: int) -> dict[str, Any]:
    """The full profile (without a version); experience is told as one job up to now."""
    event, contact = market.seeker_event(index)
    employers = market.employers.names
    history = [
        {
            "employer": employers[index % len(employers)],
            "role": (event.desired_roles or ["职员"])[0],
            "start_year": this_year - event.experience_years,
        }
    ]
    return {
        "display_name": event.display_name,
        "contact": {"email": seeker_email(market, index), "phone": contact.phone},
        "education": [e.model_dump(mode="json") for e in event.education],
        "work_history": history if event.experience_years else [],
        "skills": event.skills,
        "desired_roles": event.desired_roles,
        "desired_cities": event.desired_cities,
        "salary_expectation": event.salary_expectation.model_dump() if event.salary_expectation else None,
        "talent_category": event.talent_category,
        "languages": event.languages,
        "summary": event.summary,
        "notification_language": event.notification_language,
    }


def registration_record(market: SyntheticMarket, index: int, this_year: int) -> dict[str, Any]:
    """The seeker as registered in person at the talent centre, for the staff import."""
    event, _ = market.seeker_event(index)
    return {
        "record_id": f"RC-{market.seed}-{index:07d}",
        "profile": seeker_profile(market, index, this_year),
        "consent": event.consent.model_dump(),
    }


def preferences(email: str | None) -> dict[str, Any]:
    """Every match in the inbox at once, day and night; also by e-mail when ``email`` is given."""
    channels = ["inbox", "email"] if email else ["inbox"]
    return {"channels": channels, "min_score": 0.0, "quiet_hours": None, "daily_cap": 100, "email": email}


def fair_series(booths: int) -> dict[str, Any]:
    """A Saturday-morning fair in two halls, two interviewers a booth, two interviews a seeker."""
    labels = [f"{'AB'[i % 2]}{i // 2 + 1:02d}" for i in range(booths)]
    return {
        "title": "周六综合招聘会 Saturday job fair",
        "theme": "general",
        "rule": {"weekday": 6, "starts": "09:00", "ends": "12:00", "timezone": "Asia/Shanghai",
                 "cutoff_weekday": 4, "cutoff_time": "18:00"},
        "venue": {"name": "市人才市场 一楼大厅", "zones": [
            {"name": "A区", "booths": labels[0::2]},
            {"name": "B区", "booths": labels[1::2]},
        ]},
        "interviews": {"slot_minutes": 30, "per_seeker": 2, "per_booth_slot": 2, "gap_slots": 1},
        "weeks_ahead": 2,
    }  # fmt: skip
