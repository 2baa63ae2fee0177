"""The skill vocabulary: one canonical skill however it is written, unknown skills kept as text."""

from __future__ import annotations

import pytest

from services.matching.domain.vocabulary import SKILL_PREFIX, load_vocabulary

TIG = "perform tungsten inert gas welding"


@pytest.mark.parametrize(
    "written",
    [
        "氩弧焊",
        "氬弧焊",  # traditional characters
        "氩弧焊(TIG)",
        "TIG",
        "GTAW",
        "gtaw",
        "ＧＴＡＷ",  # full width
        "TIG welding",
        " Gas  Tungsten Arc Welding ",
        "tig-welding",
        "Perform Tungsten Inert Gas Welding",
    ],
)
def test_every_writing_of_a_skill_is_one_canonical_skill(written: str) -> None:
    vocabulary = load_vocabulary()
    found = vocabulary.skill_id(written)
    assert found is not None
    assert vocabulary.by_id[found].en == TIG
    assert vocabulary.token(written) == SKILL_PREFIX + found


def test_a_skill_the_vocabulary_does_not_know_stays_as_its_text() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.skill_id("Underwater basket weaving") is None
    assert vocabulary.token("Underwater  Basket weaving") == "underwater basket weaving"
    assert vocabulary.token("ＡＢＣ 编 織") == "abc编织"


def test_labels_are_in_the_readers_language() -> None:
    vocabulary = load_vocabulary()
    token = vocabulary.token("GTAW")
    assert vocabulary.label(token, "zh-CN") == "氩弧焊"
    assert vocabulary.label(token, "en") == TIG
    assert vocabulary.label("underwater basket weaving", "zh-CN") == "underwater basket weaving"


def test_free_text_is_scanned_for_skills_in_either_language() -> None:
    vocabulary = load_vocabulary()
    tig, excel = vocabulary.skill_id("TIG"), vocabulary.skill_id("Excel")
    assert vocabulary.scan("5 years as a welder; skilled in TIG welding and Excel.") == [tig, excel]
    assert vocabulary.scan("五年焊工经验，熟悉氬弧焊、电子表格。") == [tig, excel]
    assert vocabulary.scan("nothing to see here") == []


def test_a_title_names_its_occupation_and_family() -> None:
    vocabulary = load_vocabulary()
    welder = vocabulary.occupation("Senior Welder (Shenzhen)")
    assert welder is not None
    assert welder == vocabulary.occupation("高级焊工")
    assert welder.family == 721
    assert vocabulary.occupation("吉祥物") is None


def test_the_vocabulary_carries_its_attribution_and_each_skill_its_occupations() -> None:
    vocabulary = load_vocabulary()
    assert "ESCO" in vocabulary.attribution
    assert all(skill.zh and skill.en for skill in vocabulary.skills)
    tig = vocabulary.by_id[str(vocabulary.skill_id("TIG"))]
    assert {"TIG", "GTAW"} <= set(tig.abbreviations)
    assert [vocabulary.occupations[o].en for o in tig.occupations] == ["welder"]
