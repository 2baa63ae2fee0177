"""Fair series rules, eligibility, rebooking and statistics: pure domain code."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from services.fair.domain.model import Eligibility, Interviews, WeeklyRule, refusal
from services.fair.domain.rescheduling import Option, rebook
from services.fair.domain.scheduling import Rules, WorstOff
from services.fair.domain.statistics import Figures, OfferedVacancy, demand, figures
from shared.events import catalogue as c

SATURDAY_MORNINGS = WeeklyRule.model_validate(
    {"weekday": 6, "starts": "09:00", "ends": "12:00", "cutoff_weekday": 4, "cutoff_time": "18:00"}
)


def test_a_weekly_fair_in_shanghai_time_with_its_thursday_cutoff() -> None:
    starts, ends, cutoff = SATURDAY_MORNINGS.occurrence(date(2026, 11, 28))
    assert starts.astimezone(UTC) == datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert ends.astimezone(UTC) == datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
    assert cutoff.astimezone(UTC) == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_upcoming_fairs_skip_one_that_has_begun() -> None:
    saturday_ten = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, fair under way
    assert SATURDAY_MORNINGS.upcoming(saturday_ten, 2) == [date(2026, 12, 5), date(2026, 12, 12)]
    friday_late = datetime(2026, 11, 27, 15, 59, tzinfo=UTC)  # 23:59 Friday in Shanghai
    assert SATURDAY_MORNINGS.upcoming(friday_late, 1) == [date(2026, 11, 28)]


def test_a_cutoff_on_the_fair_day_after_it_starts_means_the_week_before() -> None:
    rule = SATURDAY_MORNINGS.model_copy(update={"cutoff_weekday": 6, "cutoff_time": SATURDAY_MORNINGS.ends})
    _, _, cutoff = rule.occurrence(date(2026, 11, 28))
    assert cutoff.date() == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends": "08:00"}, "must end after it starts"),
        ({"timezone": "Asia/Beijing"}, "unknown time zone"),
        ({"weekday": 0}, "greater than or equal to 1"),
    ],
)
def test_a_bad_rule_is_refused(change: dict[str, object], message: str) -> None:
    fields = {**SATURDAY_MORNINGS.model_dump(mode="json"), **change}
    with pytest.raises(ValidationError, match=message):
        WeeklyRule.model_validate(fields)


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ([2025], None),
        ([2019, 2024], None),
        ([2023], "graduates of 2024 or later; your most recent graduation is 2023"),
        ([], "your profile lists no graduation"),
        ([2029], "your graduation year 2029 is still ahead"),
    ],
)
def test_graduate_eligibility(years: list[int], expected: str | None) -> None:
    reason = refusal(Eligibility(graduated_within_years=2), years, date(2026, 11, 28))
    if expected is None:
        assert reason is None
    else:
        assert reason is not None
        assert expected in reason
    assert refusal(Eligibility(), years, date(2026, 11, 28)) is None


def test_rebooking_takes_the_best_booth_with_room_that_keeps_the_gap() -> None:
    seeker, best, second = uuid4(), uuid4(), uuid4()
    options = {seeker: [Option(second, uuid4(), 0.5), Option(best, uuid4(), 0.8)]}
    room = {(best, 1): 1, (best, 3): 1, (second, 4): 1}
    # The seeker keeps an interview in slot 2, so slots 1 and 3 are too close (gap 1).
    rebooked = rebook([(seeker, 0)], options, {seeker: {2: uuid4()}}, room, Rules(slots=6), first_slot=0)
    assert [(r.option.employer_id, r.slot) for r in rebooked] == [(second, 4)]
    assert room[(second, 4)] == 0


def test_no_rebooking_before_the_current_slot_or_without_room() -> None:
    seeker, employer = uuid4(), uuid4()
    options = {seeker: [Option(employer, uuid4(), 0.9)]}
    assert rebook([(seeker, 0)], options, {}, {(employer, 0): 1}, Rules(slots=4), first_slot=1) == []
    assert rebook([(seeker, 0)], options, {}, {(employer, 2): 0}, Rules(slots=4), first_slot=0) == []


def test_figures_count_a_hire_as_an_intention_and_sum_over_fairs() -> None:
    vacancy = OfferedVacancy("high_skill", ("数控编程",), "制造业", headcount=5)
    one = figures(
        employers_attending=2,
        vacancies=[vacancy, vacancy],
        visitors=30,
        interviews_held=12,
        outcomes=[c.Outcome.HIRED, c.Outcome.HIRING_INTENTION, c.Outcome.NOT_SUITABLE],
    )
    assert one == Figures(
        fairs=1,
        employers_attending=2,
        vacancies_offered=2,
        posts_offered=10,
        visitors=30,
        interviews_held=12,
        hiring_intentions=2,
        hires=1,
        not_suitable=1,
    )
    assert (one + one).hires == 2
    assert (one + Figures()).visitors == 30


def test_talent_demand_by_category_skill_and_industry() -> None:
    rows = demand(
        [
            OfferedVacancy("high_skill", ("数控编程", "数控编程", "焊接"), "制造业", 5),
            OfferedVacancy("professional_technical", ("Python",), "信息技术", 2),
        ]
    )
    table = {(row.dimension, row.value): (row.vacancies, row.posts) for row in rows}
    assert table[("skill", "数控编程")] == (1, 5)  # a skill listed twice counts once per vacancy
    assert table[("industry", "信息技术")] == (1, 2)
    assert table[("talent_category", "high_skill")] == (1, 5)
    assert len(rows) == 7


def test_staff_choose_the_worst_off_measure_and_the_weight_of_wishes() -> None:
    chosen = Interviews.model_validate({"worst_off": "wish", "wish_weight": 2})
    assert (chosen.worst_off, chosen.wish_weight) == (WorstOff.WISH, 2.0)
    assert Interviews().worst_off == WorstOff.INTERVIEWS
    with pytest.raises(ValidationError, match="'interviews' or 'wish'"):
        Interviews.model_validate({"worst_off": "fairest"})
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Interviews.model_validate({"wish_weight": -1})
