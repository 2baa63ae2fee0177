"""Scores from a linear model on the features, so each reason is an exact contribution.

score = sigmoid(intercept + Σ contribution_i), contribution_i = weight_i · (x_i − mean_i) / scale_i.
The cold-start ranker has hand-set weights (means 0, scales 1); a trained ranker takes them
from a scikit-learn logistic regression over standardised features. Either way the reasons
list every factor that moved the score, with its signed contribution, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matching.domain.features import (
    FEATURES,
    FEATURES_VERSION,
    Feature,
    Matrix,
    Pairs,
    feature_values,
)
from shared.events import catalogue as c

# A contribution smaller than this (in log-odds) did not move the score in any way a
# person would notice; it is left out of the reasons, and counted as zero in the score.
NEGLIGIBLE = 0.01

COLD_START_WEIGHTS = {
    Feature.TEXT_SIMILARITY: 3.0,
    Feature.SKILLS_MATCHED: 2.5,
    Feature.SKILLS_MISSING: -1.0,
    Feature.EDUCATION_GAP: 1.5,
    Feature.EXPERIENCE_GAP: 1.0,
    Feature.SALARY_FIT: 0.8,
    Feature.CITY_FIT: 0.5,
    Feature.CATEGORY_FIT: 0.6,
    Feature.CREDENTIAL_VERIFIED: 0.4,
}
COLD_START_INTERCEPT = -2.5


@dataclass(frozen=True)
class LinearRanker:
    version: str
    intercept: float
    weights: npt.NDArray[np.float64]
    means: npt.NDArray[np.float64]
    scales: npt.NDArray[np.float64]

    @classmethod
    def cold_start(cls) -> LinearRanker:
        weights = np.array([COLD_START_WEIGHTS[feature] for feature in FEATURES])
        zeros, ones = np.zeros(len(FEATURES)), np.ones(len(FEATURES))
        return cls(f"cold-start-{FEATURES_VERSION}", COLD_START_INTERCEPT, weights, zeros, ones)

    def contributions(self, features: Matrix) -> npt.NDArray[np.float64]:
        terms = self.weights * (features - self.means) / self.scales
        terms[np.abs(terms) < NEGLIGIBLE] = 0.0
        return terms

    def logits(self, features: Matrix) -> npt.NDArray[np.float64]:
        logits: npt.NDArray[np.float64] = self.intercept + self.contributions(features).sum(axis=1)
        return logits

    def scores(self, features: Matrix) -> npt.NDArray[np.float64]:
        return sigmoid(self.logits(features))

    def grid_logits(self, pairs: Pairs) -> Matrix:
        """The score's logit for every pair of a grid, one feature at a time, so a grid of
        a block of seekers by a batch of vacancies never holds all nine features at once.
        A sketched grid is an estimate for choosing a shortlist: its small terms are not cut."""
        slopes = (self.weights / self.scales).astype(np.float32)
        if pairs.sketched:  # the means fold into the intercept, a pass over the grid saved per feature
            intercept = self.intercept - float(np.dot(slopes, self.means))
            logits = np.full((len(pairs.s), len(pairs.v)), intercept, np.float32)
            for slope, (_, values) in zip(slopes, feature_values(pairs), strict=True):
                logits += slope * values
            return logits
        logits = np.full((len(pairs.s), len(pairs.v)), self.intercept, np.float32)
        for i, (_, values) in enumerate(feature_values(pairs)):
            term = slopes[i] * (values - np.float32(self.means[i]))
            term[np.abs(term) < NEGLIGIBLE] = 0
            logits += term
        return logits

    def reasons(self, features: npt.NDArray[np.float32], details: dict[Feature, str]) -> list[c.MatchReason]:
        """The factors of one pair's score, largest effect first."""
        terms = self.contributions(features[np.newaxis, :])[0]
        order = np.argsort(-np.abs(terms), kind="stable")
        return [
            c.MatchReason(
                code=FEATURES[i].value,
                contribution=round(float(terms[i]), 4),
                detail=details.get(FEATURES[i], ""),
            )
            for i in order
            if terms[i] != 0.0
        ]


def sigmoid(logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1 / (1 + np.exp(-logits))
