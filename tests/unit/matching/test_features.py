"""Dot products of listed pairs of sparse rows agree with scipy's, whichever side is grouped,
and so do a grid's, through a dense table or without; sketched dots estimate the cosine,
whichever side is longer and however it is sliced; city fit is the same for a grid and
for listed pairs, and what the profiles say."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from services.matching.domain import features
from services.matching.domain.encoding import encode_seekers, encode_vacancies
from services.matching.domain.features import Pairs, city_fit, grid_dots, pair_dots, sketch_dots
from shared.events import catalogue as c
from shared.synthetic import SyntheticMarket


def rows(count: int, seed: int) -> sp.csr_matrix:
    matrix = sp.random(count, 5_000, density=0.01, format="csr", dtype=np.float32, random_state=seed)
    emptied = sp.diags((np.arange(count) % 7 != 0).astype(np.float32))  # some empty rows, the first too
    return sp.csr_matrix(emptied @ matrix)


@pytest.mark.parametrize(("left_count", "right_count"), [(300, 12), (12, 300)])
def test_pair_dots_agree_with_the_sparse_product(left_count: int, right_count: int) -> None:
    left, right = rows(left_count, 1), rows(right_count, 2)
    rng = np.random.default_rng(3)
    s, v = rng.integers(0, left_count, 2_000), rng.integers(0, right_count, 2_000)
    expected = np.asarray(left[s].multiply(right[v]).sum(axis=1)).ravel()
    assert (expected == 0).any()
    assert (expected > 0).any()
    np.testing.assert_allclose(pair_dots(left, s, right, v), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("dense_table", "rows_at_once"), [(2**22, 4_096), (2**22, 7), (10, 4_096)],
                         ids=["dense table", "dense table, in slices", "sparse product"])  # fmt: skip
@pytest.mark.parametrize("right_count", [40, 1])
def test_grid_dots_agree_with_the_sparse_product(
    dense_table: int, rows_at_once: int, right_count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(features, "DENSE_TABLE", dense_table)
    monkeypatch.setattr(features, "ROWS_AT_ONCE", rows_at_once)
    left, right = rows(300, 4), rows(right_count + 1, 5)[1:]  # the first row is empty
    expected = (left @ right.T).toarray()
    dots = grid_dots(left, right)
    assert dots.shape == (300, right_count)
    assert dots.dtype == np.float32
    np.testing.assert_allclose(dots, expected, rtol=1e-5, atol=1e-7)


def test_pair_dots_of_no_pairs() -> None:
    none = np.zeros(0, np.intp)
    assert pair_dots(rows(5, 1), none, rows(5, 2), none).shape == (0,)


def test_grid_dots_with_rows_that_store_nothing() -> None:
    empty = sp.csr_matrix((3, 5_000), dtype=np.float32)
    assert np.array_equal(grid_dots(rows(20, 6), empty), np.zeros((20, 3), np.float32))
    assert np.array_equal(grid_dots(empty, rows(20, 6)), np.zeros((3, 20), np.float32))


@pytest.mark.parametrize("rows_at_once", [4_096, 7], ids=["at once", "in slices"])
def test_sketch_dots_estimate_the_text_cosine(rows_at_once: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features, "ROWS_AT_ONCE", rows_at_once)
    market = SyntheticMarket(6, employers=10, vacancies=40, seekers=200)
    s = encode_seekers([market.seeker_event(i)[0] for i in range(200)], set(), None)
    v = encode_vacancies([market.vacancy_event(i) for i in range(40)], None)
    rows, columns = np.arange(0, 200, 3), np.arange(40)
    cosines = (s.text[rows] @ v.text[columns].T).toarray()
    widened = [(side.sketch[i] * side.sketch_scale[i, np.newaxis]) for side, i in ((s, rows), (v, columns))]
    for estimate in (sketch_dots(s, rows, v, columns), sketch_dots(v, columns, s, rows).T):
        assert estimate.shape == cosines.shape
        np.testing.assert_allclose(estimate, widened[0] @ widened[1].T, rtol=1e-5, atol=1e-6)
        assert np.abs(estimate - cosines).mean() < 0.07
        assert np.corrcoef(estimate.ravel(), cosines.ravel())[0, 1] > 0.5


def test_city_fit_of_a_grid_and_of_listed_pairs_agree_with_the_profiles() -> None:
    market = SyntheticMarket(5, employers=10, vacancies=60, seekers=300)
    seekers: list[c.SeekerState] = [market.seeker_event(i)[0] for i in range(300)]
    seekers[::10] = [seeker.model_copy(update={"desired_cities": []}) for seeker in seekers[::10]]
    vacancies: list[c.VacancyState] = [market.vacancy_event(i) for i in range(60)]
    s, v = encode_seekers(seekers, set(), None), encode_vacancies(vacancies, None)
    expected = np.array(
        [[1.0 if vacancy.remote or vacancy.city in seeker.desired_cities else 0.0 if seeker.desired_cities
          else 0.5 for vacancy in vacancies] for seeker in seekers]
    )  # fmt: skip
    assert {0.0, 0.5, 1.0} <= set(expected.ravel())
    rows, columns = np.arange(300), np.arange(60)
    assert np.array_equal(city_fit(Pairs(s, rows, v, columns, grid=True)), expected)
    one_city = columns[[vacancy.city == vacancies[0].city for vacancy in vacancies]]
    assert np.array_equal(city_fit(Pairs(s, rows, v, one_city, grid=True)), expected[:, one_city])
    every_s, every_v = np.repeat(rows, 60), np.tile(columns, 300)
    assert np.array_equal(city_fit(Pairs(s, every_s, v, every_v)), expected.ravel())
