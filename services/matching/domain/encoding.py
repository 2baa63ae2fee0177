"""Turning profiles and vacancies into vectors: hashed character n-grams weighted by IDF
(works for Chinese without a segmenter, and for English), hashed skill sets, and columns.

Hashing needs no vocabulary, so a new profile is encoded on its own; the IDF weights are
fitted on the population when a model is trained and travel with the model.

Each weighted text row also gets a sketch: a count-sketch projection to ``SKETCH_DIMS``
dense numbers whose dot products approximate the texts' cosine, kept as bytes with a scale
per row. Ranking uses them to choose a shortlist with one dense matrix product, then scores
the shortlist exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse import csr_matrix as Sparse
from sklearn.feature_extraction.text import HashingVectorizer

from services.matching.domain.vocabulary import SKILL_PREFIX, load_vocabulary
from shared.events import catalogue as c

TEXT_FEATURES = 2**18
SKETCH_DIMS = 256
SKETCH_SPREAD = 4
"""How many sketch dimensions each n-gram is added to, with a random sign each."""
SKILL_FEATURES = 2**20
LEVEL = {level: rank for rank, level in enumerate(c.EducationLevel)}
CATEGORY = {category: code for code, category in enumerate(c.TalentCategory)}
NO_CATEGORY = -1
NO_FAMILY = -1

_text = HashingVectorizer(
    analyzer="char_wb", ngram_range=(2, 3), n_features=TEXT_FEATURES, alternate_sign=False, norm=None
)
_skills = HashingVectorizer(
    analyzer=lambda skills: skills, n_features=SKILL_FEATURES, alternate_sign=False, norm=None, binary=True
)


CITY_SLOTS = 2**16
NO_DEADLINE = date.max.toordinal()
_city_codes: dict[str, int] = {}


def city_code(city: str) -> int:
    """A process-wide number per city name, so city sets are sparse rows and fits are dot products."""
    if city not in _city_codes:
        if len(_city_codes) >= CITY_SLOTS:
            raise ValueError(f"more than {CITY_SLOTS} distinct city names")
        _city_codes[city] = len(_city_codes)
    return _city_codes[city]


def city_sets(cities: list[list[str]]) -> Sparse:
    codes = [sorted({city_code(city) for city in row}) for row in cities]
    pointers = np.cumsum([0, *map(len, codes)])
    indices = np.array([code for row in codes for code in row], np.int32)
    data = np.ones(len(indices), np.float32)
    return Sparse((data, indices, pointers), shape=(len(codes), CITY_SLOTS))


def term_counts(texts: list[str]) -> Sparse:
    return Sparse(_text.transform(texts))


def fit_idf(counts: Sparse) -> npt.NDArray[np.float32]:
    """Smoothed IDF over the hashed n-grams of a population (as scikit-learn's TfidfTransformer)."""
    documents: int = counts.shape[0]
    frequency = np.bincount(counts.indices, minlength=TEXT_FEATURES)
    return (np.log((1 + documents) / (1 + frequency)) + 1).astype(np.float32)


def weighted(counts: Sparse, idf: npt.NDArray[np.float32] | None) -> Sparse:
    """IDF-weighted, L2-normalised rows, so a dot product is the cosine similarity."""
    matrix = counts.astype(np.float32)
    if idf is not None:
        matrix = Sparse(matrix.multiply(idf[np.newaxis, :]))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return Sparse(sp.diags(1 / norms) @ matrix)


def reweighted(
    text: Sparse, old_idf: npt.NDArray[np.float32] | None, new_idf: npt.NDArray[np.float32] | None
) -> Sparse:
    """Rows weighted by ``old_idf`` as ``weighted`` would weight them by ``new_idf``."""
    old = np.ones(TEXT_FEATURES, np.float32) if old_idf is None else old_idf
    new = np.ones(TEXT_FEATURES, np.float32) if new_idf is None else new_idf
    return weighted(Sparse(text.multiply((new / old)[np.newaxis, :])), None)


@lru_cache(maxsize=1)
def _sketch_projection() -> Sparse:
    """A fixed random count-sketch: every hashed n-gram to ``SKETCH_SPREAD`` signed dimensions."""
    rng = np.random.default_rng(20261123)
    dims = rng.integers(0, SKETCH_DIMS, size=(TEXT_FEATURES, SKETCH_SPREAD))
    signs = rng.choice(np.array([-1, 1], np.float32), size=(TEXT_FEATURES, SKETCH_SPREAD))
    pointers = np.arange(0, TEXT_FEATURES * SKETCH_SPREAD + 1, SKETCH_SPREAD)
    values = signs.ravel() / np.float32(np.sqrt(SKETCH_SPREAD))
    return Sparse((values, dims.ravel(), pointers), shape=(TEXT_FEATURES, SKETCH_DIMS))


def sketched(text: Sparse) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
    """The sketches of weighted text rows, each row as bytes and the scale they are read with:
    plenty for choosing a shortlist, a quarter of the memory of single precision, and quicker
    to widen for a matrix product than half precision."""
    sketches = np.asarray((text @ _sketch_projection()).toarray(), np.float32)
    scales = np.abs(sketches).max(axis=1, initial=0) / np.float32(127)
    scales[scales == 0] = 1
    return np.round(sketches / scales[:, np.newaxis]).astype(np.int8), scales


@lru_cache(maxsize=2**16)
def skill_token(skill: str) -> str:
    """What a written skill counts as: its canonical id in the skill vocabulary, or its normalised text."""
    return load_vocabulary().token(skill)


@lru_cache(maxsize=2**16)
def skill_column(token: str) -> int:
    """The column of a skill token in the hashed skill sets."""
    return int(skill_sets([[token]]).indices[0])


def seeker_skills(seeker: c.SeekerState) -> list[str]:
    """The skills a seeker lists, and those their summary names, as distinct tokens."""
    listed = [skill_token(skill) for skill in seeker.skills]
    return list(
        dict.fromkeys(listed + [SKILL_PREFIX + found for found in load_vocabulary().scan(seeker.summary)])
    )


def vacancy_skills(vacancy: c.VacancyState) -> list[str]:
    """The skills a vacancy asks for, as distinct tokens; where it lists none, those its title
    and description name (a listed skill is asked for; one named in prose may be a plus)."""
    if vacancy.skills:
        return list(dict.fromkeys(skill_token(skill) for skill in vacancy.skills))
    return [
        SKILL_PREFIX + found for found in load_vocabulary().scan(f"{vacancy.title} {vacancy.description}")
    ]


def skill_sets(tokens: list[list[str]]) -> Sparse:
    return Sparse(_skills.transform(tokens), dtype=np.float32)


def families(roles: list[str]) -> tuple[int, int]:
    """The occupation families (ISCO minor groups) of the first two roles that name a known
    occupation, ``NO_FAMILY`` where fewer do."""
    vocabulary = load_vocabulary()
    found = [occupation.family for role in roles if (occupation := vocabulary.occupation(role))]
    found += [NO_FAMILY, NO_FAMILY]
    return found[0], found[1]


def vacancy_text(vacancy: c.VacancyState) -> str:
    return " ".join([vacancy.title, vacancy.title, *vacancy.skills, vacancy.description])


def seeker_text(seeker: c.SeekerState) -> str:
    majors = [entry.major for entry in seeker.education]
    return " ".join([*seeker.desired_roles, *seeker.desired_roles, *seeker.skills, *majors, seeker.summary])


@dataclass
class Columns:
    """One side of the market (seekers, or vacancies) as aligned rows."""

    ids: list[str] = field(default_factory=list)
    text: Sparse = field(default_factory=lambda: Sparse((0, TEXT_FEATURES), dtype=np.float32))
    sketch: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros((0, SKETCH_DIMS), np.int8))
    sketch_scale: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    skills: Sparse = field(default_factory=lambda: Sparse((0, SKILL_FEATURES), dtype=np.float32))
    skill_count: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    education: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    experience: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    salary_min: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    salary_max: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    category: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    verified: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    remote: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    cities: Sparse = field(default_factory=lambda: Sparse((0, CITY_SLOTS), dtype=np.float32))
    city_count: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    allowed: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    """Seekers: allow matching and personalised recommendations, and have a profile to match
    on (desired roles, skills, a major or a summary). Vacancies: always."""
    last_day: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    """Vacancies: the deadline as a day ordinal (no deadline: the far future)."""
    family: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    """The occupation family of a vacancy's title, or of a seeker's first desired role that names one."""
    second_family: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    """Seekers: of their second desired role that names one. Vacancies: ``NO_FAMILY``."""
    has_major: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    """Seekers: they name a major. Vacancies: false."""

    def __len__(self) -> int:
        return len(self.ids)


