"""Training on outcomes and judging on a later period, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from services.matching.domain.features import FEATURES
from services.matching.domain.ranker import LinearRanker
from services.matching.domain.training import (
    MAX_WEIGHT,
    Example,
    examples,
    fit,
    ips_weights,
    quality,
    time_split,
)

START = datetime(2026, 9, 1, tzinfo=UTC)


def test_each_pair_keeps_its_best_outcome_and_first_time() -> None:
    events = [
        ("s1", "v1", "matched", START),
        ("s1", "v1", "applied", START + timedelta(days=2)),
        ("s1", "v2", "matched", START + timedelta(days=1)),
        ("s2", "v1", "declined", START + timedelta(days=3)),
        ("s2", "v1", "withdrawn-unknown", START),
    ]
    assert examples(events) == [
        Example("s1", "v1", 1, START),
        Example("s1", "v2", 0, START + timedelta(days=1)),
        Example("s2", "v1", 0, START + timedelta(days=3)),
    ]


def test_quality_is_ndcg_and_recall_at_10_per_seeker() -> None:
    data = [Example("a", f"v{i}", int(i in (0, 3)), START) for i in range(12)] + [
        Example("b", "v0", 0, START)  # no success: not counted
    ]
    perfect = np.array([1.0 if e.label else 0.0 for e in data])
    assert quality(perfect, data) == pytest.approx(type(quality(perfect, data))(1.0, 1.0, 1))
    one_out = np.array([1.0 if e.vacancy_id == "v0" else 0.5 for e in data])
    one_out[3] = -1.0  # the second success ranked last, outside the top 10
    result = quality(one_out, data)
    assert result.recall == pytest.approx(0.5)
    assert result.ndcg == pytest.approx(1 / (1 + 1 / np.log2(3)))


def test_a_trained_ranker_beats_cold_start_on_a_later_period() -> None:
    rng = np.random.default_rng(7)
    n = 6_000
    features = rng.random((n, len(FEATURES))).astype(np.float32)
    hidden = np.array([0.5, 0.0, 0.0, 0.0, 0.0, 4.0, 0.0, -3.0, 2.0])  # salary and credentials matter here
    labels = (rng.random(n) < 1 / (1 + np.exp(-(features @ hidden - 1.5)))).astype(np.int_)
    data = [Example(f"s{i // 20}", f"v{i}", int(labels[i]), START + timedelta(minutes=i)) for i in range(n)]
    train, test = time_split(data)
    assert train[-1].at < test[0].at
    trained = fit(features[: len(train)], labels[: len(train)], "lr-test")
    later = features[len(train) :]
    cold = quality(LinearRanker.cold_start().scores(later), test)
    learned = quality(trained.scores(later), test)
    assert learned.ndcg > cold.ndcg + 0.05
    assert learned.groups == cold.groups > 30


def test_training_needs_both_outcomes() -> None:
    with pytest.raises(ValueError, match="both successes and failures"):
        fit(np.zeros((5, len(FEATURES)), np.float32), np.ones(5, np.int_), "lr-x")


def test_a_pair_weighs_its_inverse_propensity_clipped_and_one_never_pushable_is_refused() -> None:
    weights = ips_weights(np.array([1.0, 0.9, 0.1, 0.01]))
    assert weights == pytest.approx([1.0, 1 / 0.9, 10.0, MAX_WEIGHT])
    with pytest.raises(ValueError, match="propensity > 0"):
        ips_weights(np.array([0.5, 0.0]))


def test_a_pair_of_weight_three_counts_as_three_copies_of_it() -> None:
    rng = np.random.default_rng(1)
    features = rng.random((400, len(FEATURES))).astype(np.float32)
    labels = (rng.random(400) < features[:, 0]).astype(np.int_)
    weights = np.where(np.arange(400) % 4 == 0, 3.0, 1.0)
    copies = np.repeat(np.arange(400), weights.astype(np.intp))
    weighted, copied = fit(features, labels, "w", weights), fit(features[copies], labels[copies], "c")
    assert weighted.weights == pytest.approx(copied.weights)
    assert weighted.intercept == pytest.approx(copied.intercept)
    assert weighted.means == pytest.approx(copied.means)


def test_judged_by_inverse_propensity_a_success_found_by_exploration_counts_as_many() -> None:
    data = [Example("a", "top", 1, START), Example("a", "explored", 1, START), Example("a", "no", 0, START)]
    weights = np.array([1.0, 10.0, 1.0])
    top_first, explored_first = np.array([3.0, 2.0, 1.0]), np.array([2.0, 3.0, 1.0])
    assert quality(top_first, data).ndcg == quality(explored_first, data).ndcg == pytest.approx(1.0)
    assert quality(explored_first, data, weights=weights).ndcg == pytest.approx(1.0)
    expected = (1 + 10 / np.log2(3)) / (10 + 1 / np.log2(3))
    assert quality(top_first, data, weights=weights).ndcg == pytest.approx(expected)
