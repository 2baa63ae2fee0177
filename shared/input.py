"""What every request body is built from: no unknown fields, and no coercion that changes meaning.

Pydantic's lax mode reads ``false`` as the integer 0, ``0`` as ``false``, and a number as seconds
since 1970 for a date or time. A request field of these types uses the annotated type here instead,
which takes only the JSON value of its own kind (ISO text for dates and times).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    WithJsonSchema,
)


class Input(BaseModel):
    """A request body (or a part of one); NaN and Infinity are refused in every number."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


def _iso_text(example: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, bool | int | float):
            raise ValueError(f"give ISO 8601 text such as {example}, not a number")
        return value

    return BeforeValidator(check)


LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _local_time(value: Any) -> Any:
    if isinstance(value, time) or (isinstance(value, str) and re.fullmatch(LOCAL_TIME, value)):
        return value
    raise ValueError(
        "give a local time as text, HH:MM or HH:MM:SS, without an offset (its zone is given apart)"
    )


Flag = StrictBool
Integer = StrictInt
Moment = Annotated[AwareDatetime, _iso_text('"2026-12-05T09:00:00+08:00"')]
Day = Annotated[date, _iso_text('"2026-12-05"')]
# A wall-clock time in a zone given beside it: not RFC 3339's ``time`` format, which needs an offset.
TimeOfDay = Annotated[
    time,
    BeforeValidator(_local_time),
    WithJsonSchema({"type": "string", "pattern": LOCAL_TIME, "examples": ["09:00", "18:30:00"]}),
]
