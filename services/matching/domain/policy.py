"""Against congestion and noise: how many matches each seeker is pushed, and which edits count.

Every pair a ranking finds is published (and listed); only pushing is capped."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from shared.events import catalogue as c

VACANCY_FANOUT = 50  # seekers matched when a vacancy is posted or materially edited
SEEKER_FANOUT = 20  # vacancies matched when a profile is registered or materially edited
DAILY_CAP = 10  # matches one seeker may be pushed per day (``notify``), whatever their source
EXPLORATION_SHARE = 0.1  # the chance each pushed slot goes to a candidate just beyond the top
MATERIAL_SCORE_CHANGE = 0.05

VACANCY_FIELDS = {"title", "description", "skills", "education_level", "min_experience_years", "salary",
                  "city", "remote", "talent_category", "deadline"}  # fmt: skip
SEEKER_FIELDS = {"education", "experience_years", "skills", "desired_roles", "desired_cities",
                 "salary_expectation", "talent_category", "summary", "consent"}  # fmt: skip


def material_vacancy_change(old: c.VacancyState | None, new: c.VacancyState) -> bool:
    """A new vacancy, a reopening, or an edit of what matching reads; not a headcount change."""
    if old is None or isinstance(new, c.VacancyReopened):
        return True
    return old.model_dump(include=VACANCY_FIELDS) != new.model_dump(include=VACANCY_FIELDS)


def fingerprint(seeker: c.SeekerState) -> bytes:
    """A digest of what matching reads of a profile: all the matcher keeps of a seeker's state."""
    return hashlib.blake2b(seeker.model_dump_json(include=SEEKER_FIELDS).encode(), digest_size=16).digest()


def material_seeker_change(old: bytes | None, new: c.SeekerState) -> bool:
    return old is None or old != fingerprint(new)


def worth_telling(previous_score: float | None, score: float) -> bool:
    """A pair already published is published again only when its score moved materially."""
    return previous_score is None or abs(score - previous_score) >= MATERIAL_SCORE_CHANGE


@dataclass(frozen=True)
class Push:
    """Whether a published match is pushed, the probability it had of being pushed (its
    propensity, what learning weighs it by) and whether it took an exploration slot."""

    notify: bool
    propensity: float
    exploratory: bool = False


def plan_pushes(seeker_id: str, vacancy_ids: list[str], room: int, day: date, share: float) -> list[Push]:
    """Which of a seeker's ranked matches (best first) take the ``room`` pushes left today.

    The k-th of the top ``room`` is pushed unless its draw falls under ``share``; then the
    slot goes to the k-th just beyond the top (rank ``room`` + k) instead. So a top match has
    propensity 1 - share (1 without a partner), its partner share, and the rest 0. The draw is
    a hash of (seeker, vacancy, day): a ranking redone after a crash makes the same choice."""
    pushes = [Push(False, 0.0)] * len(vacancy_ids)
    top, beyond = vacancy_ids[:room], vacancy_ids[room : 2 * room]
    for slot, vacancy_id in enumerate(top):
        if slot >= len(beyond):
            pushes[slot] = Push(True, 1.0)
            continue
        explore = draw(seeker_id, vacancy_id, day) < share
        pushes[slot] = Push(not explore, 1.0 - share)
        pushes[room + slot] = Push(explore, share, explore)
    return pushes


def draw(seeker_id: str, vacancy_id: str, day: date) -> float:
    """A uniform number in [0, 1) fixed by the pair and the day."""
    digest = hashlib.blake2b(f"{seeker_id}:{vacancy_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class DailyTally:
    """The matches each seeker may be pushed today, as (seeker, vacancy) pairs, so counting one
    twice (this replica's own, then the same one mirrored from the log) changes nothing.

    Kept in memory and rebuilt from the stored matches at start-up: the store is only
    efficient at reading documents by id, so counting per event there would scan."""

    def __init__(self) -> None:
        self._day: date | None = None
        self._told: defaultdict[str, set[str]] = defaultdict(set)

    def room(self, seeker_id: str, today: date) -> int:
        self._roll(today)
        return max(DAILY_CAP - len(self._told.get(seeker_id, ())), 0)

    def add(self, seeker_id: str, vacancy_id: str, day: date) -> None:
        self._roll(day)
        if day == self._day:
            self._told[seeker_id].add(vacancy_id)

    def forget(self, seeker_id: str) -> None:
        self._told.pop(seeker_id, None)

    def _roll(self, today: date) -> None:
        if self._day is None or today > self._day:
            self._day, self._told = today, defaultdict(set)


class PublishedScores:
    """The score each (seeker, vacancy) pair was last published with, so a pair is published again only
    when its score moved materially. Kept in memory like the tally, rebuilt from the stored
    matches at start-up and fed by the mirror: reading each ranked pair's record from the
    store cost several times the ranking itself."""

    def __init__(self) -> None:
        self._scores: dict[str, dict[str, float]] = {}

    def previous(self, seeker_id: str, vacancy_id: str) -> float | None:
        return self._scores.get(seeker_id, {}).get(vacancy_id)

    def record(self, seeker_id: str, vacancy_id: str, score: float) -> None:
        self._scores.setdefault(seeker_id, {})[vacancy_id] = score

    def forget(self, seeker_id: str) -> None:
        self._scores.pop(seeker_id, None)
