"""The page language: a cookie set by the switch link, else the browser's Accept-Language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import Request

from services.web.catalogue import CATALOGUE

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
LANGUAGE_COOKIE = "talent_lang"


def language_of(request: Request) -> Language:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen == "en":
        return "en"
    if chosen == "zh":
        return "zh"
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> Language:
    """The first of zh/en the header prefers (by q), Chinese when it names neither."""
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES:
            q = 1.0
            for param in params.split(";"):
                name, _, value = param.strip().partition("=")
                if name == "q":
                    try:
                        q = float(value)
                    except ValueError:
                        q = 0.0
            ranked.append((-q, position, "en" if primary == "en" else "zh"))
    return min(ranked)[2] if ranked else "zh"


def translator(language: Language) -> Callable[..., str]:
    """``t(key, **values)``: the catalogue's text in ``language``, with ``{values}`` filled in."""

    def t(key: str, **values: Any) -> str:
        text = CATALOGUE[key][language]
        return text.format(**values) if values else text

    return t


CODED_VALUES = {"education_gap": ("asked", "education."), "category_fit": ("category", "category.")}
"""Values that are codes of the platform's vocabularies, shown as their labels."""


def reason_text(language: Language, reason: dict[str, Any]) -> str:
    """A match reason as a reader of ``language`` reads it: its code's text with its values
    filled in (a skill by its label in that language, a code by its label), never the code.
    A reason published before reasons had values is its code's label alone."""
    t = translator(language)
    code, values, skill = reason["code"], dict(reason.get("values") or {}), reason.get("skill")
    if skill:
        values["skill"] = skill[language]
    if code in CODED_VALUES and values:
        name, prefix = CODED_VALUES[code]
        values[name] = t(prefix + str(values[name])) if prefix + str(values[name]) in CATALOGUE else "—"
    key = "because.city_fit_remote" if code == "city_fit" and values.get("remote") else f"because.{code}"
    if values and key in CATALOGUE:
        return t(key, **values)
    return t(f"reason.{code}") if f"reason.{code}" in CATALOGUE else t("reason.other")
