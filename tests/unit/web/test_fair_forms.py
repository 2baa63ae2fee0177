"""The fair registration forms' text as the fair API's plans: windows on the fair's day in
Beijing time, only what was filled in, bad text refused with the field named."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from services.web.backend import ApiError, Problem
from services.web.forms import employer_plan, ranked, seeker_plan, windows

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 09:00 on Saturday 12 December in Anyang is 01:00 UTC.
FAIR = {"starts_at": "2026-12-12T01:00:00Z", "ends_at": "2026-12-12T04:00:00Z"}


def test_time_ranges_become_windows_on_the_day_with_the_offset() -> None:
    found = windows("09:00-10:30，11:00 至 12:00; 13:30～14:00", date(2026, 12, 12), SHANGHAI)
    assert found == [
        {"starts": "2026-12-12T09:00:00+08:00", "ends": "2026-12-12T10:30:00+08:00"},
        {"starts": "2026-12-12T11:00:00+08:00", "ends": "2026-12-12T12:00:00+08:00"},
        {"starts": "2026-12-12T13:30:00+08:00", "ends": "2026-12-12T14:00:00+08:00"},
    ]
    assert windows("9：00-9：30", date(2026, 12, 12), SHANGHAI)[0]["starts"] == "2026-12-12T09:00:00+08:00"
    assert windows("  ", date(2026, 12, 12), SHANGHAI) == []


@pytest.mark.parametrize("text", ["上午", "09:00", "9-10", "25:00-26:00", "09:61-10:00"])
def test_text_that_is_no_time_range_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"time"):
        windows(text, date(2026, 12, 12), SHANGHAI)


def test_an_empty_employer_form_asks_nothing_of_the_fair_api() -> None:
    assert employer_plan(FAIR, "", "", "", "", "") == {}


def test_the_employer_form_gives_interviewers_hours_breaks_and_bounds() -> None:
    plan = employer_plan(FAIR, "3", "09:30-11:30", "10:00-10:30", "4", "20")
    assert plan == {
        "interviewers": 3,
        "hours": {"starts": "2026-12-12T09:30:00+08:00", "ends": "2026-12-12T11:30:00+08:00"},
        "breaks": [{"starts": "2026-12-12T10:00:00+08:00", "ends": "2026-12-12T10:30:00+08:00"}],
        "minimum_interviews": 4,
        "maximum_interviews": 20,
    }


def test_the_booth_has_one_range_of_hours_and_bad_breaks_name_their_field() -> None:
    with pytest.raises(ApiError) as refused:
        employer_plan(FAIR, "", "09:00-10:00, 11:00-12:00", "", "", "")
    assert refused.value.status == 422
    assert refused.value.messages == [Problem("give the booth's hours as one time range", "hours")]
    with pytest.raises(ApiError) as refused:
        employer_plan(FAIR, "", "", "午休", "", "")
    assert refused.value.status == 422
    assert [m.field for m in refused.value.messages] == ["breaks"]


def test_the_seeker_form_gives_windows_wanted_and_wishes_in_order() -> None:
    first, second = "6f1c0c5e-0000-4000-8000-000000000001", "6f1c0c5e-0000-4000-8000-000000000002"
    plan = seeker_plan(FAIR, "09:00-10:30", "2", ["", second, first, second, ""])
    assert plan == {
        "availability": [{"starts": "2026-12-12T09:00:00+08:00", "ends": "2026-12-12T10:30:00+08:00"}],
        "interviews_wanted": 2,
        "wishes": [second, first],
    }
    assert seeker_plan(FAIR, "", "", ["", ""]) == {}


def test_ranked_keeps_the_first_place_of_a_repeated_choice() -> None:
    assert ranked([" b ", "", "a", "b", "c"]) == ["b", "a", "c"]
