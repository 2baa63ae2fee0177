"""Simulated outcomes: who saw which vacancy, and how each pair progressed, week by week.

Every exposed pair may go: applied -> invited, or invited directly by the employer; an
invitation is accepted or declined; an accepted interview ends hired or not suitable; an
application not followed by an invitation ends not suitable. The likelier steps follow a
higher true fit. Events after the window's end are not seen yet, so every chain is a
prefix of one of those paths, and earlier weeks can train a model that later weeks test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from shared.events.catalogue import Outcome
from shared.synthetic.seekers import SeekerTable
from shared.synthetic.vacancies import VacancyTable, as_datetime64

DAY = 86_400
_ROLE_SHARE, _CITY_SHARE = 0.45, 0.30
_EXPOSURE_DAYS = 21
FitOfPairs = Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], npt.NDArray[np.float64]]


class Stage(StrEnum):
    APPLIED = "applied"
    INVITED = "invited"
    ACCEPTED = "accepted"
    """The seeker accepted the interview invitation."""
    DECLINED = "declined"
    HIRED = "hired"
    NOT_SUITABLE = "not_suitable"

    @property
    def outcome(self) -> Outcome | None:
        """The fair outcome this stage records, where it is one."""
        return {Stage.HIRED: Outcome.HIRED, Stage.NOT_SUITABLE: Outcome.NOT_SUITABLE}.get(self)


STAGES: tuple[Stage, ...] = tuple(Stage)


@dataclass(frozen=True)
class PairEvents:
    """One row per event (or per exposure), ordered by time."""

    seeker: npt.NDArray[np.int32]
    vacancy: npt.NDArray[np.int32]
    at: npt.NDArray[np.datetime64]
    """Seconds, UTC."""
    week: npt.NDArray[np.int16]
    """Whole weeks since the window's start."""
    stage: npt.NDArray[np.int8]
    """Index into ``STAGES``; -1 for exposures."""

    def __len__(self) -> int:
        return len(self.seeker)


@dataclass(frozen=True)
class Outcomes:
    exposures: PairEvents
    events: PairEvents


def _draw_from_groups(
    rng: np.random.Generator,
    members: npt.NDArray[np.int64],
    group_of_member: npt.NDArray[np.int64],
    wanted_group: npt.NDArray[np.int64],
    per_row: int,
) -> npt.NDArray[np.int64]:
    """For each wanted group, ``per_row`` members drawn with replacement (-1 where the group is empty)."""
    order = np.argsort(group_of_member, kind="stable")
    sorted_groups = group_of_member[order]
    low = np.searchsorted(sorted_groups, wanted_group, side="left")
    high = np.searchsorted(sorted_groups, wanted_group, side="right")
    offset = (rng.random((len(wanted_group), per_row)) * (high - low)[:, None]).astype(np.int64)
    drawn = members[order[np.minimum(low[:, None] + offset, len(order) - 1)]]
    result: npt.NDArray[np.int64] = np.where((high > low)[:, None], drawn, -1)
    return result


