"""Derive ``taxonomy.json`` from the ESCO occupation subset: a development step, never run by the product.

Usage: ``python -m shared.synthetic.derive_taxonomy ../shared/data/occupations``

The occupations kept, their Chinese names, industries and typical education are hand-written
in ``occupations_zh.csv``; the Chinese skill names in ``skills_zh.csv``. Each occupation keeps
at most ``SKILLS_PER_OCCUPATION`` of its ESCO essential skills: the most specific first, then
the ones it shares with most other kept occupations. Skill labels missing from
``skills_zh.csv`` are printed as CSV rows to fill in, and nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from shared.events.catalogue import EducationLevel, TalentCategory

HERE = Path(__file__).parent
OUTPUT = HERE / "taxonomy.json"
SKILLS_PER_OCCUPATION = 12
MOST_SPECIFIC = 8
_WIDELY_SHARED = 4
"""Among equally specific skills, those shared by this many kept occupations or more come first."""
ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
MODIFICATION_NOTE = (
    "Occupations and skills are a modified subset of ESCO v1.1.1 (a selection of occupations, "
    f"at most {SKILLS_PER_OCCUPATION} essential skills each, Chinese names written by this project). "
    "The European Commission has not endorsed these changes."
)
_REUSE_RANK = {"occupation-specific": 0, "sector-specific": 1, "cross-sector": 2, "transversal": 3}
# Skills naming a protected attribute stay out, even where they are about fairness.
_EXCLUDED_SKILL = re.compile(
    r"\bgender\b|pregnan|religio|ethnic|\brac(?:e|ial)\b|marri|marital|hukou|household registration", re.I
)

SkillRow = dict[str, str]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _stable_order(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def choose_skills(rows: list[SkillRow], shared_by: Counter[str]) -> list[str]:
    """The most specific skills first (reuse level, then widely shared), then the most shared others."""
    usable = [row for row in rows if not _EXCLUDED_SKILL.search(row["skill_en"])]
    specific = sorted(
        usable,
        key=lambda row: (
            _REUSE_RANK.get(row["reuse_level"], 3),
            -min(shared_by[row["skill_en"]], _WIDELY_SHARED),
            _stable_order(row["skill_en"]),
        ),
    )[:MOST_SPECIFIC]
    chosen = {row["skill_en"] for row in specific}
    others = sorted(
        (row for row in usable if row["skill_en"] not in chosen),
        key=lambda row: (-shared_by[row["skill_en"]], _stable_order(row["skill_en"])),
    )[: SKILLS_PER_OCCUPATION - MOST_SPECIFIC]
    return [row["skill_en"] for row in specific + others]


def derive(source: Path) -> dict[str, object] | list[str]:
    """The taxonomy document, or the skill labels that still need a Chinese name."""
    if ATTRIBUTION not in (source / "README.md").read_text(encoding="utf-8"):
        raise SystemExit(
            f"the attribution sentence is not in {source / 'README.md'}; has the source changed?"
        )
    esco = {row["occupation_id"]: row for row in _read_csv(source / "occupations.csv")}
    curated = _read_csv(HERE / "occupations_zh.csv")
    unknown = [row["occupation_id"] for row in curated if row["occupation_id"] not in esco]
    if unknown:
        raise SystemExit(f"occupations not in the source: {', '.join(unknown)}")
    kept = {row["occupation_id"] for row in curated}
    skills_of: defaultdict[str, list[SkillRow]] = defaultdict(list)
    for row in _read_csv(source / "occupation_skills.csv"):
        if row["occupation_id"] in kept:
            skills_of[row["occupation_id"]].append(row)
    shared_by = Counter(row["skill_en"] for rows in skills_of.values() for row in rows)
    chosen = {
        row["occupation_id"]: choose_skills(skills_of[row["occupation_id"]], shared_by) for row in curated
    }

    skill_zh = {row["skill_en"]: row["skill_zh"] for row in _read_csv(HERE / "skills_zh.csv")}
    labels = sorted({label for skills in chosen.values() for label in skills})
    missing = [label for label in labels if not skill_zh.get(label)]
    if missing:
        return missing
    index = {label: position for position, label in enumerate(labels)}
    occupations = []
    for row in curated:
        source_row = esco[row["occupation_id"]]
        occupations.append(
            {
                "id": row["occupation_id"],
                "en": source_row["title_en"],
                "zh": row["title_zh"],
                "category": TalentCategory(source_row["talent_category"]).value,
                "industry": row["industry"],
                "education": EducationLevel(row["education"]).value,
                "isco": source_row["isco_unit_code"],
                "skills": [index[label] for label in chosen[row["occupation_id"]]],
            }
        )
    return {
        "attribution": ATTRIBUTION,
        "modification": MODIFICATION_NOTE,
        "skills": [[label, skill_zh[label]] for label in labels],
        "occupations": occupations,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    result = derive(Path(argv[0]))
    if isinstance(result, list):
        print(f"{len(result)} skills need a Chinese name in skills_zh.csv:", file=sys.stderr)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows([label, ""] for label in result)
        return 1
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
