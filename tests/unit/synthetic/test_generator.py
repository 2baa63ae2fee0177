"""The synthetic market: deterministic, valid against the catalogue, fair, and with a truth worth learning."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from services.employer.domain.fairness import protected_phrases
from shared.credit_code import credit_code_problem
from shared.events import Envelope, parse_event
from shared.events import catalogue as c
from shared.synthetic import STAGES, Outcomes, Stage, SyntheticMarket, attribution, load_taxonomy
from shared.synthetic.derive_taxonomy import OUTPUT, derive

SMALL: dict[str, Any] = {"employers": 40, "vacancies": 400, "seekers": 3_000}
CJK = re.compile(r"[\u4e00-\u9fff]")
SOURCE = Path(__file__).resolve().parents[4] / "shared" / "data" / "occupations"
PROTECTED = {
    "gender", "sex", "age", "birth_date", "date_of_birth", "marital_status", "ethnicity", "religion",
    "hukou", "household_registration", "nationality",
}  # fmt: skip
S = STAGES.index
VALID_PATHS = [
    [S(Stage.APPLIED), S(Stage.NOT_SUITABLE)],
    [S(Stage.APPLIED), S(Stage.INVITED), S(Stage.DECLINED)],
    [S(Stage.APPLIED), S(Stage.INVITED), S(Stage.ACCEPTED), S(Stage.HIRED)],
    [S(Stage.APPLIED), S(Stage.INVITED), S(Stage.ACCEPTED), S(Stage.NOT_SUITABLE)],
    [S(Stage.INVITED), S(Stage.DECLINED)],
    [S(Stage.INVITED), S(Stage.ACCEPTED), S(Stage.HIRED)],
    [S(Stage.INVITED), S(Stage.ACCEPTED), S(Stage.NOT_SUITABLE)],
]


@dataclass(frozen=True)
class Payloads:
    employers: list[c.EmployerRegistered]
    vacancies: list[c.VacancyPosted]
    seekers: list[c.SeekerRegistered]
    contacts: list[c.ContactDetails]

    def dumps(self) -> list[str]:
        models = [*self.employers, *self.vacancies, *self.seekers, *self.contacts]
        return [model.model_dump_json() for model in models]


def payloads_of(market: SyntheticMarket) -> Payloads:
    seekers = list(market.seeker_events())
    return Payloads(
        employers=list(market.employer_events()),
        vacancies=list(market.vacancy_events()),
        seekers=[event for event, _ in seekers],
        contacts=[contact for _, contact in seekers],
    )


def outcome_bytes(outcomes: Outcomes) -> bytes:
    tables = (outcomes.exposures, outcomes.events)
    return b"".join(
        column.tobytes() for t in tables for column in (t.seeker, t.vacancy, t.at, t.week, t.stage)
    )


@pytest.fixture(scope="module")
def market() -> SyntheticMarket:
    return SyntheticMarket(11, **SMALL)


@pytest.fixture(scope="module")
def payloads(market: SyntheticMarket) -> Payloads:
    return payloads_of(market)


@pytest.fixture(scope="module")
def outcomes(market: SyntheticMarket) -> Outcomes:
    return market.simulate_outcomes()


@pytest.fixture(scope="module")
def fit(market: SyntheticMarket) -> npt.NDArray[np.float64]:
    """Every pair's true fit: one row per vacancy, one column per seeker."""
    return np.stack([market.true_fit_for_vacancy(vacancy) for vacancy in range(len(market.vacancies))])


# --- determinism and sizes ----------------------------------------------------------


def test_the_same_seed_gives_byte_identical_payloads_and_outcomes(
    market: SyntheticMarket, payloads: Payloads, outcomes: Outcomes, fit: npt.NDArray[np.float64]
) -> None:
    again = SyntheticMarket(11, **SMALL)
    assert payloads_of(again).dumps() == payloads.dumps()
    assert outcome_bytes(again.simulate_outcomes()) == outcome_bytes(outcomes)
    assert again.true_fit_for_vacancy(7).tobytes() == fit[7].tobytes()


def test_a_different_seed_gives_a_different_market(market: SyntheticMarket) -> None:
    other = SyntheticMarket(12, **SMALL)
    assert other.employers.names != market.employers.names
    assert other.seekers.display_names != market.seekers.display_names
    assert not np.array_equal(other.vacancies.occupation, market.vacancies.occupation)


def test_the_seekers_of_a_seed_do_not_depend_on_the_number_of_vacancies(market: SyntheticMarket) -> None:
    other = SyntheticMarket(11, employers=5, vacancies=30, seekers=SMALL["seekers"])
    assert other.seekers.display_names == market.seekers.display_names
    assert np.array_equal(other.seekers.skills, market.seekers.skills)


def test_the_tables_and_payloads_have_the_sizes_asked_for(
    market: SyntheticMarket, payloads: Payloads
) -> None:
    assert len(market.employers) == len(payloads.employers) == SMALL["employers"]
    assert len(market.vacancies) == len(payloads.vacancies) == SMALL["vacancies"]
    assert len(market.seekers) == len(payloads.seekers) == len(payloads.contacts) == SMALL["seekers"]


