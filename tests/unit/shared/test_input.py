"""The shared request types refuse coercions that change meaning; a 422 always serialises."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from shared.api.input import answer_invalid
from shared.input import Day, Flag, Input, Integer, Moment, TimeOfDay

pytestmark = pytest.mark.security


@pytest.mark.parametrize(
    ("kind", "refused"),
    [
        (Flag, [0, 1, "true", "yes"]),
        (Integer, [False, True, "3", 2.0]),
        (Moment, [0, 1_700_000_000, 1.5, True]),
        (Day, [0, 20_261_205]),
        (TimeOfDay, [3600, "09:00Z", "09:00:00+08:00", "25:00", "9"]),
    ],
)
def test_a_coercion_that_changes_meaning_is_refused(kind: Any, refused: list[Any]) -> None:
    for value in refused:
        with pytest.raises(ValidationError):
            TypeAdapter(kind).validate_python(value)


def test_legitimate_input_is_taken() -> None:
    assert TypeAdapter(Flag).validate_python(False) is False
    assert TypeAdapter(Integer).validate_python(3) == 3
    assert TypeAdapter(Moment).validate_python("2026-12-05T09:00:00+08:00") == datetime(
        2026, 12, 5, 1, 0, tzinfo=UTC
    )
    assert TypeAdapter(Day).validate_python("2026-12-05") == date(2026, 12, 5)
    assert TypeAdapter(TimeOfDay).validate_python("09:00") == time(9, 0)
    assert TypeAdapter(TimeOfDay).validate_python("18:30:15") == time(18, 30, 15)


def test_no_nan_or_infinity_in_a_request_number() -> None:
    class Score(Input):
        value: float

    for bad in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValidationError):
            Score(value=bad)


async def test_a_validation_error_leaves_out_an_input_json_cannot_carry() -> None:
    error = RequestValidationError(
        [
            {
                "loc": ("body", "min_score"),
                "msg": "too big",
                "type": "less_than_equal",
                "input": float("nan"),
            },
            {"loc": ("body", "na\ud800me"), "msg": "bad \ud800", "type": "value_error", "input": "\ud800"},
            {"loc": ("query", "limit"), "msg": "too big", "type": "less_than_equal", "input": 500},
        ]
    )
    response = await answer_invalid(None, error)  # type: ignore[arg-type]
    assert response.status_code == 422
    detail = json.loads(bytes(response.body))["detail"]
    assert [problem.get("input") for problem in detail] == [None, None, 500]
    assert detail[0]["loc"] == ["body", "min_score"]
    assert detail[1]["msg"] == "bad ?"
