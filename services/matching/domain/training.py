"""Learning the ranker from outcomes, and judging it on a later period it has not seen.

A pair counts as a success when the seeker applied, was invited, accepted, or a fair
recorded a hiring intention or a hire; as a failure when it was matched and nothing
followed, the seeker declined, or the fair recorded "not suitable". Examples are split
by time: the model learns from the earlier part and is scored on the later part, per
seeker, with NDCG@10 and Recall@10.

Outcomes exist only for pairs the ranker in use chose to push, so each pair weighs the
inverse of the probability it had of being pushed (its propensity, ``policy.plan_pushes``),
clipped at ``MAX_WEIGHT``, both in training and in the judging: a pair pushed by exploration
stands for the many like it that were not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from services.matching.domain.features import Matrix
from services.matching.domain.ranker import LinearRanker

POSITIVE = frozenset({"applied", "invited", "accepted", "hiring_intention", "hired"})
NEGATIVE = frozenset({"declined", "not_suitable", "matched"})
K = 10
MAX_WEIGHT = 20.0
"""The most one pair weighs (a propensity under 1/20 counts as 1/20): fewer far-off pairs
dominating the fit, at the price of a little bias."""


@dataclass(frozen=True)
class Example:
    seeker_id: str
    vacancy_id: str
    label: int
    at: datetime


def examples(events: list[tuple[str, str, str, datetime]]) -> list[Example]:
    """One example per pair from (seeker, vacancy, kind, time) events: its best outcome, first seen."""
    label: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], datetime] = {}
    for seeker_id, vacancy_id, kind, at in events:
        if kind not in POSITIVE | NEGATIVE:
            continue
        pair = (seeker_id, vacancy_id)
        label[pair] = max(label.get(pair, 0), int(kind in POSITIVE))
        first[pair] = min(first.get(pair, at), at)
    return sorted((Example(s, v, label[(s, v)], first[(s, v)]) for s, v in label), key=lambda e: e.at)


def time_split(data: list[Example], test_fraction: float = 0.2) -> tuple[list[Example], list[Example]]:
    cut = int(len(data) * (1 - test_fraction))
    return data[:cut], data[cut:]


def ips_weights(propensities: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each pair's weight: the inverse of its propensity of being pushed, at most ``MAX_WEIGHT``."""
    if np.any(propensities <= 0):
        raise ValueError("only pairs that could have been pushed (propensity > 0) are learned from")
    weights: npt.NDArray[np.float64] = np.minimum(1.0 / propensities, MAX_WEIGHT)
    return weights


def fit(
    features: Matrix,
    labels: npt.NDArray[np.int_],
    version: str,
    weights: npt.NDArray[np.float64] | None = None,
) -> LinearRanker:
    """A logistic regression on standardised features, kept as the linear ranker it is; each
    pair counts ``weights`` times (its inverse propensity) if given."""
    if len(set(labels.tolist())) < 2:
        raise ValueError("training needs both successes and failures among the outcomes")
    scaler = StandardScaler().fit(features, sample_weight=weights)
    scales = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1_000)
    model.fit((features - scaler.mean_) / scales, labels, sample_weight=weights)
    return LinearRanker(
        version, float(model.intercept_[0]), model.coef_[0].astype(np.float64), scaler.mean_, scales
    )


@dataclass(frozen=True)
class Quality:
    ndcg: float
    recall: float
    groups: int


def quality(
    scores: npt.NDArray[np.float64],
    data: list[Example],
    k: int = K,
    weights: npt.NDArray[np.float64] | None = None,
) -> Quality:
    """Mean NDCG@k and Recall@k over seekers with at least one success in ``data``; with
    ``weights`` (inverse propensities) each success gains its weight, as many as it stands for."""
    gains = np.ones(len(data)) if weights is None else weights
    by_seeker: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for score, example, gain in zip(scores, data, gains, strict=True):
        by_seeker[example.seeker_id].append((float(score), example.label * float(gain)))
    discounts = 1 / np.log2(np.arange(2, k + 2))
    ndcgs, recalls = [], []
    for pairs in by_seeker.values():
        relevant = sum(gain for _, gain in pairs)
        if relevant == 0:
            continue
        ranked = [gain for _, gain in sorted(pairs, key=lambda pair: -pair[0])][:k]
        ideal = sorted((gain for _, gain in pairs), reverse=True)[:k]
        ndcgs.append(float(np.dot(ranked, discounts[: len(ranked)]) / np.dot(ideal, discounts[: len(ideal)])))
        recalls.append(sum(ranked) / relevant)
    if not ndcgs:
        return Quality(0.0, 0.0, 0)
    return Quality(float(np.mean(ndcgs)), float(np.mean(recalls)), len(ndcgs))
