"""API error bodies as messages, form lists, and the redirect guard."""

from __future__ import annotations

from services.web.backend import Problem, messages_of
from services.web.forms import optional_int, split_list
from services.web.routes.public import safe_next


def test_a_422_names_each_field_without_the_body_prefix() -> None:
    body = {
        "detail": [
            {"loc": ["body", "description"], "msg": "remove “35岁以下” (age)", "type": "value_error"},
            {"loc": ["body", "skills", 1], "msg": "too long", "type": "string_too_long"},
        ]
    }
    assert messages_of(body) == [
        Problem("remove “35岁以下” (age)", "description"),
        Problem("too long", "skills.1"),
    ]


def test_a_plain_detail_is_one_message() -> None:
    assert messages_of({"detail": "this seeker was already invited"}) == [
        Problem("this seeker was already invited")
    ]
    assert str(Problem("too long", "title")) == "title: too long"


def test_lists_split_on_chinese_and_latin_separators() -> None:
    assert split_list("数控编程，焊接、 CNC, ;\n阅读图纸") == ["数控编程", "焊接", "CNC", "阅读图纸"]
    assert split_list("  ") == []


def test_numbers_are_optional() -> None:
    assert optional_int(" 6000 ") == 6000
    assert optional_int("") is None
    assert optional_int("六千") is None


def test_only_local_paths_are_followed_after_sign_in() -> None:
    assert safe_next("/seeker/matches") == "/seeker/matches"
    assert safe_next("//evil.example/") == "/"
    assert safe_next("https://evil.example/") == "/"
