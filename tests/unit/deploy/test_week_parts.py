"""The demo week's pure parts: sizes, who acts, what they do, the bodies they send, the summary."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pytest

from deploy.local.week import bodies
from deploy.local.week.simulation import applications, cast, interview_outcome
from deploy.local.week.sizes import FULL, Sizes, scaled
from deploy.local.week.summary import Retraining, Summary, format_summary
from services.employer.domain.model import OrganisationDraft, VacancyDraft
from services.notification.domain.preferences import Preferences
from services.seeker.domain.model import RegistrationRecord
from shared.events.catalogue import Outcome
from shared.synthetic import SyntheticMarket

MARKET = SyntheticMarket(7, employers=5, vacancies=20, seekers=60)


def test_the_full_week_is_the_asked_size_and_a_scaled_one_keeps_a_handful_of_everything() -> None:
    assert (FULL.employers, FULL.vacancies, FULL.seekers) == (200, 2_000, 20_000)
    assert scaled(1.0) == FULL
    tiny = scaled(0.001)
    assert (tiny.employers, tiny.vacancies, tiny.seekers, tiny.interactive) == (5, 20, 60, 20)
    assert tiny.fair_employers <= tiny.employers
    assert tiny.fair_seekers <= tiny.interactive
    with pytest.raises(ValueError, match="scale"):
        scaled(0)


def test_sizes_refuse_parts_larger_than_the_whole() -> None:
    with pytest.raises(ValueError, match="interactive"):
        Sizes(
            employers=5, vacancies=20, seekers=10, interactive=11, emailed=1, fair_employers=1, fair_seekers=1
        )
    with pytest.raises(ValueError, match="drawn from the interactive"):
        Sizes(
            employers=5,
            vacancies=20,
            seekers=60,
            interactive=10,
            emailed=11,
            fair_employers=1,
            fair_seekers=1,
        )


def test_the_cast_is_drawn_without_repeats_and_the_same_for_the_same_seed() -> None:
    people = cast(np.random.default_rng(3), 1_000, 100, 20, 30)
    assert len(set(people.interactive)) == 100
    assert set(people.emailed) <= set(people.interactive)
    assert set(people.fair) <= set(people.interactive)
    assert len(set(people.fair)) == 30
    assert cast(np.random.default_rng(3), 1_000, 100, 20, 30) == people


def test_a_better_hidden_fit_ends_better_and_is_applied_to_more_often() -> None:
    rng = np.random.default_rng(1)
    low = Counter(interview_outcome(rng, 0.02) for _ in range(4_000))
    high = Counter(interview_outcome(rng, 0.5) for _ in range(4_000))
    assert high[Outcome.HIRED] > 3 * low[Outcome.HIRED]
    assert high[Outcome.NOT_SUITABLE] < low[Outcome.NOT_SUITABLE]
    assert len(applications(rng, [0.9] * 1_000)) > 3 * len(applications(rng, [0.01] * 1_000))


def test_the_bodies_are_what_the_services_accept() -> None:
    today = date(2026, 11, 23)
    organisation = OrganisationDraft.model_validate(bodies.organisation(MARKET, 0))
    employer = MARKET.employer_event(0)
    assert (organisation.name, organisation.credit_code, organisation.city) == (
        employer.name,
        employer.credit_code,
        employer.city,
    )
    vacancy = VacancyDraft.model_validate(bodies.vacancy(MARKET, 3, today))
    assert vacancy.deadline is not None
    assert vacancy.deadline > today
    record = RegistrationRecord.model_validate(bodies.registration_record(MARKET, 5, today.year))
    assert record.profile.contact.email == bodies.seeker_email(MARKET, 5)
    event, _ = MARKET.seeker_event(5)
    assert record.seeker().state(event.__class__).experience_years == event.experience_years
    assert Preferences.model_validate(bodies.preferences("a@example.cn")).channels == ["inbox", "email"]


def test_the_summary_names_every_figure_and_each_step_time() -> None:
    metrics = {"compared_with": "cold-start-1", "their_ndcg_at_10": 0.31, "their_recall_at_10": 0.5,
               "ndcg_at_10": 0.48, "recall_at_10": 0.75, "train_pairs": 468, "test_pairs": 118}  # fmt: skip
    summary = Summary(
        employers=5, vacancies=20, seekers=60, signed_up=30, applications=7, matches=600, notifications=120,
        emails=40, schedule={"interviews": 40, "method": "flow", "min_interviews_per_seeker": 2},
        statistics={"starts_at": "2026-11-28T01:00:00Z",
                    "figures": {"employers_attending": 5, "visitors": 17, "hires": 3, "hiring_intentions": 8,
                                "not_suitable": 26}},
        retraining=Retraining("lr-20261123", True, metrics),
        timings=[("employers sign up", 3.04), ("fair", 1.0)],
    )  # fmt: skip
    text = format_summary(summary)
    for figure in ("5 employers, 20 vacancies, 60 seekers (30 signed up themselves)", "600 matches",
                   "120 notifications, 40 e-mails",
                   "2026-11-28 09:00 (Asia/Shanghai): 40 interviews scheduled", "17 seekers came", "3 hires",
                   "8 hiring intentions", "cold-start-1: NDCG@10 0.310", "lr-20261123: NDCG@10 0.480",
                   "promoted", "4 s in all", "3.0 s  employers sign up"):  # fmt: skip
        assert figure in text
    assert "why not" not in text
    not_trained = format_summary(Summary(**{**summary.__dict__, "retraining": "too few pairs"}))
    assert "not retrained: too few pairs" in not_trained
    kept = format_summary(
        Summary(
            **{
                **summary.__dict__,
                "retraining": Retraining("lr-20261123", False, {**metrics, "ndcg_at_10": 0.29}),
            }
        )
    )
    assert "kept the model in use" in kept
    assert "why not" in kept
    assert "no higher than cold-start-1 (0.290 vs 0.310)" in kept