def _exposed_pairs(
    rng: np.random.Generator, seekers: SeekerTable, vacancies: VacancyTable, per_vacancy: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs a matcher would show: consenting seekers who ask for the role, live in the city, or any."""
    eligible = np.flatnonzero(seekers.allow_matching)
    by_role = int(per_vacancy * _ROLE_SHARE)
    by_city = int(per_vacancy * _CITY_SHARE)
    at_random = per_vacancy - by_role - by_city
    occupation = vacancies.occupation.astype(np.int64)
    city = vacancies.city.astype(np.int64)
    candidates = np.concatenate(
        [
            _draw_from_groups(
                rng, eligible, seekers.desired_roles[eligible, 0].astype(np.int64), occupation, by_role
            ),
            _draw_from_groups(rng, eligible, seekers.home_city[eligible].astype(np.int64), city, by_city),
            eligible[rng.integers(0, len(eligible), size=(len(vacancies), at_random))],
        ],
        axis=1,
    )
    vacancy = np.repeat(np.arange(len(vacancies), dtype=np.int64), per_vacancy)
    seeker = candidates.ravel()
    pair = np.unique(vacancy[seeker >= 0] * len(seekers) + seeker[seeker >= 0])
    return pair % len(seekers), pair // len(seekers)


def _delay(
    rng: np.random.Generator, mean_days: float, minimum_hours: float, count: int
) -> npt.NDArray[np.timedelta64]:
    seconds = rng.exponential(mean_days * DAY, size=count) + minimum_hours * 3_600
    return seconds.astype(np.int64).astype("timedelta64[s]")


def simulate_outcomes(
    rng: np.random.Generator,
    seekers: SeekerTable,
    vacancies: VacancyTable,
    fit_of_pairs: FitOfPairs,
    start: datetime,
    weeks: int,
    per_vacancy: int,
) -> Outcomes:
    origin = as_datetime64(start)
    end = origin + np.timedelta64(weeks * 7 * DAY, "s")
    seeker, vacancy = _exposed_pairs(rng, seekers, vacancies, per_vacancy)
    count = len(seeker)
    posted = vacancies.posted_at[vacancy]
    span = np.minimum(np.timedelta64(_EXPOSURE_DAYS * DAY, "s"), end - posted).astype(np.int64)
    exposed_at = posted + (rng.random(count) * span).astype(np.int64).astype("timedelta64[s]")
    fit = fit_of_pairs(seeker, vacancy)
    draw = rng.random((count, 4))

    applied = draw[:, 0] < 0.03 + 0.5 * fit
    applied_at = exposed_at + _delay(rng, 1.5, 0.5, count)
    invited = np.where(applied, draw[:, 1] < 0.05 + 0.8 * fit, draw[:, 1] < 0.25 * fit)
    invited_at = np.where(applied, applied_at, exposed_at) + _delay(rng, 2.0, 2.0, count)
    turned_down_at = applied_at + _delay(rng, 3.0, 1.0, count)
    accepted = invited & (draw[:, 2] < 0.35 + 0.55 * fit)
    answered_at = invited_at + _delay(rng, 1.0, 1.0, count)
    hired = accepted & (draw[:, 3] < 0.05 + 0.8 * fit)
    decided_at = answered_at + _delay(rng, 5.0, 24.0, count)
    hired = _within_headcount(hired, vacancy, decided_at, vacancies.headcount)

    steps = [
        (applied, Stage.APPLIED, applied_at),
        (applied & ~invited, Stage.NOT_SUITABLE, turned_down_at),
        (invited, Stage.INVITED, invited_at),
        (accepted, Stage.ACCEPTED, answered_at),
        (invited & ~accepted, Stage.DECLINED, answered_at),
        (hired, Stage.HIRED, decided_at),
        (accepted & ~hired, Stage.NOT_SUITABLE, decided_at),
    ]
    rows = np.concatenate([np.flatnonzero(mask) for mask, _, _ in steps])
    stage = np.concatenate([np.full(int(mask.sum()), STAGES.index(name), np.int8) for mask, name, _ in steps])
    at = np.concatenate([times[mask] for mask, _, times in steps])
    return Outcomes(
        exposures=_table(seeker, vacancy, exposed_at, np.full(count, -1, np.int8), origin, end),
        events=_table(seeker[rows], vacancy[rows], at, stage, origin, end),
    )


def _within_headcount(
    hired: npt.NDArray[np.bool_],
    vacancy: npt.NDArray[np.int64],
    at: npt.NDArray[np.datetime64],
    headcount: npt.NDArray[np.int16],
) -> npt.NDArray[np.bool_]:
    """Hires beyond a vacancy's headcount, latest first, become not hired."""
    rows = np.flatnonzero(hired)
    order = rows[np.lexsort((at[rows], vacancy[rows]))]
    ordered_vacancy = vacancy[order]
    first_of_vacancy = np.flatnonzero(np.r_[True, ordered_vacancy[1:] != ordered_vacancy[:-1]])
    run_start = np.repeat(first_of_vacancy, np.diff(np.r_[first_of_vacancy, len(order)]))
    rank = np.arange(len(order)) - run_start
    kept = hired.copy()
    kept[order[rank >= headcount[ordered_vacancy]]] = False
    return kept


def _table(
    seeker: npt.NDArray[np.int64],
    vacancy: npt.NDArray[np.int64],
    at: npt.NDArray[np.datetime64],
    stage: npt.NDArray[np.int8],
    origin: np.datetime64,
    end: np.datetime64,
) -> PairEvents:
    seen = at < end
    seeker, vacancy, at, stage = seeker[seen], vacancy[seen], at[seen], stage[seen]
    order = np.lexsort((stage, seeker, vacancy, at))
    return PairEvents(
        seeker=seeker[order].astype(np.int32),
        vacancy=vacancy[order].astype(np.int32),
        at=at[order],
        week=((at[order] - origin) // np.timedelta64(7 * DAY, "s")).astype(np.int16),
        stage=stage[order],
    )
