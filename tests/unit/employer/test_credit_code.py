"""The unified social credit code check (GB 32100-2015), and how a draft organisation uses it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.employer.domain.model import OrganisationDraft
from shared.credit_code import ALPHABET, check_character, credit_code_problem
from tests import factories

# Worked out by hand from the standard, independently of the module under test:
# 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4 with weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
# M = 21 and Y = 30 in the 31-character alphabet; the weighted sum is 1640, 1640 mod 31 = 28,
# and 31 - 28 = 3: the check character "3". This is the example code printed in the standard.
STANDARD_EXAMPLE = "91350100M000100Y43"
# A real company's code (Huawei Technologies, Shenzhen), as printed on its business licence.
REAL_WORLD = "914403001922038216"


def reference_check(first_17: str) -> str:
    """The check character computed from the standard's definition: weights are 3^i mod 31."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(char) * pow(3, i, 31) for i, char in enumerate(first_17))
    return alphabet[(31 - total % 31) % 31]


def test_the_alphabet_leaves_out_the_five_letters_the_standard_forbids() -> None:
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", [STANDARD_EXAMPLE, REAL_WORLD])
def test_real_codes_are_valid(code: str) -> None:
    assert reference_check(code[:17]) == code[17]
    assert check_character(code[:17]) == code[17]
    assert credit_code_problem(code) is None


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3, 42, 2026])
def test_factory_codes_are_valid_and_agree_with_the_reference(seed: int | None) -> None:
    code = factories.credit_code(seed)
    assert len(code) == 18
    assert code[17] == reference_check(code[:17])
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "length"),
    [("", 0), ("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("9135", 4)],
)
def test_a_code_of_the_wrong_length_says_how_long_it_is(code: str, length: int) -> None:
    assert credit_code_problem(code) == f"must be 18 characters, got {length}"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_each_forbidden_letter_is_named(letter: str) -> None:
    code = "91350100M000100" + letter + "43"
    assert credit_code_problem(code) == f"contains characters a credit code cannot hold: {letter}"


def test_several_bad_characters_are_named_once_each_in_order() -> None:
    code = "9135010OZ00010OI4中"  # O twice, Z, I and a Chinese character
    assert len(code) == 18
    assert credit_code_problem(code) == "contains characters a credit code cannot hold: I O Z 中"


def test_lower_case_is_not_a_code_by_itself() -> None:
    problem = credit_code_problem(STANDARD_EXAMPLE.lower())
    assert problem is not None
    assert problem.startswith("contains characters a credit code cannot hold: ")
    assert "m" in problem
    assert "y" in problem


@pytest.mark.parametrize("wrong", ["0", "4", "Y", "A"])
def test_a_wrong_check_character_names_both_the_given_and_the_expected_one(wrong: str) -> None:
    problem = credit_code_problem(STANDARD_EXAMPLE[:17] + wrong)
    assert problem == f"check character is '{wrong}' but the first 17 characters give '3'"


def test_a_single_changed_digit_is_caught() -> None:
    tampered = REAL_WORLD[:5] + "4" + REAL_WORLD[6:]  # 914404... instead of 914403...
    assert credit_code_problem(tampered) is not None
    assert "check character is '6'" in str(credit_code_problem(tampered))


def organisation_draft(code: str) -> OrganisationDraft:
    return OrganisationDraft.model_validate(factories.organisation(credit_code=code))


def test_a_draft_upper_cases_the_code_before_checking_it() -> None:
    assert organisation_draft(STANDARD_EXAMPLE.lower()).credit_code == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y40", "check character is '0' but the first 17 characters give '3'"),
        ("91350100M000100S43", "contains characters a credit code cannot hold: S"),
    ],
)
def test_a_draft_with_a_bad_code_names_the_field_and_the_problem(code: str, problem: str) -> None:
    with pytest.raises(ValidationError) as raised:
        organisation_draft(code)
    [error] = raised.value.errors()
    assert error["loc"] == ("credit_code",)
    assert error["msg"] == f"Value error, not a valid unified social credit code: {problem}"


def test_a_draft_with_a_short_code_is_refused_on_length() -> None:
    with pytest.raises(ValidationError) as raised:
        organisation_draft("91350100M000100Y4")
    [error] = raised.value.errors()
    assert error["loc"] == ("credit_code",)
    assert error["type"] == "string_too_short"


def test_the_documented_example_code_is_valid() -> None:
    [example] = OrganisationDraft.model_fields["credit_code"].examples or [""]
    assert credit_code_problem(example) is None
