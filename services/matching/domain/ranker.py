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
SKILL_FEATURES = (Feature.SKILLS_MATCHED, Feature.SKILLS_MISSING)
"""Features whose terms reasons restate as one reason for each skill the vacancy asks for."""
SKILL_HELD, SKILL_LACKED, OTHER_SKILLS, NO_SKILLS_ASKED = (
    "skill_held",
    "skill_lacked",
    "other_skills",
    "no_skills_asked",
)
MOST_SKILL_REASONS = 40
"""Skills shown one by one (largest effect first); the rest are one reason, so a match keeps
within its 50 reasons whatever a vacancy asks for."""

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
class PairFacts:
    """What a pair's reasons state beyond its features: the skills the vacancy asks for, each
    once and whether the seeker holds it; how fully the seeker's skills count (``evidence``);
    and each feature's structured values (years, codes, a city), never a sentence."""

    skills: list[tuple[c.ReasonSkill, bool]]
    evidence: float
    values: dict[Feature, dict[str, bool | int | float | str]]


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

    @property
    def baseline(self) -> float:
        """The logit before any reason: every reason is a term relative to the features' means
        (a skill's share of them included), so no constant part is left beside the intercept."""
        return self.intercept

    def reasons(
        self, features: npt.NDArray[np.float32], terms: npt.NDArray[np.float64], facts: PairFacts
    ) -> list[c.MatchReason]:
        """The factors of one pair's score (its ``features`` and their ``contributions``),
        largest effect first; with the baseline they sum to its logit. The two skill terms are
        restated skill by skill (``skill_terms``)."""
        reasons = [
            c.MatchReason(code=feature.value, contribution=term, values=facts.values.get(feature, {}))
            for feature, term in zip(FEATURES, terms.tolist(), strict=True)
            if term != 0.0 and feature not in SKILL_FEATURES
        ]
        reasons += self._skill_reasons(features, terms, facts)
        return sorted(reasons, key=lambda reason: -abs(reason.contribution))

    def skill_terms(
        self, features: npt.NDArray[np.float32], terms: npt.NDArray[np.float64], facts: PairFacts
    ) -> npt.NDArray[np.float64]:
        """Each asked skill's share of the skills-matched and skills-missing terms. A feature's
        value is a sum over the asked skills (held ones count to matched; a lacking one counts 1
        to missing, a held one 1 − evidence), so each skill gets its part of the value and an
        equal part of the feature's mean; the last skill takes what rounding left over, so the
        shares sum to the two terms exactly."""
        held = np.array([holds for _, holds in facts.skills], np.float64)
        shares = np.zeros(len(held))
        for feature, amounts in (
            (Feature.SKILLS_MATCHED, held),
            (Feature.SKILLS_MISSING, 1 - facts.evidence * held),
        ):
            i = FEATURES.index(feature)
            if terms[i] == 0.0:
                continue
            slope = self.weights[i] / self.scales[i]
            total = amounts.sum()
            values = float(features[i]) * amounts / total if total > 0 else np.zeros(len(held))
            part = slope * (values - self.means[i] / len(held))
            part[-1] = terms[i] - part[:-1].sum()
            shares += part
        return shares

    def _skill_reasons(
        self, features: npt.NDArray[np.float32], terms: npt.NDArray[np.float64], facts: PairFacts
    ) -> list[c.MatchReason]:
        both = float(sum(terms[FEATURES.index(feature)] for feature in SKILL_FEATURES))
        if not facts.skills:  # nothing to attribute them to (a trained model's means make them count)
            return [c.MatchReason(code=NO_SKILLS_ASKED, contribution=both)] if both != 0.0 else []
        if all(terms[FEATURES.index(feature)] == 0.0 for feature in SKILL_FEATURES):
            return []
        shares = self.skill_terms(features, terms, facts)
        order = np.argsort(-np.abs(shares), kind="stable")
        reasons = [
            c.MatchReason(
                code=SKILL_HELD if facts.skills[k][1] else SKILL_LACKED,
                contribution=shares[k],
                skill=facts.skills[k][0],
            )
            for k in order[:MOST_SKILL_REASONS].tolist()
        ]
        if len(order) > MOST_SKILL_REASONS:
            rest = order[MOST_SKILL_REASONS:]
            reasons.append(
                c.MatchReason(
                    code=OTHER_SKILLS, contribution=float(shares[rest].sum()), values={"count": len(rest)}
                )
            )
        return reasons


def sigmoid(logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1 / (1 + np.exp(-logits))
