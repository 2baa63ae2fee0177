"""The features of a seeker–vacancy pair, computed for one side against many of the other.

Each feature is a number whose meaning a reason can state; none comes from a protected
attribute (the inputs have none).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

from services.matching.domain.encoding import NO_CATEGORY, Columns

Matrix = npt.NDArray[np.float32]


class Feature(StrEnum):
    TEXT_SIMILARITY = "text_similarity"
    SKILLS_MATCHED = "skills_matched"
    SKILLS_MISSING = "skills_missing"
    EDUCATION_GAP = "education_gap"
    EXPERIENCE_GAP = "experience_gap"
    SALARY_FIT = "salary_fit"
    CITY_FIT = "city_fit"
    CATEGORY_FIT = "category_fit"
    CREDENTIAL_VERIFIED = "credential_verified"


FEATURES = tuple(Feature)
MAX_MISSING = 5
EDUCATION_SCALE = 3
EXPERIENCE_SCALE = 5


def pair_features(
    seekers: Columns, s: npt.NDArray[np.intp], vacancies: Columns, v: npt.NDArray[np.intp]
) -> Matrix:
    """Features of the pairs (seekers[s[i]], vacancies[v[i]]); either index array may have length 1."""
    n = max(len(s), len(v))
    s_rows = np.broadcast_to(s, n) if len(s) == 1 else s
    v_rows = np.broadcast_to(v, n) if len(v) == 1 else v
    out = np.zeros((n, len(FEATURES)), np.float32)
    out[:, 0] = _rowwise_dot(seekers, s, vacancies, v, "text")
    matched = _rowwise_dot(seekers, s, vacancies, v, "skills")
    required = vacancies.skill_count[v_rows]
    has_requirements = required > 0
    out[:, 1] = np.where(has_requirements, matched / np.maximum(required, 1), 0)
    out[:, 2] = np.where(has_requirements, np.minimum(required - matched, MAX_MISSING) / MAX_MISSING, 0)
    education_gap = seekers.education[s_rows].astype(np.float32) - vacancies.education[v_rows]
    out[:, 3] = np.clip(education_gap, -EDUCATION_SCALE, 0) / EDUCATION_SCALE
    experience_gap = seekers.experience[s_rows] - vacancies.experience[v_rows]
    out[:, 4] = np.clip(experience_gap, -EXPERIENCE_SCALE, 0) / EXPERIENCE_SCALE
    out[:, 5] = _salary_fit(seekers, s_rows, vacancies, v_rows)
    out[:, 6] = city_fit(seekers, s, vacancies, v)
    seeker_category = seekers.category[s_rows]
    out[:, 7] = (seeker_category != NO_CATEGORY) & (seeker_category == vacancies.category[v_rows])
    out[:, 8] = seekers.verified[s_rows]
    return out


def _rowwise_dot(
    seekers: Columns, s: npt.NDArray[np.intp], vacancies: Columns, v: npt.NDArray[np.intp], name: str
) -> Matrix:
    left, right = getattr(seekers, name)[s], getattr(vacancies, name)[v]
    if len(s) == 1:
        return np.asarray((right @ left.T).todense(), np.float32).ravel()
    if len(v) == 1:
        return np.asarray((left @ right.T).todense(), np.float32).ravel()
    return np.asarray(left.multiply(right).sum(axis=1), np.float32).ravel()


def _salary_fit(
    seekers: Columns, s: npt.NDArray[np.intp], vacancies: Columns, v: npt.NDArray[np.intp]
) -> Matrix:
    """How much of the seeker's expected range the vacancy pays; 0.5 when no expectation was given."""
    low, high = seekers.salary_min[s], seekers.salary_max[s]
    overlap = np.minimum(high, vacancies.salary_max[v]) - np.maximum(low, vacancies.salary_min[v])
    width = np.maximum(high - low, 1)
    fit = np.clip(overlap / width, 0, 1)
    return np.where(np.isnan(low), 0.5, np.where(overlap >= 0, np.maximum(fit, 0.1), 0)).astype(np.float32)


def city_fit(
    seekers: Columns, s: npt.NDArray[np.intp], vacancies: Columns, v: npt.NDArray[np.intp]
) -> Matrix:
    """1 where the seeker wants the vacancy's city or it is remote, 0.5 for a seeker open to
    any city, 0 otherwise (a hard filter removes those pairs before ranking)."""
    n = max(len(s), len(v))
    s_rows = np.broadcast_to(s, n) if len(s) == 1 else s
    v_rows = np.broadcast_to(v, n) if len(v) == 1 else v
    wanted = _rowwise_dot(seekers, s, vacancies, v, "cities") > 0
    open_to_any = seekers.city_count[s_rows] == 0
    return np.where(wanted | vacancies.remote[v_rows], 1.0, np.where(open_to_any, 0.5, 0.0)).astype(
        np.float32
    )
