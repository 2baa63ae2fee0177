"""The features of a seeker–vacancy pair, computed for one side against many of the other.

Each feature is a number whose meaning a reason can state; none comes from a protected
attribute (the inputs have none). The formulas are written once over broadcastable arrays,
so the same code gives features of listed pairs (training, reasons) and of every pair of a
grid of seekers and vacancies (ranking).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix as Sparse

from services.matching.domain.encoding import NO_CATEGORY, NO_FAMILY, Columns

Matrix = npt.NDArray[np.float32]
Rows = npt.NDArray[np.intp]


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
FEATURES_VERSION = 2
"""What the features mean; a model trained on another version's features is never used. 2: skills
matched on canonical ids and weighed by evidence, salary excess negative."""
MAX_MISSING = 5
WANTED_CITY, ANY_CITY = 1.0, 0.5
"""The city fit of a seeker who wants the vacancy's city (or it is remote), and of a seeker
open to any city with a local vacancy; the hard filter removes every other pair."""
ROWS_AT_ONCE = 4_096
"""Rows of the longer side a grid's dot products widen or restrict at a time, so that their
temporary copies stay small whatever the grid's size."""
DENSE_TABLE = 2**22
"""The most entries a grid's dense table of one side's columns may have (16 MiB)."""
EDUCATION_SCALE = 3
EXPERIENCE_SCALE = 5
UNPROVEN, FAMILY_EXPERIENCE, SOME_EXPERIENCE, A_MAJOR, A_VERIFIED_DIPLOMA = 0.3, 0.5, 0.2, 0.1, 0.2
"""How fully what a profile lists counts: ``UNPROVEN`` without evidence, plus each kind of
evidence the profile gives (years, with a desired role in the vacancy's occupation family; any
years; a major; a diploma verified by staff), at most 1."""
MOST_EXCESS = 2.0
"""A salary expectation this far above the vacancy's maximum (three times it) costs the most."""


@dataclass(frozen=True)
class Pairs:
    """Seeker rows ``s`` against vacancy rows ``v``: the i-th with the i-th (either may have
    length 1), or, as a ``grid``, every seeker row with every vacancy row (len(s) × len(v)).
    A ``sketched`` grid takes its text similarity from the texts' sketches: an estimate, for
    choosing a shortlist only."""

    seekers: Columns
    s: Rows
    vacancies: Columns
    v: Rows
    grid: bool = False
    sketched: bool = False
    fixed_city_fit: float | None = None
    """The city fit of every pair of a grid, when the caller's city filter has fixed it (the
    seekers wanting the vacancies' city, say): one number instead of a pass over the grid."""

    def __post_init__(self) -> None:
        if self.sketched and not self.grid:
            raise ValueError("only a grid is sketched: listed pairs are scored exactly")
        if self.fixed_city_fit is not None and not self.grid:
            raise ValueError("only a grid's city fit is fixed by its city filter")

    def seeker(self, name: str) -> npt.NDArray[Any]:
        values: npt.NDArray[Any] = getattr(self.seekers, name)[self.s]
        return values[:, np.newaxis] if self.grid else values

    def vacancy(self, name: str) -> npt.NDArray[Any]:
        values: npt.NDArray[Any] = getattr(self.vacancies, name)[self.v]
        return values[np.newaxis, :] if self.grid else values

    def dot(self, name: str) -> Matrix:
        """Dot products of the two sides' sparse rows (text, skills or cities)."""
        seekers, vacancies = getattr(self.seekers, name), getattr(self.vacancies, name)
        if len(self.s) == 1:
            dots = dots_with_row(vacancies[self.v], seekers[self.s])
            return dots[np.newaxis, :] if self.grid else dots
        if len(self.v) == 1:
            dots = dots_with_row(seekers[self.s], vacancies[self.v])
            return dots[:, np.newaxis] if self.grid else dots
        if self.grid:
            return grid_dots(seekers[self.s], vacancies[self.v])
        return pair_dots(seekers, self.s, vacancies, self.v)

    def wants_city(self) -> npt.NDArray[np.bool_]:
        """Whether the seeker lists the vacancy's city. A vacancy has exactly one, so a grid
        needs only the seekers' sets at the grid's few cities, not a product."""
        city = self.vacancies.cities.indices[self.vacancies.cities.indptr[self.v]]
        sets = self.seekers.cities
        if self.grid:
            distinct, inverse = np.unique(city, return_inverse=True)
            listed = np.asarray(sets[:, distinct].toarray() > 0)[self.s]
            return listed if len(distinct) == 1 else listed[:, inverse]
        s, city = np.broadcast_arrays(self.s, city)
        rows = sets[s]  # only the listed seekers' sets: a block's every set would cost a sort per call
        owners = np.repeat(np.arange(len(s)), np.diff(rows.indptr))
        wanted = np.zeros(len(s), np.bool_)
        wanted[owners[rows.indices == city[owners]]] = True
        return wanted

    def same_family(self) -> npt.NDArray[np.bool_]:
        """Whether one of the seeker's desired roles is in the vacancy's occupation family."""
        family = self.vacancy("family")
        same: npt.NDArray[np.bool_] = (family != NO_FAMILY) & (
            (self.seeker("family") == family) | (self.seeker("second_family") == family)
        )
        return same

    def text_similarity(self) -> Matrix:
        if not self.sketched:
            return self.dot("text")
        return sketch_dots(self.seekers, self.s, self.vacancies, self.v)


