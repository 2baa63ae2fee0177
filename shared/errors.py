"""Errors the domain and service layers raise; the REST layer maps each to a status code."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Also raised for another tenant's ids: their existence is not disclosed."""


class Forbidden(DomainError):
    pass


class Unauthorized(DomainError):
    pass


class Conflict(DomainError):
    pass


class InvalidField(DomainError):
    """A rule the request schema cannot express, reported like a schema error on that field."""

    def __init__(self, location: Sequence[str | int], message: str) -> None:
        super().__init__(message)
        self.location = list(location)