def _salary(salary: c.SalaryRange | None) -> tuple[float, float]:
    return (float(salary.min), float(salary.max)) if salary else (np.nan, np.nan)


def encode_seekers(
    seekers: list[c.SeekerState], verified: set[str], idf: npt.NDArray[np.float32] | None
) -> Columns:
    """Only what may feed the matcher: no protected attribute is in a seeker's state at all.
    A seeker with nothing to match on yet (a name only, just signed up) is not matchable:
    every score would be noise, and it would use up their matches of the day."""
    salaries = np.array([_salary(s.salary_expectation) for s in seekers], np.float32).reshape(-1, 2)
    texts = [seeker_text(s) for s in seekers]
    text = weighted(term_counts(texts), idf)
    sketch, sketch_scale = sketched(text)
    skills = [seeker_skills(s) for s in seekers]
    roles = np.array([families(s.desired_roles) for s in seekers], np.int16).reshape(-1, 2)
    return Columns(
        ids=[str(s.seeker_id) for s in seekers],
        text=text,
        sketch=sketch,
        sketch_scale=sketch_scale,
        skills=skill_sets(skills),
        skill_count=np.array([len(tokens) for tokens in skills], np.float32),
        education=np.array([max((LEVEL[e.level] for e in s.education), default=0) for s in seekers], np.int8),
        experience=np.array([s.experience_years for s in seekers], np.float32),
        salary_min=salaries[:, 0],
        salary_max=salaries[:, 1],
        category=np.array(
            [CATEGORY[s.talent_category] if s.talent_category else NO_CATEGORY for s in seekers], np.int8
        ),
        verified=np.array([str(s.seeker_id) in verified for s in seekers], np.bool_),
        remote=np.zeros(len(seekers), np.bool_),
        cities=city_sets([s.desired_cities for s in seekers]),
        city_count=np.array([len(set(s.desired_cities)) for s in seekers], np.int16),
        allowed=np.array(
            [
                s.consent.allow_matching and s.consent.personalised_recommendations and bool(words.strip())
                for s, words in zip(seekers, texts, strict=True)
            ],
            np.bool_,
        ),
        last_day=np.zeros(len(seekers), np.int32),
        family=roles[:, 0],
        second_family=roles[:, 1],
        has_major=np.array([any(e.major.strip() for e in s.education) for s in seekers], np.bool_),
    )