def sketch_dots(left: Columns, rows: Rows, right: Columns, others: Rows) -> Matrix:
    """The estimated cosine of every ``left`` row with every ``right`` row, from their sketches.
    The longer side is widened from bytes ``ROWS_AT_ONCE`` rows at a time, however many it has
    (a vacancy among a million seekers)."""
    if len(rows) < len(others):
        return sketch_dots(right, others, left, rows).T
    shorter = (right.sketch[others] * right.sketch_scale[others, np.newaxis]).T
    dots = np.empty((len(rows), len(others)), np.float32)
    for start in range(0, len(rows), ROWS_AT_ONCE):
        part = rows[start : start + ROWS_AT_ONCE]
        np.matmul(left.sketch[part].astype(np.float32), shorter, out=dots[start : start + len(part)])
    dots *= left.sketch_scale[rows, np.newaxis]
    return dots


def dots_with_row(rows: Any, row: Any) -> Matrix:
    """The dot product of each of the sparse ``rows`` with one sparse ``row``, in time linear in
    their stored entries: scipy's product would first transpose, at a cost that grows with the
    hashed width (2**20 columns) however few entries there are."""
    keys = np.sort(row.indices)
    if len(keys) == 0:
        return np.zeros(rows.shape[0], np.float32)
    values = row.data[np.argsort(row.indices)]
    found = np.minimum(np.searchsorted(keys, rows.indices), len(keys) - 1)
    hit = keys[found] == rows.indices
    owner = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    products = rows.data[hit] * values[found[hit]]
    return np.bincount(owner[hit], weights=products, minlength=rows.shape[0]).astype(np.float32)


def grid_dots(left: Any, right: Any) -> Matrix:
    """The dot product of every sparse ``left`` row with every ``right`` row, dense. The few
    columns the right rows use (a batch's skills, say) become a dense table, and the left rows,
    restricted to those columns ``ROWS_AT_ONCE`` at a time, multiply it: no sparse result to
    build and spread, no transpose whose cost grows with the hashed width, and no copy of
    every left entry at once."""
    used, where = np.unique(right.indices, return_inverse=True)
    if len(used) == 0:
        return np.zeros((left.shape[0], right.shape[0]), np.float32)
    if len(used) * right.shape[0] > DENSE_TABLE:
        return np.asarray((left @ right.T).toarray(), np.float32)
    table = np.zeros((len(used), right.shape[0]), np.float32)
    table[where, np.repeat(np.arange(right.shape[0]), np.diff(right.indptr))] = right.data
    dots = np.empty((left.shape[0], right.shape[0]), np.float32)
    for start in range(0, left.shape[0], ROWS_AT_ONCE):
        pointers = left.indptr[start : start + ROWS_AT_ONCE + 1]
        columns = left.indices[pointers[0] : pointers[-1]]
        found = np.minimum(np.searchsorted(used, columns), len(used) - 1)
        values = np.where(used[found] == columns, left.data[pointers[0] : pointers[-1]], np.float32(0))
        part = Sparse((values, found, pointers - pointers[0]), shape=(len(pointers) - 1, len(used)))
        dots[start : start + len(pointers) - 1] = part @ table
    return dots