# --- validity against the catalogue ---------------------------------------------------


def test_every_payload_survives_the_envelope_round_trip(payloads: Payloads) -> None:
    for payload in [*payloads.employers, *payloads.vacancies, *payloads.seekers]:
        envelope = Envelope.wrap(payload, producer="synthetic")
        assert parse_event(envelope.model_dump_json()).payload == payload


def test_vacancies_belong_to_real_employers_of_their_industry(
    market: SyntheticMarket, payloads: Payloads
) -> None:
    employers = {event.employer_id: event for event in payloads.employers}
    for index, vacancy in enumerate(payloads.vacancies):
        occupation = market.taxonomy.occupations[market.vacancies.occupation[index]]
        assert employers[vacancy.employer_id].industry == occupation.industry
        assert vacancy.talent_category == occupation.category
        assert 3 <= len(vacancy.skills) <= 8
        assert 0 < vacancy.salary.min <= vacancy.salary.max
        assert vacancy.deadline is not None
        assert vacancy.deadline > market.vacancy_posted_at(index).date()


def test_credit_codes_are_valid_and_distinct(payloads: Payloads) -> None:
    codes = [event.credit_code for event in payloads.employers]
    assert [credit_code_problem(code) for code in codes] == [None] * len(codes)
    assert len(set(codes)) == len(codes)


def test_ids_are_distinct_version_4_uuids(payloads: Payloads) -> None:
    ids = [event.employer_id for event in payloads.employers]
    ids += [event.vacancy_id for event in payloads.vacancies]
    ids += [event.seeker_id for event in payloads.seekers]
    assert len(set(ids)) == len(ids)
    assert {uuid.version for uuid in ids} == {4}


def test_contact_details_are_valid_and_stay_off_the_profile(payloads: Payloads) -> None:
    for event, contact in zip(payloads.seekers, payloads.contacts, strict=True):
        assert contact.email or contact.phone
        dumped = event.model_dump_json()
        assert contact.email is None or contact.email not in dumped
        assert contact.phone is None or contact.phone not in dumped


# --- the text ------------------------------------------------------------------------


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def test_the_text_is_mostly_chinese_with_some_english(payloads: Payloads) -> None:
    vacancies, seekers = payloads.vacancies, payloads.seekers
    assert 0.75 < share([bool(CJK.search(vacancy.title)) for vacancy in vacancies]) < 0.95
    assert 0.10 < share([vacancy.title.isascii() for vacancy in vacancies]) < 0.20
    assert share([bool(CJK.search(vacancy.description)) for vacancy in vacancies]) > 0.75
    assert 0.15 < share(["Experience with" in vacancy.description for vacancy in vacancies]) < 0.5
    assert 0.95 < share([bool(CJK.search(seeker.display_name)) for seeker in seekers]) < 0.99
    skills = [skill for seeker in seekers for skill in seeker.skills]
    assert 0.7 < share([bool(CJK.search(skill)) for skill in skills]) < 0.95
    assert 0.85 < share([seeker.notification_language == "zh-CN" for seeker in seekers]) < 0.95


def test_consent_is_sometimes_withheld(payloads: Payloads) -> None:
    seekers = payloads.seekers
    assert 0.06 < share([not seeker.consent.allow_matching for seeker in seekers]) < 0.10
    assert 0.03 < share([not seeker.consent.personalised_recommendations for seeker in seekers]) < 0.07


# --- fairness ------------------------------------------------------------------------


