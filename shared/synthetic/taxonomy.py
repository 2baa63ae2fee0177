"""The occupation and skill vocabulary of the synthetic market, read from ``taxonomy.json``.

The file is derived from ESCO by ``derive_taxonomy``; whoever shows data built from it
must show ``attribution()``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.events.catalogue import EducationLevel, TalentCategory

EDUCATION_LEVELS: tuple[EducationLevel, ...] = tuple(EducationLevel)
TALENT_CATEGORIES: tuple[TalentCategory, ...] = tuple(TalentCategory)
_MINOR_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "with"})


@dataclass(frozen=True)
class Skill:
    en: str
    zh: str


@dataclass(frozen=True)
class Occupation:
    id: str
    en: str
    zh: str
    category: TalentCategory
    industry: str
    education: EducationLevel
    isco: str
    skills: tuple[int, ...]
    """Indices into ``Taxonomy.skills``."""


@dataclass(frozen=True)
class Taxonomy:
    attribution: str
    modification: str
    skills: tuple[Skill, ...]
    occupations: tuple[Occupation, ...]

    @property
    def industries(self) -> tuple[str, ...]:
        """Every industry, in order of first appearance."""
        return tuple(dict.fromkeys(occupation.industry for occupation in self.occupations))

    def skill_matrix(self) -> npt.NDArray[np.int16]:
        """Each occupation's skill indices, one row each, padded with -1."""
        width = max(len(occupation.skills) for occupation in self.occupations)
        matrix = np.full((len(self.occupations), width), -1, dtype=np.int16)
        for row, occupation in enumerate(self.occupations):
            matrix[row, : len(occupation.skills)] = occupation.skills
        return matrix


def _occupation(raw: dict[str, Any]) -> Occupation:
    return Occupation(
        id=raw["id"],
        en=raw["en"],
        zh=raw["zh"],
        category=TalentCategory(raw["category"]),
        industry=raw["industry"],
        education=EducationLevel(raw["education"]),
        isco=raw["isco"],
        skills=tuple(raw["skills"]),
    )


@cache
def load_taxonomy() -> Taxonomy:
    raw = json.loads(
        resources.files("shared.synthetic").joinpath("taxonomy.json").read_text(encoding="utf-8")
    )
    return Taxonomy(
        attribution=raw["attribution"],
        modification=raw["modification"],
        skills=tuple(Skill(en, zh) for en, zh in raw["skills"]),
        occupations=tuple(_occupation(item) for item in raw["occupations"]),
    )


def attribution() -> str:
    """The notice to show wherever the synthetic data is used or shown."""
    taxonomy = load_taxonomy()
    return f"{taxonomy.attribution} {taxonomy.modification}"


def english_title(label: str) -> str:
    """An ESCO label as a title: "ICT network engineer" -> "ICT Network Engineer"."""
    words = label.split()
    return " ".join(
        word if word.isupper() or (position and word in _MINOR_WORDS) else word[:1].upper() + word[1:]
        for position, word in enumerate(words)
    )


def draw_skills(
    rng: np.random.Generator, occupation_skills: npt.NDArray[np.int16], counts: npt.NDArray[np.integer]
) -> npt.NDArray[np.int16]:
    """For each row, ``counts`` of its occupation's skills in random order (fewer if it has fewer), padded."""
    keys = rng.random(occupation_skills.shape) + (occupation_skills < 0)
    shuffled = np.take_along_axis(occupation_skills, np.argsort(keys, axis=1), axis=1)
    width = int(counts.max(initial=0))
    chosen = shuffled[:, :width].copy()
    chosen[np.arange(width) >= counts[:, None]] = -1
    return chosen