def pair_dots(left: Any, s: Rows, right: Any, v: Rows) -> Matrix:
    """The dot products of the sparse rows ``left[s[i]]`` and ``right[v[i]]``. Pairs are grouped
    by the side with fewer distinct rows; each such row is spread once into a dense table, in
    which the other side's rows of its group look up their columns, where they are stored."""
    if np.count_nonzero(np.bincount(v)) > np.count_nonzero(np.bincount(s)):
        left, s, right, v = right, v, left, s
    dots: Matrix = _grouped_dots(
        left.indptr, left.indices, left.data, s, right.indptr, right.indices, right.data, v,
        np.argsort(v, kind="stable"), _zeroed_table(right.shape[1]),
    )  # fmt: skip
    return dots


_tables = threading.local()


def _zeroed_table(width: int) -> Matrix:
    """This thread's dense table of ``width`` zeros for ``_grouped_dots``, which leaves it zeroed
    again: made once, not once a call (a hashed skill width is 4 MiB to clear)."""
    tables: dict[int, Matrix] = _tables.__dict__.setdefault("by_width", {})
    if width not in tables:
        tables[width] = np.zeros(width, np.float32)
    return tables[width]


def _grouped_dots_loop(
    left_indptr: Rows, left_indices: Rows, left_data: Matrix, s: Rows,
    right_indptr: Rows, right_indices: Rows, right_data: Matrix, v: Rows,
    order: Rows, table: Matrix,
) -> Matrix:  # fmt: skip
    """``pair_dots`` over pairs taken in ``order``, which groups them by ``v``; ``table`` is all
    zeros, and is left so."""
    dots = np.zeros(len(s), np.float32)
    k = 0
    while k < len(order):
        row = v[order[k]]
        for entry in range(right_indptr[row], right_indptr[row + 1]):
            table[right_indices[entry]] = right_data[entry]
        while k < len(order) and v[order[k]] == row:
            pair = order[k]
            total = np.float32(0)
            for entry in range(left_indptr[s[pair]], left_indptr[s[pair] + 1]):
                total += left_data[entry] * table[left_indices[entry]]
            dots[pair] = total
            k += 1
        for entry in range(right_indptr[row], right_indptr[row + 1]):
            table[right_indices[entry]] = 0
    return dots


# Compiled once per machine (cached beside the module); releases the interpreter lock, so
# the ranking's threads run it at once.
_grouped_dots = numba.njit(cache=True, nogil=True)(_grouped_dots_loop)


