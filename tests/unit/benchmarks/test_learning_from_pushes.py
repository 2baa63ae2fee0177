"""Learning from what a ranker pushed: exploration and inverse-propensity weights, on a small
generated market judged on unbiased later candidates (``benchmarks.matching_quality``)."""

from __future__ import annotations

from benchmarks.matching_quality import outcomes


def test_exploration_and_inverse_propensity_weights_each_learn_more_from_the_same_pushes() -> None:
    ndcg = {name: result.ndcg for name, result in outcomes(11, 4_000, 400).items()}
    biased = ndcg["trained, cold start pushes, no exploration"]
    explored = ndcg["trained, 10% exploration, no IPW"]
    weighted = ndcg["trained, 10% exploration, IPW"]
    assert biased < explored < weighted
    assert weighted > biased + 0.05
