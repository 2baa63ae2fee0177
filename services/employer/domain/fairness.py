"""Vacancy text that demands a protected attribute, refused at posting.

China's Employment Promotion Law and the Ministry of Human Resources' recruitment rules
forbid job ads that restrict gender, age, marital or childbearing status, ethnicity,
religion or household registration. Each rule names the attribute and matches the
phrasings seen in real ads, in Chinese and English; the refusal quotes the phrase found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ProtectedPhrase:
    attribute: str
    phrase: str


# "under 35" is an age when nothing follows it, or "years" (not of experience), "only",
# a punctuation mark...; "under 50 ms", "over 10 years' experience" and "over 20
# engineers" are not. "Over 18" is the lawful minimum, like 18周岁以上.
_AGE_CONTEXT_EN = (
    r"(?=\s*(?:years?|yrs?)\b(?!'?\s*(?:of\s+)?(?:experience|exp\b|work|in\b))|\s*y/?o\b|\s*[,.;:()!?]|\s*$"
    r"|\s+(?:only|preferred|please|applicants?|candidates?|and\b|or\b))"
)
_RULES: list[tuple[str, str]] = [
    (
        "gender",
        r"(?:(?<!不)限|仅限|只招|仅招|只限)\s*(?:男|女)(?:性|士|生)?|(?<!男)(?:男|女)(?:性|士|生)?\s*优先"
        r"|性别\s*[：:]\s*[男女]",
    ),
    (
        "gender",
        r"\b(?:(?:men|women|males?|females?)\s+only|(?:male|female|men|women)\s+preferred|only\s+(?:men|women|males?|females?))\b",
    ),
    (
        "age",
        r"不超过\s*\d{2}\s*周?岁|(?<!年龄)(?<!\d)\d{2}\s*周?岁\s*(?:以下|以内|之间)|[2-9]\d\s*周?岁\s*以上|\d{2}\s*[-—至到~]\s*\d{2}\s*周?岁|年龄\s*(?:在|要求|限|不超过|不超|低于|小于|大于)?\s*\d{2}(?:\s*[-—至到~]\s*\d{2})?\s*周?岁?(?:以下|以内|以上)?",
    ),
    (
        "age",
        r"\b(?:(?:under|below|younger\s+than)\s+(?:the\s+age\s+of\s+)?\d{2}"
        r"|(?:over|above|older\s+than)\s+(?:the\s+age\s+of\s+)?(?:19|[2-9]\d))\b"
        + _AGE_CONTEXT_EN
        + r"|\bunder\s+the\s+age\s+of\s+\d{2}\b|\baged?\s+\d{2}\s*(?:-|–|to)\s*\d{2}\b"
        + r"|(?<!\bno\s)\bage\s+limit\b",
    ),
    (
        "marital or childbearing status",
        r"未婚|已婚|婚否(?!\s*不限)|婚育|已育|未育|生育(?!保险|险|津贴)|怀孕",
    ),
    (
        "marital or childbearing status",
        r"\b(?:unmarried|married(?!\s+or\s+(?:single|unmarried|not))|marital\s+status|must\s+be\s+single|no\s+(?:kids|children)|childbearing|childless|pregnan\w*)\b",
    ),
    ("ethnicity", r"汉族|少数民族|(?:(?<!不)限|要求)\s*\S{0,2}族人?"),
    ("ethnicity", r"\b(?:ethnicity|ethnic\s+(?:han|origin|background)|race(?!\s+conditions?)|racial)\b"),
    ("religion", r"宗教|信教"),
    ("religion", r"\b(?:religion|religious|christians?\s+only|muslims?\s+only)\b"),
    (
        "household registration",
        r"(?:本地|本市|本省|城镇|农村|非农)\s*(?:户口|户籍)|(?:要求|(?<!不)限|需|须)\S{0,4}(?:户口|户籍)|户籍\s*(?:要求|限)|本地人|本市人|本地生源",
    ),
    (
        "household registration",
        r"\b(?:hukou|household\s+registration|local\s+residents?\s+only|locals\s+only)\b",
    ),
]
_COMPILED = [(attribute, re.compile(pattern, re.IGNORECASE)) for attribute, pattern in _RULES]


def protected_phrases(text: str) -> list[ProtectedPhrase]:
    """Every protected-attribute demand found in ``text``, in order of appearance."""
    found = [
        (match.start(), ProtectedPhrase(attribute, match.group(0)))
        for attribute, pattern in _COMPILED
        for match in pattern.finditer(text)
    ]
    return [phrase for _, phrase in sorted(found, key=lambda item: item[0])]
