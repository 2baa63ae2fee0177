"""Derive the matcher's skill vocabulary from ``taxonomy.json`` and ESCO's skill labels: a
development step, never run by the product.

Usage: ``python -m shared.synthetic.derive_vocabulary ../shared/data/occupations``
(needs the dev extra's ``opencc`` for the traditional-character table).

Each canonical skill is a skill of ``taxonomy.json`` (its English ESCO label and the Chinese
name of ``skills_zh.csv``), with ESCO's alternative English labels (``skill_labels.csv``: at
most ``SYNONYMS`` each, shortest first, none shared by two skills or equal to another's label)
and the Chinese synonyms and abbreviations written in ``skills_extra.csv``; a Chinese name
"氩弧焊(TIG)" also gives "氩弧焊" and "TIG". Occupations keep their English and Chinese titles
and ISCO unit. Characters of every Chinese form that traditional writing spells differently
get a traditional -> simplified table, so the normaliser needs no converter at run time.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

from shared.synthetic.derive_taxonomy import ATTRIBUTION
from shared.synthetic.taxonomy import load_taxonomy

HERE = Path(__file__).parent
OUTPUT = HERE.parent.parent / "services" / "matching" / "domain" / "skill_vocabulary.json"
SYNONYMS = 4
LONGEST_SYNONYM = 60
MODIFICATION_NOTE = (
    "Skills are those of the synthetic market's ESCO v1.1.1 subset, with at most "
    f"{SYNONYMS} of ESCO's alternative labels each; Chinese names, Chinese synonyms and "
    "abbreviations were written by this project. The European Commission has not endorsed these changes."
)
_PARENTHESISED = re.compile(r"^(.+?)[(（](.+)[)）]$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def chinese_forms(zh: str) -> list[str]:
    """The Chinese name, and for "氩弧焊(TIG)" also "氩弧焊" and "TIG"; "(Git等)" gives "Git"."""
    match = _PARENTHESISED.match(zh)
    if not match:
        return [zh]
    return [zh, match.group(1).strip(), match.group(2).removesuffix("等").strip()]


def traditional_table(texts: list[str]) -> str:
    """Pairs of (traditional, simplified) characters, concatenated, for the characters in ``texts``."""
    import opencc  # a development tool only

    to_simplified = opencc.OpenCC("t2s")
    pairs: dict[str, str] = {}
    for config in ("s2t", "s2tw", "s2hk"):
        converter = opencc.OpenCC(config)
        for character in sorted({c for text in texts for c in _CJK.findall(text)}):
            traditional = converter.convert(character)
            if traditional != character and to_simplified.convert(traditional) == character:
                pairs[traditional] = character
    return "".join(t + s for t, s in sorted(pairs.items()))


def derive(source: Path) -> dict[str, object]:
    taxonomy = load_taxonomy()
    id_of = {row["skill_en"]: row["skill_id"] for row in _read_csv(source / "occupation_skills.csv")}
    alternatives = {
        row["skill_id"]: _split(row["alt_labels_en"]) for row in _read_csv(source / "skill_labels.csv")
    }
    extra = {row["skill_en"]: row for row in _read_csv(HERE / "skills_extra.csv")}
    unknown = sorted(set(extra) - {skill.en for skill in taxonomy.skills})
    if unknown:
        raise SystemExit(f"skills_extra.csv names skills not in the taxonomy: {', '.join(unknown)}")
    labels = {skill.en.casefold() for skill in taxonomy.skills}
    candidates = {
        skill.en: [
            label
            for label in alternatives.get(id_of.get(skill.en, ""), [])
            if label.casefold() != skill.en.casefold() and len(label) <= LONGEST_SYNONYM
        ]
        for skill in taxonomy.skills
    }
    shared = Counter(label.casefold() for found in candidates.values() for label in set(found))
    occupations_of: dict[int, list[int]] = {}
    for position, occupation in enumerate(taxonomy.occupations):
        for skill_index in occupation.skills:
            occupations_of.setdefault(skill_index, []).append(position)
    short_ids = {skill.en: id_of.get(skill.en, "")[:8] for skill in taxonomy.skills}
    if "" in short_ids.values() or len(set(short_ids.values())) != len(short_ids):
        raise SystemExit("a taxonomy skill has no ESCO id in occupation_skills.csv, or two share a prefix")
    skills = []
    for index, skill in enumerate(taxonomy.skills):
        row = extra.get(skill.en, {})
        synonyms = sorted(
            (
                label
                for label in candidates[skill.en]
                if shared[label.casefold()] == 1 and label.casefold() not in labels
            ),
            key=lambda label: (len(label), label),
        )[:SYNONYMS]
        forms = chinese_forms(skill.zh)
        zh = forms[1] if len(forms) > 1 else skill.zh
        written = [
            *forms[:1],
            *_split(row.get("zh_synonyms", "")),
            *_split(row.get("en_synonyms", "")),
            *synonyms,
        ]
        skills.append(
            {
                "id": short_ids[skill.en],
                "en": skill.en,
                "zh": zh,
                "synonyms": [form for form in dict.fromkeys(written) if form not in (zh, skill.en)],
                "abbreviations": list(dict.fromkeys([*forms[2:], *_split(row.get("abbreviations", ""))])),
                "occupations": occupations_of.get(index, []),
            }
        )
    occupations = [[item.id, item.en, item.zh, item.isco] for item in taxonomy.occupations]
    chinese = (
        [s["zh"] for s in skills] + [f for s in skills for f in s["synonyms"]] + [o[2] for o in occupations]
    )
    return {
        "attribution": ATTRIBUTION,
        "modification": MODIFICATION_NOTE,
        "skills": skills,
        "occupations": occupations,
        "traditional": traditional_table([str(text) for text in chinese]),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    text = json.dumps(derive(Path(argv[0])), ensure_ascii=False, separators=(",", ":"))
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
