"""Synthetic employers: organisations with a name, credit code, industry and city."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shared.synthetic.codes import credit_code, uuid_bytes
from shared.synthetic.market import CITIES, INDUSTRY_WEIGHTS, city_weights
from shared.synthetic.names import BRAND_CHARACTERS, ORDINALS, ORGANISATION_PATTERNS, draw_person_names

# The first two characters of a credit code: who registered the organisation, and its kind.
_REGISTRANT = {"公共管理": "11", "社会工作": "52"}  # a government body; a social-service organisation
_COMPANY = "91"
_NAME_ATTEMPTS = 20


@dataclass(frozen=True)
class EmployerTable:
    ids: npt.NDArray[np.uint8]
    names: list[str]
    credit_codes: list[str]
    industry: npt.NDArray[np.int16]
    """Index into ``Taxonomy.industries``."""
    city: npt.NDArray[np.int16]
    """Index into ``market.CITIES``."""
    contact_names: list[str]
    posting_weight: npt.NDArray[np.float64]
    """How many vacancies the employer posts, relative to the others."""

    def __len__(self) -> int:
        return len(self.names)


def _organisation_name(rng: np.random.Generator, industry: str, city: str, taken: set[str]) -> str:
    patterns = ORGANISATION_PATTERNS[industry]
    for _ in range(_NAME_ATTEMPTS):
        first, second = rng.choice(len(BRAND_CHARACTERS), size=2, replace=False)
        name = patterns[rng.integers(len(patterns))].format(
            city=city,
            brand=BRAND_CHARACTERS[first] + BRAND_CHARACTERS[second],
            n=ORDINALS[rng.integers(len(ORDINALS))],
        )
        if name not in taken:
            return name
    return f"{name}{len(taken)}"


def generate_employers(rng: np.random.Generator, count: int, industries: tuple[str, ...]) -> EmployerTable:
    weights = np.array([INDUSTRY_WEIGHTS[industry] for industry in industries], dtype=np.float64)
    industry = rng.choice(len(industries), size=count, p=weights / weights.sum()).astype(np.int16)
    city = rng.choice(len(CITIES), size=count, p=city_weights()).astype(np.int16)
    taken: set[str] = set()
    names = []
    codes = []
    for industry_index, city_index in zip(industry.tolist(), city.tolist(), strict=True):
        name = _organisation_name(rng, industries[industry_index], CITIES[city_index].zh, taken)
        taken.add(name)
        names.append(name)
        digits = "".join(map(str, rng.integers(0, 10, size=8)))
        registrant = _REGISTRANT.get(industries[industry_index], _COMPANY)
        codes.append(credit_code(registrant, CITIES[city_index].division, digits))
    contact_names, _ = draw_person_names(rng, count, english_share=0.0)
    return EmployerTable(
        ids=uuid_bytes(rng, count),
        names=names,
        credit_codes=codes,
        industry=industry,
        city=city,
        contact_names=contact_names,
        posting_weight=rng.lognormal(0.0, 0.8, size=count),
    )
