"""Dot products of listed pairs of sparse rows agree with scipy's, whichever side is grouped;
city fit is the same for a grid and for listed pairs, and what the profiles say."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from services.matching.domain import features
from services.matching.domain.encoding import encode_seekers, encode_vacancies
from services.matching.domain.features import Pairs, city_fit, pair_dots
from shared.synthetic import SyntheticMarket


def rows(count: int, seed: int) -> sp.csr_matrix:
    matrix = sp.random(count, 5_000, density=0.01, format="csr", dtype=np.float32, random_state=seed)
    emptied = sp.diags((np.arange(count) % 7 != 0).astype(np.float32))  # some empty rows, the first too
    return sp.csr_matrix(emptied @ matrix)


@pytest.mark.parametrize(("left_count", "right_count"), [(300, 12), (12, 300)])
@pytest.mark.parametrize("pairs_at_once", [16_384, 100], ids=["one copy", "copied in parts"])
def test_pair_dots_agree_with_the_sparse_product(
    left_count: int, right_count: int, pairs_at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(features, "PAIRS_AT_ONCE", pairs_at_once)
    left, right = rows(left_count, 1), rows(right_count, 2)
    rng = np.random.default_rng(3)
    s, v = rng.integers(0, left_count, 2_000), rng.integers(0, right_count, 2_000)
    expected = np.asarray(left[s].multiply(right[v]).sum(axis=1)).ravel()
    assert (expected == 0).any()
    assert (expected > 0).any()
    np.testing.assert_allclose(pair_dots(left, s, right, v), expected, rtol=1e-5, atol=1e-7)


def test_city_fit_of_a_grid_and_of_listed_pairs_agree_with_the_profiles() -> None:
    market = SyntheticMarket(5, employers=10, vacancies=60, seekers=300)
    seekers = [market.seeker_event(i)[0] for i in range(300)]
    seekers[::10] = [seeker.model_copy(update={"desired_cities": []}) for seeker in seekers[::10]]
    vacancies = [market.vacancy_event(i) for i in range(60)]
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
