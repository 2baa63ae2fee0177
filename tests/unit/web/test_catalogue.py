"""Every text of the pages exists in Chinese and English, and every key the pages use exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.web.catalogue import CATALOGUE
from services.web.i18n import LANGUAGES, from_accept_language, translator
from shared.events import catalogue as c

WEB = Path(__file__).resolve().parents[3] / "services" / "web"
# t('key') in templates, t("key") in Python; keys ending in "." or "_" are prefixes (t('category.' ~ code)).
USED = re.compile(r"""\bt\(\s*f?['"]([a-z0-9_.]+)""")


def used_keys() -> set[str]:
    sources = [*WEB.glob("templates/**/*.html"), *WEB.glob("**/*.py")]
    return {key for path in sources for key in USED.findall(path.read_text(encoding="utf-8"))}


def test_every_key_has_a_text_in_both_languages() -> None:
    for key, texts in CATALOGUE.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key


def test_every_key_the_pages_use_is_in_the_catalogue() -> None:
    keys = used_keys()
    assert len(keys) > 100
    for key in keys:
        if key.endswith((".", "_")):
            assert any(k.startswith(key) for k in CATALOGUE), key
        else:
            assert key in CATALOGUE, key


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("category.", [v.value for v in c.TalentCategory]),
        ("education.", [v.value for v in c.EducationLevel]),
        ("registration.", [v.value for v in c.RegistrationStatus]),
        ("fair_status.", ["open", "closed", "scheduled", "cancelled"]),
        ("reason.", ["text_similarity", "skills_matched", "skills_missing", "education_gap", "experience_gap",
                     "salary_fit", "city_fit", "category_fit", "credential_verified", "skill_held",
                     "skill_lacked", "other_skills", "no_skills_asked"]),
        ("recipient.", [v.value for v in c.RecipientKind]),
        ("channel.", [v.value for v in c.Channel]),
    ],
)  # fmt: skip
def test_every_value_of_the_platforms_vocabularies_has_a_label(prefix: str, values: list[str]) -> None:
    for value in values:
        assert prefix + value in CATALOGUE


def test_placeholders_are_the_same_in_both_languages() -> None:
    for key, texts in CATALOGUE.items():
        names = {language: set(re.findall(r"{(\w+)}", text)) for language, text in texts.items()}
        assert names["zh"] == names["en"], key


def test_the_translator_fills_placeholders() -> None:
    assert translator("en")("schedule.version", version=3) == "Schedule version 3"
    assert translator("zh")("schedule.version", version=3) == "日程版本 3"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "zh"),
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr-FR,en;q=0.5,zh;q=0.3", "en"),
        ("de-DE,fr;q=0.8", "zh"),
        ("zh;q=0.2, en;q=0.7", "en"),
    ],
)
def test_accept_language_picks_the_preferred_of_chinese_and_english(header: str, language: str) -> None:
    assert from_accept_language(header) == language
