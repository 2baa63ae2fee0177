"""Identifiers drawn from a seeded generator: UUIDs and unified social credit codes."""

from __future__ import annotations

from uuid import UUID

import numpy as np
import numpy.typing as npt

from shared.credit_code import check_character

# GB 11714 organisation code: eight characters and a check character.
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uuid_bytes(rng: np.random.Generator, count: int) -> npt.NDArray[np.uint8]:
    """``count`` rows of 16 random bytes; ``as_uuid`` turns a row into a version-4 UUID."""
    return rng.integers(0, 256, size=(count, 16), dtype=np.uint8)


def as_uuid(row: npt.NDArray[np.uint8]) -> UUID:
    return UUID(bytes=row.tobytes(), version=4)


def _organisation_code(digits: str) -> str:
    remainder = (
        11
        - sum(int(digit) * weight for digit, weight in zip(digits, _ORGANISATION_WEIGHTS, strict=True)) % 11
    )
    return digits + {10: "X", 11: "0"}.get(remainder, str(remainder))


def credit_code(registrant: str, division: str, organisation_digits: str) -> str:
    """The code of an organisation of ``registrant`` kind (e.g. ``91`` a company) in ``division``."""
    first_17 = registrant + division + _organisation_code(organisation_digits)
    return first_17 + check_character(first_17)
