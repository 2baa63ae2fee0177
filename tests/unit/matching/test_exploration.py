"""Which of a seeker's ranked matches are pushed, and with what probability: exploration."""

from __future__ import annotations

from datetime import date

import pytest

from services.matching.domain.policy import Push, draw, plan_pushes

DAY = date(2026, 12, 7)


def ranked(count: int) -> list[str]:
    return [f"v{rank}" for rank in range(count)]


def test_the_plan_is_the_same_for_the_same_seeker_vacancies_and_day() -> None:
    assert plan_pushes("s", ranked(20), 10, DAY, 0.5) == plan_pushes("s", ranked(20), 10, DAY, 0.5)
    assert draw("s", "v1", DAY) == draw("s", "v1", DAY)
    assert draw("s", "v1", DAY) != draw("s", "v1", date(2026, 12, 8)) != draw("t", "v1", DAY)


def test_each_explored_slot_goes_to_the_match_as_far_beyond_the_top_and_the_count_holds() -> None:
    plan = plan_pushes("s", ranked(25), 10, DAY, 0.5)
    assert sum(push.notify for push in plan) == 10
    for slot in range(10):
        top, partner = plan[slot], plan[10 + slot]
        assert top.propensity == partner.propensity == 0.5
        assert top.notify != partner.notify
        assert partner.exploratory == partner.notify
        assert not top.exploratory
    assert plan[20:] == [Push(False, 0.0)] * 5


def test_propensity_is_one_less_the_share_at_the_top_the_share_beyond_one_without_a_partner() -> None:
    plan = plan_pushes("s", ranked(13), 10, DAY, 0.1)
    assert [push.propensity for push in plan] == [0.9] * 3 + [1.0] * 7 + [0.1] * 3
    assert all(push.notify for push in plan[3:10])
    assert all(push.propensity > 0 for push in plan if push.notify)


def test_without_exploration_or_room_the_plan_is_the_plain_top() -> None:
    assert plan_pushes("s", ranked(20), 10, DAY, 0.0) == [Push(True, 1.0)] * 10 + [Push(False, 0.0)] * 10
    assert plan_pushes("s", ranked(5), 0, DAY, 0.1) == [Push(False, 0.0)] * 5


def test_the_share_of_explored_slots_follows_the_setting() -> None:
    plans = [plan_pushes(f"s{seeker}", ranked(20), 10, DAY, 0.1) for seeker in range(2_000)]
    explored = sum(push.exploratory for plan in plans for push in plan)
    assert explored / 20_000 == pytest.approx(0.1, abs=0.01)