def keys_of(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def test_no_payload_or_table_holds_a_protected_attribute(market: SyntheticMarket, payloads: Payloads) -> None:
    keys = set().union(*(keys_of(json.loads(dumped)) for dumped in payloads.dumps()))
    assert keys
    assert not keys & PROTECTED
    for table in (market.employers, market.vacancies, market.seekers, market.seekers.truth):
        assert not set(vars(table)) & PROTECTED


def test_no_vacancy_text_demands_a_protected_attribute(payloads: Payloads) -> None:
    for vacancy in payloads.vacancies:
        for text in (vacancy.title, vacancy.description, *vacancy.skills):
            assert protected_phrases(text) == [], text


# --- the hidden truth --------------------------------------------------------------------


def test_true_fit_is_in_the_unit_interval_and_the_same_one_pair_at_a_time(
    market: SyntheticMarket, fit: npt.NDArray[np.float64]
) -> None:
    assert fit.shape == (SMALL["vacancies"], SMALL["seekers"])
    assert ((fit >= 0) & (fit <= 1)).all()
    assert [market.true_fit(seeker, 3) for seeker in range(50)] == fit[3, :50].tolist()


def test_true_fit_is_higher_for_seekers_whose_true_occupation_is_the_vacancys(
    market: SyntheticMarket, fit: npt.NDArray[np.float64]
) -> None:
    same = market.vacancies.occupation[:, None] == market.seekers.truth.occupation[None, :]
    with_match = same.any(axis=1)
    matched = np.where(same, fit, 0).sum(axis=1)[with_match] / same.sum(axis=1)[with_match]
    others = np.where(same, 0, fit).sum(axis=1)[with_match] / (~same).sum(axis=1)[with_match]
    assert with_match.sum() > 300
    assert matched.mean() > 5 * others.mean()
    assert (matched > others).mean() > 0.95


def test_true_fit_depends_on_what_the_profile_does_not_say(
    market: SyntheticMarket, fit: npt.NDArray[np.float64]
) -> None:
    """Among same-occupation seekers in the vacancy's city, the hidden diligence still moves the fit."""
    vacancies, seekers = market.vacancies, market.seekers
    alike = (vacancies.occupation[:, None] == seekers.truth.occupation) & (
        vacancies.city[:, None] == seekers.home_city
    )
    diligence = np.broadcast_to(seekers.truth.diligence, fit.shape)
    assert fit[alike & (diligence > 1)].mean() > fit[alike & (diligence < -1)].mean() + 0.1


# --- outcomes ---------------------------------------------------------------------


def test_outcomes_are_ordered_in_time_and_each_pair_follows_a_possible_path(
    market: SyntheticMarket, outcomes: Outcomes
) -> None:
    events, exposures = outcomes.events, outcomes.exposures
    assert (np.diff(events.at.astype(np.int64)) >= 0).all()
    assert set(events.week.tolist()) <= set(range(market.weeks))
    pairs = zip(exposures.seeker.tolist(), exposures.vacancy.tolist(), strict=True)
    exposed_at = dict(zip(pairs, exposures.at, strict=True))
    paths: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    for seeker, vacancy, at, stage in zip(
        events.seeker, events.vacancy, events.at, events.stage, strict=True
    ):
        pair = (int(seeker), int(vacancy))
        assert at > exposed_at[pair]
        paths[pair].append(int(stage))
    assert all(any(path == valid[: len(path)] for valid in VALID_PATHS) for path in paths.values())
    assert {STAGES[stage] for path in paths.values() for stage in path} == set(Stage)


def test_hires_follow_an_accepted_invitation_and_respect_headcount(
    market: SyntheticMarket, outcomes: Outcomes
) -> None:
    events = outcomes.events
    hired = events.stage == S(Stage.HIRED)
    was_accepted = events.stage == S(Stage.ACCEPTED)
    accepted = set(
        zip(events.seeker[was_accepted].tolist(), events.vacancy[was_accepted].tolist(), strict=True)
    )
    assert set(zip(events.seeker[hired].tolist(), events.vacancy[hired].tolist(), strict=True)) <= accepted
    hires_per_vacancy = np.bincount(events.vacancy[hired], minlength=len(market.vacancies))
    assert (hires_per_vacancy <= market.vacancies.headcount).all()


def test_only_consenting_seekers_are_exposed_and_progress_follows_fit(
    market: SyntheticMarket, outcomes: Outcomes, fit: npt.NDArray[np.float64]
) -> None:
    exposures, events = outcomes.exposures, outcomes.events
    assert market.seekers.allow_matching[exposures.seeker].all()
    hired = events.stage == S(Stage.HIRED)
    assert hired.sum() > 50
    assert (
        fit[events.vacancy[hired], events.seeker[hired]].mean()
        > 2 * fit[exposures.vacancy, exposures.seeker].mean()
    )
    assert (events.week < 4).sum() > 0.2 * len(events)
    assert (events.week >= 6).sum() > 0.2 * len(events)


def test_stages_name_the_fair_outcomes_they_record() -> None:
    assert Stage.HIRED.outcome == c.Outcome.HIRED
    assert Stage.NOT_SUITABLE.outcome == c.Outcome.NOT_SUITABLE
    assert Stage.APPLIED.outcome is None


# --- the taxonomy --------------------------------------------------------------------


def test_the_taxonomy_covers_every_talent_category_and_carries_its_attribution() -> None:
    taxonomy = load_taxonomy()
    assert "This service uses the ESCO classification of the European Commission." in attribution()
    assert "modified" in attribution()
    assert 150 <= len(taxonomy.occupations) <= 250
    assert {occupation.category for occupation in taxonomy.occupations} == set(c.TalentCategory)
    assert len(taxonomy.industries) >= 12
    assert all(0 < len(occupation.skills) <= 15 for occupation in taxonomy.occupations)
    assert all(CJK.search(occupation.zh) for occupation in taxonomy.occupations)
    assert all(CJK.search(skill.zh) for skill in taxonomy.skills)
    assert OUTPUT.stat().st_size < 400_000


@pytest.mark.skipif(not SOURCE.is_dir(), reason="the ESCO source is only in the development checkout")
def test_the_taxonomy_file_is_what_the_derive_script_makes_of_the_source() -> None:
    derived = derive(SOURCE)
    assert isinstance(derived, dict)
    assert json.loads(OUTPUT.read_text(encoding="utf-8")) == derived