def encode_vacancies(vacancies: list[c.VacancyState], idf: npt.NDArray[np.float32] | None) -> Columns:
    salaries = np.array([_salary(v.salary) for v in vacancies], np.float32).reshape(-1, 2)
    text = weighted(term_counts([vacancy_text(v) for v in vacancies]), idf)
    sketch, sketch_scale = sketched(text)
    skills = [vacancy_skills(v) for v in vacancies]
    return Columns(
        ids=[str(v.vacancy_id) for v in vacancies],
        text=text,
        sketch=sketch,
        sketch_scale=sketch_scale,
        skills=skill_sets(skills),
        skill_count=np.array([len(tokens) for tokens in skills], np.float32),
        education=np.array([LEVEL[v.education_level] for v in vacancies], np.int8),
        experience=np.array([v.min_experience_years for v in vacancies], np.float32),
        salary_min=salaries[:, 0],
        salary_max=salaries[:, 1],
        category=np.array([CATEGORY[v.talent_category] for v in vacancies], np.int8),
        verified=np.zeros(len(vacancies), np.bool_),
        remote=np.array([v.remote for v in vacancies], np.bool_),
        cities=city_sets([[v.city] for v in vacancies]),
        city_count=np.ones(len(vacancies), np.int16),
        allowed=np.ones(len(vacancies), np.bool_),
        last_day=np.array(
            [v.deadline.toordinal() if v.deadline else NO_DEADLINE for v in vacancies], np.int32
        ),
        family=np.array([families([v.title])[0] for v in vacancies], np.int16),
        second_family=np.full(len(vacancies), NO_FAMILY, np.int16),
        has_major=np.zeros(len(vacancies), np.bool_),
    )


def stack(parts: list[Columns]) -> Columns:
    return Columns(
        ids=[entity_id for part in parts for entity_id in part.ids],
        text=Sparse(sp.vstack([part.text for part in parts], format="csr")),
        skills=Sparse(sp.vstack([part.skills for part in parts], format="csr")),
        cities=Sparse(sp.vstack([part.cities for part in parts], format="csr")),
        **{name: np.concatenate([getattr(part, name) for part in parts]) for name in ARRAYS},
    )


def take(columns: Columns, rows: npt.NDArray[np.intp]) -> Columns:
    return Columns(
        ids=[columns.ids[i] for i in rows],
        text=columns.text[rows],
        skills=columns.skills[rows],
        cities=columns.cities[rows],
        **{name: getattr(columns, name)[rows] for name in ARRAYS},
    )


ARRAYS = (
    "sketch",
    "sketch_scale",
    "skill_count",
    "education",
    "experience",
    "salary_min",
    "salary_max",
    "category",
    "verified",
    "remote",
    "city_count",
    "allowed",
    "last_day",
    "family",
    "second_family",
    "has_major",
)
