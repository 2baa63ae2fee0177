"""One skill vocabulary across Chinese, English, synonyms and abbreviations.

``skill_vocabulary.json`` (derived from ESCO by ``shared.synthetic.derive_vocabulary``; whoever
shows it must show ``Vocabulary.attribution``) lists each canonical skill with its English and
Chinese labels, synonyms, abbreviations and occupations, and the occupations with their titles
and ISCO unit. A written skill is normalised (NFKC, so full-width letters are half-width; case
folded; traditional characters to simplified; punctuation and spacing ignored) and looked up
among every form; a skill the vocabulary does not know stays as its normalised text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

SKILL_PREFIX = "#"
"""Marks a canonical skill's id among skill tokens, so no written text can collide with one."""
LONGEST_TITLE = 12
"""Tokens (a word, or one Chinese character) in the longest occupation title sought in a title."""
_TOKEN = re.compile(r"[a-z0-9+#]+|[\u3400-\u9fff]")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class CanonicalSkill:
    id: str
    en: str
    zh: str
    synonyms: tuple[str, ...]
    abbreviations: tuple[str, ...]
    occupations: tuple[int, ...]


@dataclass(frozen=True)
class Occupation:
    id: str
    en: str
    zh: str
    isco: str

    @property
    def family(self) -> int:
        """The ISCO minor group (three digits): occupations of one family share much of their work."""
        return int(self.isco[:3])


class Vocabulary:
    def __init__(self, raw: dict[str, object]) -> None:
        self.attribution = f"{raw['attribution']} {raw['modification']}"
        table = str(raw["traditional"])
        self._traditional = table
        self._simplified = str.maketrans(table[0::2], table[1::2])
        self.skills = tuple(
            CanonicalSkill(
                s["id"],
                s["en"],
                s["zh"],
                tuple(s["synonyms"]),
                tuple(s["abbreviations"]),
                tuple(s["occupations"]),
            )
            for s in raw["skills"]  # type: ignore[attr-defined]
        )
        self.occupations = tuple(Occupation(*row) for row in raw["occupations"])  # type: ignore[attr-defined]
        self.by_id = {skill.id: skill for skill in self.skills}
        self._skill_forms: dict[str, str] = {}
        self._longest: dict[str, int] = {}
        """Per first token of a form, the most tokens a form starting with it has."""
        for skill in self.skills:
            for form in (skill.en, skill.zh, *skill.synonyms, *skill.abbreviations):
                self._skill_forms.setdefault(self.key(form), skill.id)
                tokens = self._tokens(form)
                if tokens:
                    self._longest[tokens[0]] = max(self._longest.get(tokens[0], 0), len(tokens))
        self._occupation_forms: dict[str, Occupation] = {}
        for occupation in self.occupations:
            for form in (occupation.en, occupation.zh):
                self._occupation_forms.setdefault(self.key(form), occupation)

    def traditional_pairs(self) -> list[tuple[str, str]]:
        """The (traditional, simplified) characters the normaliser converts."""
        return list(zip(self._traditional[0::2], self._traditional[1::2], strict=True))

    def key(self, text: str) -> str:
        """The form every writing of the same words shares: "ＴＩＧ  Welding" and "tig welding"
        both give "tig welding", "氬弧焊" gives "氩弧焊"."""
        return _joined(self._tokens(text))

    def _tokens(self, text: str) -> list[str]:
        return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold().translate(self._simplified))

    def skill_id(self, written: str) -> str | None:
        return self._skill_forms.get(self.key(written))

    def token(self, written: str) -> str:
        """What a written skill counts as: its canonical id, or its normalised text if unknown."""
        found = self.skill_id(written)
        return SKILL_PREFIX + found if found else self.key(written)

    def scan(self, text: str) -> list[str]:
        """The canonical ids of the vocabulary's skills written in free text, in order of
        appearance, the longest form wherever forms overlap. Abbreviations of fewer than three
        letters and single Chinese characters are too ambiguous in prose and not sought."""
        tokens = self._tokens(text)
        found: list[str] = []
        start = 0
        while start < len(tokens):
            for end in range(min(len(tokens), start + self._longest.get(tokens[start], 0)), start, -1):
                form = _joined(tokens[start:end])
                skill = self._skill_forms.get(form)
                if skill and len(form) >= (2 if _CJK.match(form) else 3):
                    found.append(skill)
                    start = end
                    break
            else:
                start += 1
        return list(dict.fromkeys(found))

    def occupation(self, title: str) -> Occupation | None:
        """The occupation a role or vacancy title names ("Senior Welder (Shenzhen)", "高级焊工"):
        the longest occupation title written in it."""
        tokens = self._tokens(title)
        best: tuple[int, Occupation] | None = None
        for start in range(len(tokens)):
            for end in range(min(len(tokens), start + LONGEST_TITLE), start, -1):
                occupation = self._occupation_forms.get(_joined(tokens[start:end]))
                if occupation and (best is None or end - start > best[0]):
                    best = (end - start, occupation)
                    break
        return best[1] if best else None

    def label(self, token: str, language: str) -> str:
        """A skill token as a reader of ``language`` ("zh" or "en") reads it."""
        skill = self.by_id.get(token.removeprefix(SKILL_PREFIX)) if token.startswith(SKILL_PREFIX) else None
        if skill is None:
            return token
        return skill.zh if language.startswith("zh") else skill.en


def _joined(tokens: list[str]) -> str:
    """Words joined by a space, Chinese characters (and a word beside one) without."""
    text = ""
    for token in tokens:
        if text and not _CJK.match(token) and not _CJK.match(text[-1]):
            text += " "
        text += token
    return text


@cache
def load_vocabulary() -> Vocabulary:
    raw = json.loads(
        resources.files("services.matching.domain")
        .joinpath("skill_vocabulary.json")
        .read_text(encoding="utf-8")
    )
    return Vocabulary(raw)
