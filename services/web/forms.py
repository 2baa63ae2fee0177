"""Form text to API values: comma-separated lists, optional numbers, time windows of a day,
ranked choices."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from services.web.backend import ApiError, Problem
from services.web.templating import SHANGHAI

SEPARATORS = re.compile(r"[,，、;\n]+")


def split_list(text: str) -> list[str]:
    """``"数控编程，焊接, CNC"`` → ``["数控编程", "焊接", "CNC"]`` (Chinese and Latin commas)."""
    return [item.strip() for item in SEPARATORS.split(text) if item.strip()]


def joined(items: list[str]) -> str:
    return "，".join(items)


def optional_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


TIME_RANGE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*(?:-|–|—|~|～|至|到)\s*(\d{1,2})[:：](\d{2})$")


def windows(text: str, day: date, zone: ZoneInfo) -> list[dict[str, str]]:
    """``"09:00-10:30，14:00-15:00"`` on ``day`` in ``zone`` → the API's windows
    ``[{"starts", "ends"}]`` (ISO times with their offset); empty text, no window.
    ``ValueError`` names the piece that is not a time range."""
    found = []
    for piece in split_list(text):
        matched = TIME_RANGE.match(piece)
        if not matched:
            raise ValueError(f"{piece!r} is not a time range such as 09:00-10:30")
        hour, minute, end_hour, end_minute = map(int, matched.groups())
        try:
            starts, ends = time(hour, minute), time(end_hour, end_minute)
        except ValueError:
            raise ValueError(f"{piece!r} is not a time of day") from None
        found.append(
            {
                "starts": datetime.combine(day, starts, zone).isoformat(),
                "ends": datetime.combine(day, ends, zone).isoformat(),
            }
        )
    return found


def ranked(choices: list[str]) -> list[str]:
    """Wish choices in the form's order (first wish first), blanks and repeats left out."""
    return list(dict.fromkeys(choice for choice in (c.strip() for c in choices) if choice))


def fair_day(fair: dict[str, Any]) -> date:
    """The fair's date as the talent centre reads it (Shanghai time)."""
    return datetime.fromisoformat(fair["starts_at"]).astimezone(SHANGHAI).date()


def fair_windows(field: str, text: str, fair: dict[str, Any]) -> list[dict[str, str]]:
    """``windows`` on the fair's day; a piece that is no time range is refused (422, naming the field)."""
    try:
        return windows(text, fair_day(fair), SHANGHAI)
    except ValueError as error:
        raise ApiError(422, [Problem(str(error), field)]) from None


def employer_plan(
    fair: dict[str, Any], interviewers: str, hours: str, breaks: str, minimum: str, maximum: str
) -> dict[str, Any]:
    """The employer registration form's booth plan, only what was filled in."""
    staffed = fair_windows("hours", hours, fair)
    if len(staffed) > 1:
        raise ApiError(422, [Problem("give the booth's hours as one time range", "hours")])
    plan: dict[str, Any] = {
        "interviewers": optional_int(interviewers),
        "hours": staffed[0] if staffed else None,
        "breaks": fair_windows("breaks", breaks, fair),
        "minimum_interviews": optional_int(minimum),
        "maximum_interviews": optional_int(maximum),
    }
    return {key: value for key, value in plan.items() if value not in (None, [])}


def seeker_plan(fair: dict[str, Any], availability: str, wanted: str, wishes: list[str]) -> dict[str, Any]:
    """The seeker registration form's plan, only what was filled in."""
    plan: dict[str, Any] = {
        "availability": fair_windows("availability", availability, fair),
        "interviews_wanted": optional_int(wanted),
        "wishes": ranked(wishes),
    }
    return {key: value for key, value in plan.items() if value not in (None, [])}