def feature_values(pairs: Pairs) -> Iterator[tuple[Feature, Matrix]]:
    """Each feature of the pairs, in FEATURES order, as an array broadcastable to the pairs' shape."""
    # The text is mostly what the profile lists: it counts as far as the evidence for it.
    evidence = evidence_of(pairs)
    yield Feature.TEXT_SIMILARITY, pairs.text_similarity() * evidence
    # Grids are large: each formula below spends as few passes over one as it can, in float32.
    matched = pairs.dot("skills")
    required = pairs.vacancy("skill_count").astype(np.float32)
    listed = pairs.seeker("skill_count").astype(np.float32)
    # Coverage weighed by precision (2·matched / (asked + listed)): listing more never earns more.
    yield (
        Feature.SKILLS_MATCHED,
        evidence * matched * np.where(required > 0, 2 / np.maximum(required + listed, 1), 0),
    )
    # A skill listed without evidence is partly still missing. Without required skills nothing is.
    missing = required - evidence * matched
    yield Feature.SKILLS_MISSING, np.minimum(missing, MAX_MISSING, out=missing) * np.float32(1 / MAX_MISSING)
    education = pairs.seeker("education").astype(np.float32), pairs.vacancy("education").astype(np.float32)
    yield Feature.EDUCATION_GAP, _shortfall(*education, EDUCATION_SCALE)
    yield (
        Feature.EXPERIENCE_GAP,
        _shortfall(pairs.seeker("experience"), pairs.vacancy("experience"), EXPERIENCE_SCALE),
    )
    yield Feature.SALARY_FIT, _salary_fit(pairs)
    yield Feature.CITY_FIT, city_fit(pairs)
    seeker_category = pairs.seeker("category")
    same = (seeker_category != NO_CATEGORY) & (seeker_category == pairs.vacancy("category"))
    yield Feature.CATEGORY_FIT, same.astype(np.float32)
    yield Feature.CREDENTIAL_VERIFIED, pairs.seeker("verified").astype(np.float32)


def pair_features(seekers: Columns, s: Rows, vacancies: Columns, v: Rows) -> Matrix:
    """Features of the pairs (seekers[s[i]], vacancies[v[i]]); either index array may have length 1."""
    out = np.zeros((max(len(s), len(v)), len(FEATURES)), np.float32)
    for column, (_, values) in enumerate(feature_values(Pairs(seekers, s, vacancies, v))):
        out[:, column] = values
    return out


def evidence_of(pairs: Pairs) -> Matrix:
    """How fully the seeker's listed skills count for the vacancy, from ``UNPROVEN`` to 1."""
    experienced = pairs.seeker("experience") > 0
    base = (
        np.float32(UNPROVEN)
        + np.float32(SOME_EXPERIENCE) * experienced
        + np.float32(A_MAJOR) * pairs.seeker("has_major")
        + np.float32(A_VERIFIED_DIPLOMA) * pairs.seeker("verified")
    ).astype(np.float32)
    evidence = base + np.float32(FAMILY_EXPERIENCE) * (experienced & pairs.same_family())
    return np.minimum(evidence, 1, out=evidence)


def _shortfall(held: Matrix, asked: Matrix, scale: int) -> Matrix:
    """How far ``held`` falls short of ``asked``, in units of ``scale``, from -1 to 0."""
    gap = held / np.float32(scale) - asked / np.float32(scale)
    return np.clip(gap, -1, 0, out=gap)


def _salary_fit(pairs: Pairs) -> Matrix:
    """How much of the seeker's expected range the vacancy pays, at least 0.1 when the ranges
    meet; 0.5 when no expectation was given; below 0, in proportion, when the least the seeker
    expects lies above the vacancy's maximum (-1 at twice it, at most ``-MOST_EXCESS``)."""
    low, high, most = pairs.seeker("salary_min"), pairs.seeker("salary_max"), pairs.vacancy("salary_max")
    overlap = np.minimum(high, most) - np.maximum(low, pairs.vacancy("salary_min"))
    fit = overlap / np.maximum(high - low, 1)
    np.clip(fit, 0.1, 1, out=fit)
    excess = np.minimum((low - most) / np.maximum(most, 1), np.float32(MOST_EXCESS))
    apart = np.where(excess > 0, -excess, np.float32(0))
    return np.where(np.isnan(low), np.float32(0.5), np.where(overlap >= 0, fit, apart))


def city_fit(pairs: Pairs) -> Matrix:
    """1 where the seeker wants the vacancy's city or it is remote, 0.5 for a seeker open to
    any city, 0 otherwise (the hard filter removes those pairs before ranking)."""
    if pairs.fixed_city_fit is not None:
        return np.full((1, 1), pairs.fixed_city_fit, np.float32)
    wanted = pairs.wants_city() | pairs.vacancy("remote")
    open_to_any = pairs.seeker("city_count") == 0
    return np.where(
        wanted, np.float32(WANTED_CITY), np.where(open_to_any, np.float32(ANY_CITY), np.float32(0))
    )
